/**
 * AUC-Borji: ROC area of the saliency map separating fixated pixels from pixels drawn uniformly at
 * random over the image, averaged over random splits.
 *
 * Paper: Borji, Tavakoli, Sihite & Itti (2013), "Analysis of scores, datasets, and models in
 * visual saliency prediction", ICCV; benchmark form in Bylinskii et al. (2019), IEEE TPAMI.
 * Reference: MIT saliency benchmark `AUC_Borji.m` (cvzoya/saliency, code_forMetrics):
 *  - the map is min-max scaled to [0,1];
 *  - positives: the DISTINCT fixated pixels (the benchmark's binary fixation map);
 *  - per split, as many negatives as positives, drawn uniformly over all pixels WITH replacement
 *    (fixated pixels included), `splits` = 100 splits;
 *  - thresholds 0, step, 2·step, ... up to the largest value of the split's positives and
 *    negatives (MATLAB `0:stepSize:max`, taken from the top), "on" when value >= threshold,
 *    curve padded with (0,0) and (1,1), trapezoid; the score is the mean over splits.
 * Randomness comes from `createRandom(seed)` (lib/random.ts) instead of MATLAB `randi`, so values
 * agree with MATLAB in distribution, not draw for draw. A constant map cannot be scaled: MetricError.
 */
import { MetricError } from './errors';
import { checkFixations, checkGrid, fixationIndex } from './validate';
import type { Grid, Point } from './types';
import { createRandom } from '../random';

export interface AucBorjiOptions {
  readonly seed: number;
  /** Number of random negative sets (MIT default 100). */
  readonly splits?: number;
  /** Threshold step on the [0,1]-scaled map (MIT default 0.1). */
  readonly step?: number;
}

/** Slack for MATLAB's colon operator, which keeps the end point when it is within rounding of it. */
const COLON_TOLERANCE = 1e-10;

export function aucBorji(saliency: Grid, fixations: readonly Point[], options: AucBorjiOptions): number {
  const { seed, splits = 100, step = 0.1 } = options;
  checkGrid('aucBorji', 'saliency', saliency);
  checkFixations('aucBorji', 'fixations', fixations, saliency.width, saliency.height);
  if (!Number.isInteger(splits) || splits < 1) throw new MetricError('aucBorji', 'splits', `must be a positive integer, got ${splits}`);
  if (!(step > 0 && step <= 1)) throw new MetricError('aucBorji', 'step', `must be in (0, 1], got ${step}`);
  if (!Number.isFinite(seed)) throw new MetricError('aucBorji', 'seed', `must be finite, got ${seed}`);

  const { data, width } = saliency;
  const n = data.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (range === 0) throw new MetricError('aucBorji', 'saliency', 'constant map cannot be min-max scaled');
  const scaled = (i: number): number => ((data[i] as number) - min) / range;

  const distinct = [...new Set(fixations.map((p) => fixationIndex(p, width)))];
  const k = distinct.length;
  const positives = Float64Array.from(distinct, scaled);
  let positiveMax = 0;
  for (const v of positives) if (v > positiveMax) positiveMax = v;

  const random = createRandom(seed);
  const negatives = new Float64Array(k);
  let total = 0;
  for (let s = 0; s < splits; s++) {
    let top = positiveMax;
    for (let i = 0; i < k; i++) {
      const v = scaled(random.int(n));
      negatives[i] = v;
      if (v > top) top = v;
    }
    const levels = Math.floor(top / step + COLON_TOLERANCE);
    let area = 0;
    let tpPrevious = 0;
    let fpPrevious = 0;
    for (let level = levels; level >= 0; level--) {
      const threshold = level * step;
      let tp = 0;
      let fp = 0;
      for (let i = 0; i < k; i++) {
        if ((positives[i] as number) >= threshold) tp++;
        if ((negatives[i] as number) >= threshold) fp++;
      }
      area += ((fp / k - fpPrevious) * (tp / k + tpPrevious)) / 2;
      tpPrevious = tp / k;
      fpPrevious = fp / k;
    }
    total += area + ((1 - fpPrevious) * (1 + tpPrevious)) / 2;
  }
  return total / splits;
}
