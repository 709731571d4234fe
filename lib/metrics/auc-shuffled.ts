/**
 * Shuffled AUC (sAUC): ROC area of the saliency map separating this image's fixations from the
 * fixations of other images, which cancels the centre bias shared by both sets.
 *
 * Paper: Zhang, Tong, Marks, Shan & Cottrell (2008), "SUN: A Bayesian framework for saliency using
 * natural statistics", Journal of Vision 8(7); Borji, Sihite & Itti (2013), IEEE TIP.
 * Reference: pysaliency `general_roc(positives, negatives, judd=0)` (matthias-k/pysaliency,
 * roc_cython.pyx), the kernel of `SaliencyMapModel.AUC(nonfixations='shuffled')`.
 * Conventions:
 *  - positives: saliency at every fixation; negatives: saliency at every negative fixation;
 *    duplicates counted in both;
 *  - thresholds: every value of either set; "on" when value >= threshold; trapezoid from (0,0)
 *    to (1,1). Ties between a positive and a negative therefore count one half.
 *  - negatives recorded on an image of another size are rescaled as pysaliency does:
 *    x' = floor(x * width / otherWidth), y' likewise.
 * Variant: the MIT `AUC_shuffled.m` samples the negatives in 100 random splits and uses 0.1-step
 * thresholds; this is the exact, deterministic pysaliency version.
 */
import { MetricError } from './errors';
import { checkFixations, checkGrid, fixationIndex } from './validate';
import type { Grid, Point } from './types';

export interface AucShuffledOptions {
  /** Size of the image the negative fixations were recorded on, when it differs from this one. */
  readonly negativeSize?: { readonly width: number; readonly height: number };
}

/**
 * ROC area for two samples of scores, thresholds at every value (pysaliency general_roc, judd=0).
 * Exported for other fixation-based AUCs; both arrays are sorted in place.
 */
export function rocAreaAllThresholds(positives: Float64Array, negatives: Float64Array): number {
  positives.sort();
  negatives.sort();
  const p = positives.length;
  const q = negatives.length;
  let i = p - 1; // next positive (descending) not yet counted
  let j = q - 1;
  let area = 0;
  let tpPrevious = 0;
  let fpPrevious = 0;
  while (i >= 0 || j >= 0) {
    const a = i >= 0 ? (positives[i] as number) : -Infinity;
    const b = j >= 0 ? (negatives[j] as number) : -Infinity;
    const t = a > b ? a : b;
    while (i >= 0 && (positives[i] as number) >= t) i--;
    while (j >= 0 && (negatives[j] as number) >= t) j--;
    const tp = (p - 1 - i) / p;
    const fp = (q - 1 - j) / q;
    area += ((fp - fpPrevious) * (tp + tpPrevious)) / 2;
    tpPrevious = tp;
    fpPrevious = fp;
  }
  return area;
}

export function aucShuffled(
  saliency: Grid,
  fixations: readonly Point[],
  negativeFixations: readonly Point[],
  options: AucShuffledOptions = {},
): number {
  checkGrid('aucShuffled', 'saliency', saliency);
  const { width, height, data } = saliency;
  checkFixations('aucShuffled', 'fixations', fixations, width, height);
  const size = options.negativeSize ?? { width, height };
  if (!Number.isInteger(size.width) || !Number.isInteger(size.height) || size.width <= 0 || size.height <= 0) {
    throw new MetricError('aucShuffled', 'negativeSize', `size must be positive integers, got ${size.width}x${size.height}`);
  }
  checkFixations('aucShuffled', 'negativeFixations', negativeFixations, size.width, size.height);

  const positives = new Float64Array(fixations.length);
  for (let i = 0; i < fixations.length; i++) positives[i] = data[fixationIndex(fixations[i] as Point, width)] as number;
  const negatives = new Float64Array(negativeFixations.length);
  const sx = width / size.width;
  const sy = height / size.height;
  for (let i = 0; i < negativeFixations.length; i++) {
    const p = negativeFixations[i] as Point;
    const x = Math.min(width - 1, Math.floor(p.x * sx));
    const y = Math.min(height - 1, Math.floor(p.y * sy));
    negatives[i] = data[y * width + x] as number;
  }
  return rocAreaAllThresholds(positives, negatives);
}
