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
 * Speed: one sort of the k positive values, no sort of the map and no pass per threshold. Each
 * negative is placed among the distinct thresholds through a bucket table (a monotone affine map of
 * the value, so whole buckets are known to lie below or above it); only thresholds inside its own
 * bucket are compared, by a short scan or, for crowded buckets, a binary search. Exact, O(N) on
 * average, and without the unpredictable branches of a binary search per pixel.
 */
import { MetricError } from './errors';
import { checkFixations, checkGrid, fixationIndex } from './validate';
import type { Grid, Point } from './types';

/** Number of values <= v among sorted[from..to), plus `from` (a count over the whole array). */
function countAtMost(sorted: Float64Array, from: number, to: number, v: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Buckets per distinct threshold in the lookup table, and the table's largest size. */
const BUCKETS_PER_THRESHOLD = 64;
const MAX_BUCKETS = 1 << 20;
/** Above this many thresholds in one bucket, binary search instead of a linear scan. */
const LINEAR_SCAN_LIMIT = 8;

interface ThresholdTable {
  /** Distinct thresholds, ascending. */
  readonly distinct: Float64Array;
  readonly lowest: number;
  readonly highest: number;
  readonly buckets: number;
  readonly scale: number;
  /** False for a single threshold or a range whose scale over/underflows: binary search only. */
  readonly useTable: boolean;
  /** firstIn[b]: thresholds in buckets before b. */
  readonly firstIn: Int32Array;
}

function thresholdTable(distinct: Float64Array): ThresholdTable {
  const m = distinct.length;
  const lowest = distinct[0] as number;
  const highest = distinct[m - 1] as number;
  const buckets = Math.min(MAX_BUCKETS, Math.max(16, BUCKETS_PER_THRESHOLD * m));
  const scale = buckets / (highest - lowest);
  const useTable = m > 1 && Number.isFinite(scale) && scale > 0;
  const firstIn = new Int32Array(buckets + 1);
  if (useTable) {
    for (let j = 0; j < m; j++) {
      // Same bucket map as in `rank` (truncation = floor for values >= lowest).
      const b = Math.min(buckets - 1, (((distinct[j] as number) - lowest) * scale) | 0) + 1;
      firstIn[b] = (firstIn[b] as number) + 1;
    }
    for (let b = 0; b < buckets; b++) firstIn[b + 1] = (firstIn[b + 1] as number) + (firstIn[b] as number);
  }
  return { distinct, lowest, highest, buckets, scale, useTable, firstIn };
}

/** Number of thresholds <= v. */
function rank(t: ThresholdTable, v: number): number {
  const m = t.distinct.length;
  if (v < t.lowest) return 0;
  if (v >= t.highest) return m;
  if (!t.useTable) return countAtMost(t.distinct, 0, m, v);
  // Thresholds in earlier buckets are < v and in later ones > v (the bucket map is monotone).
  // v >= lowest, so truncation is floor; buckets <= 2^20 keeps it inside int32.
  let b = ((v - t.lowest) * t.scale) | 0;
  if (b >= t.buckets) b = t.buckets - 1;
  let j = t.firstIn[b] as number;
  const end = t.firstIn[b + 1] as number;
  if (end - j > LINEAR_SCAN_LIMIT) return countAtMost(t.distinct, j, end, v);
  while (j < end && (t.distinct[j] as number) <= v) j++;
  return j;
}

export function aucJudd(saliency: Grid, fixations: readonly Point[]): number {
  checkGrid('aucJudd', 'saliency', saliency);
  checkFixations('aucJudd', 'fixations', fixations, saliency.width, saliency.height);
  const { data, width } = saliency;
  const n = data.length;
  const k = fixations.length;

  const positives = new Float64Array(k);
  const fixatedPixels = new Set<number>();
  for (let i = 0; i < k; i++) {
    const index = fixationIndex(fixations[i] as Point, width);
    fixatedPixels.add(index);
    positives[i] = data[index] as number;
  }
  const negativeCount = n - fixatedPixels.size;
  if (negativeCount === 0) {
    throw new MetricError('aucJudd', 'fixations', 'every pixel is fixated, so there are no negatives');
  }
  positives.sort();
  // Distinct thresholds, ascending, and how many positives are >= each (repeated thresholds only
  // repeat a point of the curve, so they add no area).
  const thresholds: number[] = [];
  const positivesAtLeast: number[] = [];
  for (let i = 0; i < k; i++) {
    if (i === 0 || positives[i] !== positives[i - 1]) {
      thresholds.push(positives[i] as number);
      positivesAtLeast.push(k - i);
    }
  }
  const table = thresholdTable(Float64Array.from(thresholds));
  const m = thresholds.length;

  // histogram[j]: negatives v with exactly j thresholds <= v. Every pixel is counted, then the
  // fixated ones are taken out again, which keeps a membership test out of the loop over the map.
  const histogram = new Float64Array(m + 1);
  for (let i = 0; i < n; i++) {
    const j = rank(table, data[i] as number);
    histogram[j] = (histogram[j] as number) + 1;
  }
  for (const index of fixatedPixels) {
    const j = rank(table, data[index] as number);
    histogram[j] = (histogram[j] as number) - 1;
  }

  // Thresholds from the highest down; negatives >= threshold a are those with more than a
  // thresholds <= them. The curve starts at (0,0) and is closed at (1,1) by the minimum threshold.
  let area = 0;
  let previousTp = 0;
  let previousFp = 0;
  let negativesAbove = 0;
  for (let a = m - 1; a >= 0; a--) {
    negativesAbove += histogram[a + 1] as number;
    const tp = (positivesAtLeast[a] as number) / k;
    const fp = negativesAbove / negativeCount;
    area += ((fp - previousFp) * (tp + previousTp)) / 2;
    previousTp = tp;
    previousFp = fp;
  }
  area += ((1 - previousFp) * (1 + previousTp)) / 2;
  return area;
}
