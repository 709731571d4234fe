import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { AuthForm } from '@/components/auth-form';
import { getDb } from '@/db/client';
import { currentUser } from '@/lib/auth/current-user';
import { safeNextPath } from '@/lib/http/next-path';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const next = safeNextPath((await searchParams).next);
  if (await currentUser(await getDb())) redirect(next);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Sign in</h1>
      <AuthForm mode="signin" next={next} />
    </div>
  );
}
