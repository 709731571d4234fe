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
import { checkFixations, checkGrid, fixationIndex } from './validate';
import type { Grid, Point } from './types';

function nssWithDdof(metric: string, saliency: Grid, fixations: readonly Point[], ddof: 0 | 1): number {
  checkGrid(metric, 'saliency', saliency);
  checkFixations(metric, 'fixations', fixations, saliency.width, saliency.height);
  const { data, width } = saliency;
  const n = data.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += data[i] as number;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = (data[i] as number) - mean;
    squares += d * d;
  }
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
