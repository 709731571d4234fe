/**
 * Job: recompute an image's density map for one modality (after sessions are
 * accepted, rejected, withdrawn or imported). Idempotent in effect: each run
 * writes the next version from the fixations present at that moment.
 */
import PgBoss from 'pg-boss';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { recomputeDensityMap } from '@/db/queries/ground-truth';
import { sqlExecutor } from '@/db/queries/jobs';
import { MODALITIES } from '@/db/schema';

export const RECOMPUTE_GROUND_TRUTH = 'ground-truth.recompute';

export const RecomputeGroundTruthJob = z.object({
  imageId: z.uuid(),
  modality: z.enum(MODALITIES),
});
export type RecomputeGroundTruthJob = z.infer<typeof RecomputeGroundTruthJob>;

const jobOptions = (job: RecomputeGroundTruthJob) => ({ singletonKey: `${job.imageId}:${job.modality}`, retryLimit: 5, retryBackoff: true });

export async function enqueueRecomputeGroundTruth(boss: PgBoss, job: RecomputeGroundTruthJob): Promise<void> {
  await boss.send(RECOMPUTE_GROUND_TRUTH, RecomputeGroundTruthJob.parse(job), jobOptions(job));
}

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

export async function registerGroundTruthWorker(boss: PgBoss, db: Db): Promise<void> {
  await boss.createQueue(RECOMPUTE_GROUND_TRUTH);
  await boss.work<RecomputeGroundTruthJob>(RECOMPUTE_GROUND_TRUTH, async (jobs) => {
    for (const job of jobs) {
      const { imageId, modality } = RecomputeGroundTruthJob.parse(job.data);
      await db.transaction((tx) => recomputeDensityMap(tx, imageId, modality).then(() => undefined));
    }
  });
}
