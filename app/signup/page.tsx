import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { getDb } from '@/db/client';
import { currentUser } from '@/lib/auth/current-user';
import { safeNextPath } from '@/lib/http/next-path';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  if (await currentUser(await getDb())) redirect(next);
  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">Create a researcher account</h1>
        <p className="max-w-xl text-stone-700">Upload datasets and TF.js models, launch gaze studies and compare explanations with where people look.</p>
      </div>
      <AuthForm mode="signup" next={next} />
    </div>
  );
}
