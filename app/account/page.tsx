import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { TokenManager } from '@/components/token-manager';
import { getDb } from '@/db/client';
import { listApiTokens } from '@/db/queries/auth';
import { presentToken } from '@/lib/api/present';
import { currentUser } from '@/lib/auth/current-user';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Account' };

export default async function AccountPage() {
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect('/signin?next=/account');
  const tokens = (await listApiTokens(db, user.id)).map(presentToken);
  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">Account</h1>
        <p className="text-stone-700">
          {user.email} · {user.role}
        </p>
      </div>
      <section className="space-y-3">
        <h2 className="text-xl font-semibold">API tokens</h2>
        <p className="max-w-3xl text-sm text-stone-700">
          For the command line and the <a href="/api-docs" className="text-blue-700 hover:underline">API</a>: send{' '}
          <code>Authorization: Bearer gzb_…</code>. Tokens are stored hashed; a read token can only look, a write token can also
          upload and change your datasets and models. Revoke a token as soon as you no longer need it.
        </p>
        <TokenManager tokens={tokens} />
      </section>
    </div>
  );
}
