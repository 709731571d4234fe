/**
 * Job: recompute an image's density map for one modality (after sessions are
 * accepted, rejected, withdrawn or imported). Idempotent in effect: each run
 * writes the next version from the fixations present at that moment.
 */
import type PgBoss from 'pg-boss';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { recomputeDensityMap } from '@/db/queries/ground-truth';
import { MODALITIES } from '@/db/schema';

export const RECOMPUTE_GROUND_TRUTH = 'ground-truth.recompute';

export const RecomputeGroundTruthJob = z.object({
  imageId: z.uuid(),
  modality: z.enum(MODALITIES),
});
export type RecomputeGroundTruthJob = z.infer<typeof RecomputeGroundTruthJob>;

export async function enqueueRecomputeGroundTruth(boss: PgBoss, job: RecomputeGroundTruthJob): Promise<void> {
  await boss.send(RECOMPUTE_GROUND_TRUTH, RecomputeGroundTruthJob.parse(job), {
    singletonKey: `${job.imageId}:${job.modality}`,
    retryLimit: 5,
    retryBackoff: true,
  });
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
