/**
 * Normalised area under a score curve sampled on a uniform grid over [0, 1] (trapezoid rule).
 *
 * Paper: Petsiuk, Das & Saenko (2018), "RISE: Randomized input sampling for explanation of
 * black-box models", BMVC — the insertion and deletion AUC.
 * Reference: RISE `evaluation.auc(arr)` (eclique/RISE): (Σ s − s₀/2 − s_last/2) / (n − 1) for n
 * scores, i.e. the trapezoid area with step 1/(n − 1). Needs at least two scores.
 */
import { MetricError } from './errors';

export function curveAuc(scores: ArrayLike<number>): number {
  const n = scores.length;
  if (n < 2) throw new MetricError('curveAuc', 'scores', `needs at least 2 scores, got ${n}`);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const s = scores[i] as number;
    if (!Number.isFinite(s)) throw new MetricError('curveAuc', 'scores', `non-finite score ${s} at index ${i}`);
    sum += s;
  }
  return (sum - (scores[0] as number) / 2 - (scores[n - 1] as number) / 2) / (n - 1);
}
