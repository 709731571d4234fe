/**
 * Jobs of the ground truth:
 *  - `ground-truth.recompute` {imageId, modality}: after sessions are accepted, rejected, withdrawn
 *    or imported, writes the next version of the image's density map when its fixations changed
 *    (db/queries/ground-truth `rebuildDensityMap`), then enqueues the dataset's reference rows and
 *    the rescoring of its runs. Idempotent: the same fixations write no new version.
 *  - `ground-truth.reference` {datasetId, modality}: ceiling, baselines and consistency of the
 *    versions in force (lib/scoring/reference.ts).
 */
import PgBoss from 'pg-boss';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { getImageWithDataset } from '@/db/queries/datasets';
import { rebuildDensityMap } from '@/db/queries/ground-truth';
import { sqlExecutor } from '@/db/queries/jobs';
import { MODALITIES, type Modality } from '@/db/schema';
import { computeReference } from '@/lib/scoring/reference';
import { RETRY_OPTIONS, sendCoalesced } from './queue';

export const RECOMPUTE_GROUND_TRUTH = 'ground-truth.recompute';
export const GROUND_TRUTH_REFERENCE = 'ground-truth.reference';
export const RUNS_RESCORE = 'runs.rescore';

export const RecomputeGroundTruthJob = z.object({
  imageId: z.uuid(),
  modality: z.enum(MODALITIES),
});
export type RecomputeGroundTruthJob = z.infer<typeof RecomputeGroundTruthJob>;

const jobOptions = (job: RecomputeGroundTruthJob) => ({ singletonKey: `${job.imageId}:${job.modality}`, ...RETRY_OPTIONS });

/** Builds pg-boss's statements only; every send passes the caller's transaction as its connection. */
let sendOnly: PgBoss | undefined;

/**
 * Enqueues recomputes inside the caller's transaction `tx` (session accepted, withdrawn, review
 * decision): the jobs exist exactly when the transaction commits. The queue must exist (the worker
 * creates it when it first starts); a missing queue is an error, never a silently dropped job.
 */
export async function enqueueRecomputeGroundTruthInTx(tx: Db, jobs: readonly RecomputeGroundTruthJob[]): Promise<void> {
  sendOnly ??= new PgBoss({ db: { executeSql: () => Promise.reject(new Error('ground truth: the send-only queue has no connection of its own')) } });
  const db = sqlExecutor(tx);
  for (const job of jobs) {
    const id = await sendOnly.send(RECOMPUTE_GROUND_TRUTH, RecomputeGroundTruthJob.parse(job), { ...jobOptions(job), db });
    if (id === null) throw new Error(`ground truth: queue ${RECOMPUTE_GROUND_TRUTH} does not exist (start the worker once: npm run worker)`);
  }
}

export const GroundTruthReferenceJob = z.object({ datasetId: z.uuid(), modality: z.enum(MODALITIES) });
export type GroundTruthReferenceJob = z.infer<typeof GroundTruthReferenceJob>;

export const RescoreJob = z.object({ datasetId: z.uuid() });

export async function enqueueRecomputeGroundTruth(boss: PgBoss, job: RecomputeGroundTruthJob): Promise<void> {
  await boss.send(RECOMPUTE_GROUND_TRUTH, RecomputeGroundTruthJob.parse(job), {
    singletonKey: `${job.imageId}:${job.modality}`,
    ...RETRY_OPTIONS,
  });
}

/** After ground truth of a dataset changed: its reference rows, then every run's new scores. */
export async function enqueueGroundTruthChanged(boss: PgBoss, datasetId: string, modality: Modality): Promise<void> {
  await sendCoalesced(boss, GROUND_TRUTH_REFERENCE, GroundTruthReferenceJob.parse({ datasetId, modality }), `${datasetId}:${modality}`, 5);
  await sendCoalesced(boss, RUNS_RESCORE, RescoreJob.parse({ datasetId }), datasetId, 5);
}

export async function registerGroundTruthWorker(boss: PgBoss, db: Db): Promise<void> {
  await boss.createQueue(RECOMPUTE_GROUND_TRUTH);
  await boss.createQueue(GROUND_TRUTH_REFERENCE);
  await boss.work<RecomputeGroundTruthJob>(RECOMPUTE_GROUND_TRUTH, async (jobs) => {
    for (const job of jobs) {
      const { imageId, modality } = RecomputeGroundTruthJob.parse(job.data);
      const written = await db.transaction((tx) => rebuildDensityMap(tx, imageId, modality));
      if (!written?.changed) continue;
      const found = await getImageWithDataset(db, imageId);
      if (found) await enqueueGroundTruthChanged(boss, found.dataset.id, modality);
    }
  });
  await boss.work<GroundTruthReferenceJob>(GROUND_TRUTH_REFERENCE, async (jobs) => {
    for (const job of jobs) {
      const { datasetId, modality } = GroundTruthReferenceJob.parse(job.data);
      await computeReference(db, datasetId, modality);
    }
  });
}
