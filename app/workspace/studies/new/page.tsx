import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { StudyCreateForm } from '@/components/study-forms';
import { getDb } from '@/db/client';
import { listDatasetsVisibleTo } from '@/db/queries/datasets';
import { currentUser } from '@/lib/auth/current-user';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New study' };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function NewStudyPage({ searchParams }: Props) {
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect('/signin?next=/workspace/studies/new');
  const datasets = (await listDatasetsVisibleTo(db, user.id, { ownOnly: true })).filter((d) => d.imageCount > 0);
  const preselect = (await searchParams).dataset;
  return (
    <div className="space-y-6">
      <p className="text-sm text-stone-600"><Link href="/workspace" className="text-blue-700 hover:underline">Workspace</Link> / studies</p>
      <h1 className="text-2xl font-semibold">New study</h1>
      <p className="max-w-2xl text-stone-700">
        A study shows images of one of your datasets to participants and records where they look. It starts as a draft: open it
        when you are ready, and share its link.
      </p>
      <StudyCreateForm datasets={datasets.map((d) => ({ id: d.id, slug: d.slug, name: d.name, imageCount: d.imageCount }))} preselect={typeof preselect === 'string' ? preselect : undefined} />
    </div>
  );
}
