/**
 * AUC-Judd: area under the ROC curve of the saliency map as a classifier of fixated pixels.
 *
 * Paper: Judd, Ehinger, Durand & Torralba (2009), "Learning to predict where humans look", ICCV;
 * metric as in Bylinskii et al. (2019), "What do different evaluation metrics tell us about
 * saliency models?", IEEE TPAMI.
 * Reference: pysaliency `SaliencyMapModel.AUC_Judd(jitter=False)` = `general_roc(positives,
 * negatives, judd=1)` with `nonfixations='unfixated'` (matthias-k/pysaliency, roc_cython.pyx).
 * Conventions:
 *  - positives: saliency at every fixation, duplicates counted;
 *  - negatives: saliency at every pixel that no fixation falls on (each pixel once);
 *  - thresholds: the positive values (duplicates give repeated, zero-area points), preceded by one
 *    above every value and followed by the minimum, so the curve runs from (0,0) to (1,1); a pixel
 *    is "on" at threshold t when its value is >= t; trapezoid rule over the points.
 *  - no jitter: ties are kept as ties (the MIT `AUC_Judd.m` adds 1e-7 uniform noise by default,
 *    and uses the distinct fixated pixels as positives; pysaliency without jitter is the reference).
 * Speed: one sort of the k positive values; every negative is placed among the thresholds by a
 * binary search (O(N log k)), so there is no pass over the map per threshold.
 */
import { MetricError } from './errors';
import { checkFixations, checkGrid, fixationIndex } from './validate';
import type { Grid, Point } from './types';

/** Largest index i in the ascending array with sorted[i] <= v, plus one (count of values <= v). */
function countAtMost(sorted: Float64Array, v: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function aucJudd(saliency: Grid, fixations: readonly Point[]): number {
  checkGrid('aucJudd', 'saliency', saliency);
  checkFixations('aucJudd', 'fixations', fixations, saliency.width, saliency.height);
  const { data, width } = saliency;
  const n = data.length;
  const k = fixations.length;

  const fixated = new Uint8Array(n);
  const positives = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const index = fixationIndex(fixations[i] as Point, width);
    fixated[index] = 1;
    positives[i] = data[index] as number;
  }
  positives.sort(); // ascending; thresholds are read from the top down

  // atOrAbove[j] = number of negatives >= the j-th threshold (thresholds descending), built from a
  // histogram of how many ascending positives each negative is >= to.
  const histogram = new Float64Array(k + 1);
  let negativeCount = 0;
  for (let i = 0; i < n; i++) {
    if (fixated[i] === 1) continue;
    negativeCount++;
    const slot = countAtMost(positives, data[i] as number);
    histogram[slot] = (histogram[slot] as number) + 1;
  }
  if (negativeCount === 0) {
    throw new MetricError('aucJudd', 'fixations', 'every pixel is fixated, so there are no negatives');
  }

  // Walk thresholds from the largest positive down. For the threshold at ascending index a,
  // negatives >= it are those whose countAtMost is > a, i.e. histogram buckets a+1..k.
  let area = 0;
  let previousTp = 0;
  let previousFp = 0;
  let negativesAbove = 0;
  let bucket = k; // next histogram bucket to add
  for (let a = k - 1; a >= 0; ) {
    const t = positives[a] as number;
    // Positives >= t: all with ascending index >= the first index of value t. Repeated thresholds
    // give repeated points (zero area), so each distinct value is visited once.
    let first = a;
    while (first > 0 && (positives[first - 1] as number) === t) first--;
    while (bucket > first) negativesAbove += histogram[bucket--] as number;
    const tp = (k - first) / k;
    const fp = negativesAbove / negativeCount;
    area += ((fp - previousFp) * (tp + previousTp)) / 2;
    previousTp = tp;
    previousFp = fp;
    a = first - 1;
  }
  area += ((1 - previousFp) * (1 + previousTp)) / 2;
  return area;
}
