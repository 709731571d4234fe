import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { listDatasetsVisibleTo } from '@/db/queries/datasets';
import { listModelsVisibleTo } from '@/db/queries/models';
import { listOwnRuns } from '@/db/queries/runs';
import { listStudiesOwnedBy } from '@/db/queries/studies';
import { currentUser } from '@/lib/auth/current-user';
import { RunList } from './runs/run-list';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Workspace' };

/** Runs shown here; /workspace/runs lists all. */
const RECENT_RUNS = 5;

export default async function WorkspacePage() {
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect('/signin?next=/workspace');
  const [datasets, models, runs, studies] = await Promise.all([
    listDatasetsVisibleTo(db, user.id, { ownOnly: true }),
    listModelsVisibleTo(db, user.id, { ownOnly: true }),
    listOwnRuns(db, user.id),
    listStudiesOwnedBy(db, user.id),
  ]);
  return (
    <div className="space-y-10">
      <h1 className="text-2xl font-semibold">Workspace</h1>
      <section className="space-y-3" aria-labelledby="ws-datasets">
        <div className="flex items-center gap-4">
          <h2 id="ws-datasets" className="text-xl font-semibold">Your datasets</h2>
          <Link href="/workspace/datasets/new" className="rounded bg-stone-900 px-3 py-1 text-sm text-white">New dataset</Link>
        </div>
        {datasets.length === 0 ? <p className="text-stone-600">No datasets yet.</p> : (
          <ul className="divide-y divide-stone-200 rounded border border-stone-200 bg-white">
            {datasets.map((d) => (
              <li key={d.id} className="flex items-center gap-4 px-4 py-2">
                <Link href={`/workspace/datasets/${d.slug}`} className="font-medium text-blue-700 hover:underline">{d.name}</Link>
                <span className="text-sm text-stone-600">{d.imageCount} images · {d.visibility}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="space-y-3" aria-labelledby="ws-studies">
        <div className="flex items-center gap-4">
          <h2 id="ws-studies" className="text-xl font-semibold">Your studies</h2>
          <Link href="/workspace/studies/new" className="rounded bg-stone-900 px-3 py-1 text-sm text-white">New study</Link>
        </div>
        {studies.length === 0 ? <p className="text-stone-600">No studies yet.</p> : (
          <ul className="divide-y divide-stone-200 rounded border border-stone-200 bg-white" aria-label="Your studies">
            {studies.map((s) => (
              <li key={s.id} className="flex items-center gap-4 px-4 py-2">
                <Link href={`/workspace/studies/${s.slug}`} className="font-medium text-blue-700 hover:underline">{s.name}</Link>
                <span className="text-sm text-stone-600">{s.status} · {s.datasetName} · {s.started} started · {s.accepted} accepted</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="space-y-3" aria-labelledby="ws-models">
        <div className="flex items-center gap-4">
          <h2 id="ws-models" className="text-xl font-semibold">Your models</h2>
          <Link href="/workspace/models/new" className="rounded bg-stone-900 px-3 py-1 text-sm text-white">Upload a model</Link>
        </div>
        {models.length === 0 ? <p className="text-stone-600">No models yet.</p> : (
          <ul className="divide-y divide-stone-200 rounded border border-stone-200 bg-white">
            {models.map((m) => (
              <li key={m.id} className="flex items-center gap-4 px-4 py-2">
                <Link href={`/workspace/models/${m.slug}`} className="font-medium text-blue-700 hover:underline">{m.name}</Link>
                <span className="text-sm text-stone-600">{m.labels.length} classes · {m.inputHeight}×{m.inputWidth} · {m.preprocessing} · {m.visibility}</span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="space-y-3" aria-labelledby="ws-runs">
        <div className="flex items-center gap-4">
          <h2 id="ws-runs" className="text-xl font-semibold">Your explanation runs</h2>
          <Link href="/workspace/runs/new" className="rounded bg-stone-900 px-3 py-1 text-sm text-white">New run</Link>
          {runs.length > RECENT_RUNS ? <Link href="/workspace/runs" className="text-sm text-blue-700 hover:underline">All {runs.length} runs</Link> : null}
        </div>
        <RunList runs={runs.slice(0, RECENT_RUNS)} />
      </section>
    </div>
  );
}
