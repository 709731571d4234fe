import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getDb } from '@/db/client';
import { listDatasetsVisibleTo } from '@/db/queries/datasets';
import { listModelsVisibleTo } from '@/db/queries/models';
import { currentUser } from '@/lib/auth/current-user';
import path from 'node:path';
import { storedModelMethods } from '@/lib/models/stored-methods';
import { dataDir } from '@/lib/server/paths';
import { RunCreator } from './run-creator';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'New run' };

type Props = { searchParams: Promise<{ dataset?: string; model?: string }> };

/** Model × explainers × parameters × dataset → one run per explainer, computed in this browser. */
export default async function NewRunPage({ searchParams }: Props) {
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect('/signin?next=/workspace/runs/new');
  const [datasets, models] = await Promise.all([listDatasetsVisibleTo(db, user.id), listModelsVisibleTo(db, user.id)]);
  const wanted = await searchParams;
  // What each model refuses, as POST /api/v1/runs decides it (stored on the row; computed once for older rows).
  const publicDir = path.resolve(/*turbopackIgnore: true*/ process.cwd(), 'public');
  const methods = await Promise.all(models.map((m) => storedModelMethods(db, dataDir(), publicDir, m)));
  const refusedOf = (i: number) => Object.fromEntries((methods[i] ?? []).filter((c) => !c.ok).map((c) => [c.method, c.reason ?? 'this model cannot run this method']));
  const mine = (ownerId: string | null) => (ownerId === user.id ? 'yours' : ownerId === null ? 'platform' : 'public');
  return (
    <div className="space-y-6">
      <div className="max-w-3xl space-y-2">
        <p className="text-sm text-stone-600"><Link href="/workspace" className="text-blue-700 hover:underline">Workspace</Link> / <Link href="/workspace/runs" className="text-blue-700 hover:underline">runs</Link></p>
        <h1 className="text-2xl font-semibold">New explanation run</h1>
        <p className="text-stone-700">
          Choose a dataset, a model and one or more explainers with their parameters. Each explainer becomes a run; the maps are
          computed in this browser by TF.js in a background worker and uploaded one image at a time, so you can pause, close the
          tab and resume later — the run continues at the next image without a map. The server scores every map it receives.
        </p>
      </div>
      <RunCreator
        datasets={datasets.filter((d) => d.imageCount > 0).map((d) => ({ id: d.id, slug: d.slug, name: d.name, imageCount: d.imageCount, owner: mine(d.ownerId) }))}
        models={models.map((m, i) => ({ id: m.id, slug: m.slug, name: m.name, labels: m.labels, inputWidth: m.inputWidth, owner: mine(m.ownerId), refused: refusedOf(i) }))}
        initialDataset={wanted.dataset ?? null}
        initialModel={wanted.model ?? null}
      />
    </div>
  );
}
