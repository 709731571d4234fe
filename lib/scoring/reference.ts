/**
 * The leaderboard's reference rows for a dataset and modality, per ground-truth version in force:
 *
 *  - ceiling: leave-one-observer-out with every ground-truth metric — the map of the other
 *    observers (their pooled blurred fixations, normalised) is scored like a run's map against the
 *    left-out observer: density metrics vs the left-out's own map, fixation metrics vs the
 *    left-out's fixations, sAUC with the same negatives as runs, IG vs the centre bias; the
 *    image's value is the mean over observers (lib/ground-truth/consistency.ts for the procedure).
 *    Needs σ (maps computed here) and ≥ 2 observers; imported maps have neither a ceiling nor a
 *    consistency entry.
 *  - baselines (lib/ground-truth/baselines.ts), scored exactly as runs are (lib/scoring/suite.ts).
 *    The mean-fixation baseline blurs the image's sAUC negatives with the version's σ, or with
 *    max(W, H)/30 (≈ 1° in MIT300 terms) for an imported map without σ.
 * Plus the version's consistency (LOO and split-half CC/NSS, convergence curve), stored once per
 * version. Only versions without reference rows are computed, like run scores: a version's rows
 * use the other images' fixations in force when it was computed (sAUC negatives, mean-fixation
 * baseline) and are not refreshed when those change — exactly as the runs' scores of that version.
 * One exception, as for runs' sAUC: a version computed while no other image had fixations has no
 * sAUC and no mean-fixation baseline; its rows are computed again once negatives exist.
 */
import type { Db } from '@/db/client';
import { datasetImages } from '@/db/queries/datasets';
import { setConsistency } from '@/db/queries/ground-truth';
import { referenceKinds, upsertReferenceScores, type ReferenceScoreWrite } from '@/db/queries/leaderboard';
import type { Modality } from '@/db/schema';
import { randomMap, uniformMap } from '../ground-truth/baselines';
import { imageConsistencySteps, members, othersMap, weightedSum, type ImageConsistency, type Member } from '../ground-truth/consistency';
import { densityMap } from '../imaging/density-map';
import type { Grid } from '../metrics/types';
import { loadGroundTruth, type VersionInfo } from './context';
import { GROUND_TRUTH_SCORE_METRICS, type GroundTruthScoreMetric } from './metrics';
import { drainAsync, scoreSuiteSteps, type SuiteInput, yieldToEventLoop } from './suite';

export const CEILING_KIND = 'ceiling';
export const BASELINE_KINDS = ['baseline:centre', 'baseline:mean-fixations', 'baseline:uniform', 'baseline:random'] as const;
/** σ of the mean-fixation baseline for imported maps, as a fraction of the long side. */
export const IMPORTED_SIGMA_FRACTION = 1 / 30;

/** The reference rows that need sAUC negatives exist for a version when this baseline does. */
const NEGATIVES_MARKER: (typeof BASELINE_KINDS)[number] = 'baseline:mean-fixations';

/**
 * Whether a version with these stored reference kinds (undefined: none) is to be computed: it has
 * no rows, or it lacks the rows that need negatives while negatives exist now.
 */
export function referencePending(kinds: ReadonlySet<string> | undefined, negativesExist: boolean): boolean {
  return !kinds || (negativesExist && !kinds.has(NEGATIVES_MARKER));
}

function toWrites(densityMapId: string, kind: string, values: Partial<Record<GroundTruthScoreMetric, number>>, detail?: Record<string, unknown>): ReferenceScoreWrite[] {
  return Object.entries(values).map(([metric, value]) => ({ densityMapId, kind, metric, value, detail: detail ?? null }));
}

function normalised(width: number, height: number, data: Float64Array): Grid<Float64Array> {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] as number;
  if (sum > 0) for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) / sum;
  return { width, height, data };
}

/** Mean over observers of each metric they could be scored on (yields between metrics). */
function* ceilingSteps(
  v: VersionInfo,
  list: readonly Member[],
  base: Omit<SuiteInput, 'saliency' | 'density' | 'fixations'>,
): Generator<void, { values: Partial<Record<GroundTruthScoreMetric, number>>; observers: number }, void> {
  if (list.length < 2) return { values: {}, observers: list.length };
  const total = weightedSum(list, v.width * v.height);
  const sums = new Map<GroundTruthScoreMetric, { sum: number; n: number }>();
  for (const member of list) {
    const result = yield* scoreSuiteSteps(
      { ...base, saliency: normalised(v.width, v.height, othersMap(total, member)), density: { width: v.width, height: v.height, data: member.map }, fixations: member.fixations },
      GROUND_TRUTH_SCORE_METRICS,
    );
    for (const [metric, value] of Object.entries(result.values) as [GroundTruthScoreMetric, number][]) {
      const s = sums.get(metric) ?? { sum: 0, n: 0 };
      sums.set(metric, { sum: s.sum + value, n: s.n + 1 });
    }
  }
  return { values: Object.fromEntries([...sums].map(([m, s]) => [m, s.sum / s.n])), observers: list.length };
}

export async function computeReference(db: Db, datasetId: string, modality: Modality): Promise<{ versions: number }> {
  const gt = await loadGroundTruth(db, datasetId, modality);
  const positions = new Map((await datasetImages(db, datasetId)).map((i) => [i.id, i.position]));
  const stored = await referenceKinds(db, [...gt.versions.values()].map((v) => v.id));
  const versions = [...gt.versions.values()]
    .filter((v) => referencePending(stored.get(v.id), gt.pool.negativesFor(v.imageId, v.width, v.height).length > 0))
    .sort((a, b) => (a.imageId < b.imageId ? -1 : 1));
  for (const v of versions) {
    const { width, height } = v;
    const density = await gt.density(v.id);
    const negatives = gt.pool.negativesFor(v.imageId, width, height);
    const centre = gt.centreBias(width, height);
    const base = { negatives, baseline: centre };
    const writes: ReferenceScoreWrite[] = [];
    // Observer maps at the version's σ, shared by the ceiling and the consistency (imported maps have no σ).
    const list = v.sigmaPx === null ? [] : members(v.observers, width, height, v.sigmaPx);
    await yieldToEventLoop();
    const ceiling = await drainAsync(ceilingSteps(v, list, base), yieldToEventLoop);
    writes.push(...toWrites(v.id, CEILING_KIND, ceiling.values, { observers: ceiling.observers }));
    const sigma = v.sigmaPx ?? Math.max(width, height) * IMPORTED_SIGMA_FRACTION;
    const baselines: Record<(typeof BASELINE_KINDS)[number], Grid | null> = {
      'baseline:centre': centre,
      'baseline:mean-fixations': negatives.length > 0 ? densityMap(negatives, width, height, sigma) : null,
      'baseline:uniform': uniformMap(width, height),
      'baseline:random': randomMap(width, height, positions.get(v.imageId) ?? 0),
    };
    for (const kind of BASELINE_KINDS) {
      const saliency = baselines[kind];
      if (!saliency) continue;
      const result = await drainAsync(scoreSuiteSteps({ ...base, saliency, density, fixations: v.fixations }, GROUND_TRUTH_SCORE_METRICS), yieldToEventLoop);
      writes.push(...toWrites(v.id, kind, result.values));
    }
    const consistency: ImageConsistency | null = v.consistency === null && list.length >= 2 ? await drainAsync(imageConsistencySteps(list, width, height), yieldToEventLoop) : null;
    await db.transaction(async (tx) => {
      await upsertReferenceScores(tx, writes);
      if (consistency) await setConsistency(tx, v.id, consistency as unknown as Record<string, unknown>);
    });
  }
  return { versions: versions.length };
}
