/**
 * Scoring a run against ground truth: every saliency map of the run × the version in force of its
 * image's density map for each modality (the run's, or every modality the dataset has) × every
 * ground-truth metric (lib/scoring/suite.ts conventions). Only what is not yet settled (scored or
 * failed) is computed, and each image's scores are written in one transaction with ON CONFLICT DO
 * NOTHING: running the job twice, or two workers at once, or resuming after a killed worker stores
 * every score exactly once. A score refers to the one version it was computed against.
 *
 * One failure is retried: sAUC of an image whose dataset had no other fixated image when it was
 * scored (no negatives). Its own version does not change when the other images get ground truth,
 * so the next scoring of the run (a rescore follows every ground-truth change) computes it once
 * negatives exist and replaces the failure by the score in the same transaction.
 */
import type { Db } from '@/db/client';
import { currentDensityMaps, groundTruthModalities } from '@/db/queries/ground-truth';
import {
  deleteFailure,
  getRunContext,
  insertFailures,
  insertScores,
  runMapIndex,
  saliencyMapFor,
  scoreKey,
  scoreKeySets,
  setRunStatus,
  settledKeys,
  type FailureWrite,
  type ScoreWrite,
} from '@/db/queries/runs';
import type { Modality } from '@/db/schema';
import type { Grid } from '@/lib/metrics/types';
import { inputMapInImageFrame } from '@/lib/models/preprocess';
import { loadGroundTruth } from './context';
import { GROUND_TRUTH_SCORE_METRICS, type GroundTruthScoreMetric } from './metrics';
import { drainAsync, scoreSuiteSteps, yieldToEventLoop } from './suite';

export interface BudgetOptions {
  /** Stop after this much work and report `done: false` (the job re-enqueues itself). */
  readonly budgetMs?: number;
  /**
   * Aborted when the worker is stopping: stop before the next image and report `done: false`
   * (what was stored stays; the next start enqueues the run's remaining work again).
   */
  readonly signal?: AbortSignal;
}

export interface JobProgress {
  readonly done: boolean;
  readonly stored: number;
  readonly failed: number;
}

export function runMetrics(run: { scoreEmd: boolean }): GroundTruthScoreMetric[] {
  return [...GROUND_TRUTH_SCORE_METRICS, ...(run.scoreEmd ? (['emd'] as const) : [])];
}

export async function runModalities(db: Db, run: { datasetId: string; modality: Modality | null }): Promise<Modality[]> {
  return run.modality ? [run.modality] : groundTruthModalities(db, run.datasetId);
}

export async function scoreRun(db: Db, runId: string, options: BudgetOptions = {}): Promise<JobProgress> {
  const started = Date.now();
  const context = await getRunContext(db, runId);
  if (!context) return { done: true, stored: 0, failed: 0 };
  const { run, model } = context;
  // A map at the input size of a model whose preset crops (Teachable Machine's centre crop) covers
  // the crop only: put it where the crop came from (preprocess.ts). Other maps go to the suite as sent.
  const inImageFrame = (grid: Grid, width: number, height: number): Grid =>
    model.preprocessing === 'teachable-machine' && grid.width === model.inputWidth && grid.height === model.inputHeight
      ? inputMapInImageFrame(grid, 'teachable-machine', width, height)
      : grid;
  const metrics = runMetrics(run);
  const maps = (await runMapIndex(db, runId)).sort((a, b) => (a.imageId < b.imageId ? -1 : 1));
  const { scored, failed: failedKeys } = await scoreKeySets(db, runId);
  const settled = new Set([...scored, ...failedKeys]);
  let stored = 0;
  let failed = 0;
  for (const modality of await runModalities(db, run)) {
    const gt = await loadGroundTruth(db, run.datasetId, modality);
    for (const map of maps) {
      const version = gt.versions.get(map.imageId);
      if (!version) continue;
      const negatives = gt.pool.negativesFor(map.imageId, version.width, version.height);
      const shuffledKey = scoreKey(map.imageId, 'aucShuffled', version.id);
      // sAUC that failed for want of negatives (the first image to get fixations) is retried once
      // other images have some; one that failed because this image has no fixations is not.
      const retryShuffled = negatives.length > 0 && version.fixations.length > 0 && failedKeys.has(shuffledKey) && !scored.has(shuffledKey);
      const missing = metrics.filter((m) => !settled.has(scoreKey(map.imageId, m, version.id)) || (m === 'aucShuffled' && retryShuffled));
      if (missing.length === 0) continue;
      if (options.signal?.aborted || (options.budgetMs !== undefined && Date.now() - started > options.budgetMs)) return { done: false, stored, failed };
      const saliency = await saliencyMapFor(db, runId, map.imageId);
      if (!saliency) continue;
      // One metric at a time with a turn for the event loop in between: a worker inside the web
      // process must not stall its HTTP requests.
      const result = await drainAsync(
        scoreSuiteSteps(
          {
            saliency: inImageFrame(saliency.grid, version.width, version.height),
            density: await gt.density(version.id),
            fixations: version.fixations,
            negatives,
            baseline: gt.centreBias(version.width, version.height),
          },
          missing,
        ),
        yieldToEventLoop,
      );
      const values: ScoreWrite[] = Object.entries(result.values).map(([metric, value]) => ({ imageId: map.imageId, metric, densityMapId: version.id, value }));
      const failures: FailureWrite[] = Object.entries(result.failures).map(([metric, message]) => ({ imageId: map.imageId, metric, densityMapId: version.id, message }));
      await db.transaction(async (tx) => {
        if (retryShuffled && result.values.aucShuffled !== undefined) await deleteFailure(tx, runId, { imageId: map.imageId, metric: 'aucShuffled', densityMapId: version.id });
        await insertScores(tx, runId, values);
        await insertFailures(tx, runId, failures);
      });
      stored += values.length;
      failed += failures.length;
      for (const m of missing) settled.add(scoreKey(map.imageId, m, version.id));
    }
  }
  await refreshRunStatus(db, runId);
  return { done: true, stored, failed };
}

/**
 * 'complete' when every map is settled for every metric against every version in force (and every
 * requested evaluation metric), 'running' while something is missing, 'pending' without maps.
 */
export async function refreshRunStatus(db: Db, runId: string): Promise<void> {
  const context = await getRunContext(db, runId);
  if (!context) return;
  const { run } = context;
  const maps = await runMapIndex(db, runId);
  if (maps.length === 0) {
    await setRunStatus(db, runId, 'pending');
    return;
  }
  const settled = await settledKeys(db, runId);
  const metrics = runMetrics(run);
  let complete = true;
  for (const modality of await runModalities(db, run)) {
    const versions = new Map((await currentDensityMaps(db, run.datasetId, modality)).map((v) => [v.imageId, v.id]));
    for (const map of maps) {
      const id = versions.get(map.imageId);
      if (id && metrics.some((m) => !settled.has(scoreKey(map.imageId, m, id)))) complete = false;
    }
  }
  for (const map of maps) for (const m of run.evaluateWithoutGroundTruth) if (!settled.has(scoreKey(map.imageId, m, null))) complete = false;
  const status = complete ? 'complete' : 'running';
  if (run.status !== status) await setRunStatus(db, runId, status);
}
