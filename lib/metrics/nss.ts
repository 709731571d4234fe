/**
 * Normalized Scanpath Saliency (NSS).
 *
 * Paper: Peters, Iyer, Itti & Koch (2005), "Components of bottom-up gaze allocation in natural
 * images", Vision Research 45(18).
 * Reference: pysaliency `metrics.NSS` (matthias-k/pysaliency): the saliency map is z-scored with
 * the POPULATION standard deviation (numpy `std`, ddof 0) and the score is the mean of the
 * z-scores at the fixations, every fixation counted (duplicates included).
 * Edge case (pysaliency's rule): a constant map has std 0; pysaliency then skips the division and
 * the centred values are all 0, so NSS is 0.
 * Variant: the MIT saliency benchmark `NSS.m` uses MATLAB `std` (N-1) and only the distinct
 * fixated pixels of a binary fixation map; `nssMit` keeps the N-1 std but, like `nss`, counts every
 * fixation — pass distinct fixations to reproduce MIT exactly.
 */
import { MetricError } from './errors';
import { checkFixations, checkGrid, checkShape, fixationIndex } from './validate';
import type { Grid, Point } from './types';

/**
 * Σ values and Σ (v − mean)² in two passes (numpy's two-pass variance), each with four
 * accumulators so V8 is not held up by one chain of dependent additions. Non-finite values show
 * as a non-finite sum, so checkGrid's separate value pass only runs to name the bad value.
 */
function meanAndSquares(metric: string, saliency: Grid): { mean: number; squares: number } {
  const { data } = saliency;
  const n = data.length;
  const tail = n - (n % 4);
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < tail; i += 4) {
    s0 += data[i] as number;
    s1 += data[i + 1] as number;
    s2 += data[i + 2] as number;
    s3 += data[i + 3] as number;
  }
  for (let i = tail; i < n; i++) s0 += data[i] as number;
  const sum = s0 + s1 + (s2 + s3);
  if (!Number.isFinite(sum)) {
    checkGrid(metric, 'saliency', saliency);
    throw new MetricError(metric, 'saliency', `the sum of the values overflows (${sum})`);
  }
  const mean = sum / n;
  let q0 = 0;
  let q1 = 0;
  let q2 = 0;
  let q3 = 0;
  for (let i = 0; i < tail; i += 4) {
    const d0 = (data[i] as number) - mean;
    const d1 = (data[i + 1] as number) - mean;
    const d2 = (data[i + 2] as number) - mean;
    const d3 = (data[i + 3] as number) - mean;
    q0 += d0 * d0;
    q1 += d1 * d1;
    q2 += d2 * d2;
    q3 += d3 * d3;
  }
  for (let i = tail; i < n; i++) {
    const d = (data[i] as number) - mean;
    q0 += d * d;
  }
  return { mean, squares: q0 + q1 + (q2 + q3) };
}

function nssWithDdof(metric: string, saliency: Grid, fixations: readonly Point[], ddof: 0 | 1): number {
  checkShape(metric, 'saliency', saliency);
  checkFixations(metric, 'fixations', fixations, saliency.width, saliency.height);
  const { data, width } = saliency;
  const n = data.length;
  const { mean, squares } = meanAndSquares(metric, saliency);
  const denominator = n - ddof;
  const std = denominator > 0 ? Math.sqrt(squares / denominator) : 0;
  if (std === 0) return 0;
  let total = 0;
  for (const p of fixations) total += ((data[fixationIndex(p, width)] as number) - mean) / std;
  return total / fixations.length;
}

/** NSS as pysaliency: population std, mean over all fixations (duplicates counted). */
export function nss(saliency: Grid, fixations: readonly Point[]): number {
  return nssWithDdof('nss', saliency, fixations, 0);
}

/** NSS with the MIT benchmark's sample std (N-1); fixations as given (pass distinct ones for MIT). */
export function nssMit(saliency: Grid, fixations: readonly Point[]): number {
  return nssWithDdof('nssMit', saliency, fixations, 1);
}
