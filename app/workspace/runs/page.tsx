import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { listOwnRuns } from '@/db/queries/runs';
import { currentUser } from '@/lib/auth/current-user';
import { RunList } from './run-list';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Runs' };

/** The researcher's runs with their map progress, the browser runner, run page and leaderboard. */
export default async function RunsPage() {
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect('/signin?next=/workspace/runs');
  const runs = await listOwnRuns(db, user.id);
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <p className="text-sm text-stone-600"><Link href="/workspace" className="text-blue-700 hover:underline">Workspace</Link> / runs</p>
        <div className="flex items-center gap-4">
          <h1 className="text-2xl font-semibold">Your runs</h1>
          <Link href="/workspace/runs/new" className="rounded bg-stone-900 px-3 py-1 text-sm text-white">New run</Link>
        </div>
      </div>
      <RunList runs={runs} />
    </div>
  );
}
