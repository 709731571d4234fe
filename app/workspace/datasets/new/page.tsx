import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { DatasetCreateForm } from '@/components/dataset-forms';
import { getDb } from '@/db/client';
import { currentUser } from '@/lib/auth/current-user';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New dataset' };

export default async function NewDatasetPage() {
  if (!(await currentUser(await getDb()))) redirect('/signin?next=/workspace/datasets/new');
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">New dataset</h1>
      <p className="max-w-2xl text-stone-700">Create the dataset, then add images: several files or a zip. Class labels can come from file names such as <code>cat_12.jpg</code>.</p>
      <DatasetCreateForm />
    </div>
  );
}
