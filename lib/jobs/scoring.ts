/**
 * Jobs of the scoring service:
 *  - `run.score` {runId}: ground-truth metrics of every map not yet scored against the versions in
 *    force (lib/scoring/score-run.ts);
 *  - `run.evaluate` {runId}: insertion/deletion (and ROAD) with the stored model
 *    (lib/scoring/evaluate-run.ts);
 *  - `runs.rescore` {datasetId}: after the dataset's ground truth changed, a `run.score` for each
 *    of its runs (old scores keep their version; the new version's scores are added).
 * A job that has used up its time budget enqueues its own continuation and completes, so leases
 * stay short; a worker killed mid-job leaves an active job whose lease (expireInSeconds) runs out,
 * pg-boss maintenance puts it back for retry, and the next worker skips everything already stored.
 */
import type PgBoss from 'pg-boss';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { runsOfDataset } from '@/db/queries/runs';
import { scoreRun } from '@/lib/scoring/score-run';
import { RUNS_RESCORE, RescoreJob } from './ground-truth';
import { sendCoalesced } from './queue';

export const RUN_SCORE = 'run.score';
export const RUN_EVALUATE = 'run.evaluate';

/** Work per job before it hands over to a continuation. */
export const SCORE_BUDGET_MS = 120_000;
export const EVALUATE_BUDGET_MS = 300_000;
/** Leases: comfortably above the budgets (a job finishes its current image after the budget). */
export const SCORE_EXPIRE_S = 15 * 60;
export const EVALUATE_EXPIRE_S = 30 * 60;

export const RunJob = z.object({ runId: z.uuid() });
export type RunJob = z.infer<typeof RunJob>;

export interface ScoringWorkerOptions {
  readonly dataDir: string;
  readonly publicDir: string;
  /** Aborted when the worker stops: a job ends before its next image and is not re-enqueued. */
  readonly signal?: AbortSignal;
}

export async function enqueueScoreRun(boss: PgBoss, runId: string): Promise<void> {
  await sendCoalesced(boss, RUN_SCORE, RunJob.parse({ runId }), runId, 2, { expireInSeconds: SCORE_EXPIRE_S });
}

export async function enqueueEvaluateRun(boss: PgBoss, runId: string): Promise<void> {
  await sendCoalesced(boss, RUN_EVALUATE, RunJob.parse({ runId }), runId, 2, { expireInSeconds: EVALUATE_EXPIRE_S });
}

/** New maps arrived (or a run was created with maps): score them, and evaluate when asked. */
export async function enqueueRunWork(boss: PgBoss, run: { id: string; evaluateWithoutGroundTruth: readonly string[] }): Promise<void> {
  await enqueueScoreRun(boss, run.id);
  if (run.evaluateWithoutGroundTruth.length > 0) await enqueueEvaluateRun(boss, run.id);
}

export async function registerScoringWorker(boss: PgBoss, db: Db, options: ScoringWorkerOptions): Promise<void> {
  await boss.work<RunJob>(RUN_SCORE, async (jobs) => {
    for (const job of jobs) {
      const { runId } = RunJob.parse(job.data);
      const progress = await scoreRun(db, runId, { budgetMs: SCORE_BUDGET_MS, signal: options.signal });
      if (options.signal?.aborted) return;
      if (!progress.done) await enqueueScoreRun(boss, runId);
    }
  });
  await boss.work<RunJob>(RUN_EVALUATE, async (jobs) => {
    for (const job of jobs) {
      const { runId } = RunJob.parse(job.data);
      // Loaded on the first evaluation job: it brings TF.js (0.7 s of every start otherwise).
      const { evaluateRun } = await import('@/lib/scoring/evaluate-run');
      const progress = await evaluateRun(db, runId, { budgetMs: EVALUATE_BUDGET_MS, ...options });
      if (options.signal?.aborted) return;
      if (!progress.done) await enqueueEvaluateRun(boss, runId);
    }
  });
  await boss.work<z.infer<typeof RescoreJob>>(RUNS_RESCORE, async (jobs) => {
    for (const job of jobs) {
      const { datasetId } = RescoreJob.parse(job.data);
      for (const run of await runsOfDataset(db, datasetId)) await enqueueScoreRun(boss, run.id);
    }
  });
}
