/**
 * Starts the queue and registers every job handler. Used in-process by
 * `npm start` and alone by `npm run worker`. On start it also resumes what may
 * have been left over (a web process that could not enqueue, a seed that ran
 * before the queue existed): unfinished runs get their score/evaluate jobs and
 * ground-truth versions without reference rows get a reference job. All of it
 * is idempotent, so several workers starting at once only repeat no-ops.
 */
import path from 'node:path';
import type PgBoss from 'pg-boss';
import type { DbHandle } from '@/db/client';
import { listDatasetIds } from '@/db/queries/datasets';
import { currentDensityMaps, groundTruthModalities } from '@/db/queries/ground-truth';
import { referenceKinds } from '@/db/queries/leaderboard';
import { unfinishedRuns } from '@/db/queries/runs';
import { referencePending } from '@/lib/scoring/reference';
import { dataDir } from '@/lib/server/paths';
import { enqueueGroundTruthChanged, registerGroundTruthWorker } from './ground-truth';
import { startQueue } from './queue';
import { enqueueRunWork, registerScoringWorker } from './scoring';

export interface WorkerOptions {
  /** pg-boss maintenance interval (lease expiry checks); pg-boss's default when absent. */
  readonly maintenanceIntervalSeconds?: number;
  /** Enqueue left-over work on start (default true; tests of one job turn it off). */
  readonly resume?: boolean;
}

export async function startWorker(handle: DbHandle, options: WorkerOptions = {}): Promise<PgBoss> {
  const { resume = true, ...queueOptions } = options;
  const boss = await startQueue({ handle, ...queueOptions });
  // pg-boss's graceful stop waits for running jobs but cannot tell them to stop, and an evaluation
  // job runs for minutes: stop() first aborts this signal, so scoring and evaluation jobs end
  // before their next image (what they stored stays; resumePendingWork enqueues the rest on the
  // next start) and a SIGTERM'd `npm start` exits in seconds.
  const stopping = new AbortController();
  const stop = boss.stop.bind(boss);
  boss.stop = (stopOptions) => {
    stopping.abort();
    return stop(stopOptions);
  };
  await registerGroundTruthWorker(boss, handle.db);
  const root = process.env.GAZEBENCH_ROOT || process.cwd();
  await registerScoringWorker(boss, handle.db, { dataDir: dataDir(), publicDir: path.join(root, 'public'), signal: stopping.signal });
  if (resume) await resumePendingWork(boss, handle);
  return boss;
}

export async function resumePendingWork(boss: PgBoss, handle: DbHandle): Promise<void> {
  const { db } = handle;
  for (const run of await unfinishedRuns(db)) await enqueueRunWork(boss, { id: run.id, evaluateWithoutGroundTruth: run.evaluate });
  for (const datasetId of await listDatasetIds(db)) {
    for (const modality of await groundTruthModalities(db, datasetId)) {
      const ids = (await currentDensityMaps(db, datasetId, modality)).map((v) => v.id);
      // Negatives may exist once two images have ground truth; the job itself checks exactly.
      const kinds = await referenceKinds(db, ids);
      if (ids.some((id) => referencePending(kinds.get(id), ids.length > 1))) await enqueueGroundTruthChanged(boss, datasetId, modality);
    }
  }
}
