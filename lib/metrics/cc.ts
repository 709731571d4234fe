/**
 * Pearson's linear correlation coefficient (CC, shown as PCC) between a saliency map and a
 * fixation density map.
 *
 * Paper: Le Meur, Le Callet & Barba (2007), "Predicting visual fixations on video based on low-level
 * visual features", Vision Research 47(19); metric survey: Bylinskii, Judd, Oliva, Torralba & Durand
 * (2019), "What do different evaluation metrics tell us about saliency models?", IEEE TPAMI 41(3).
 * Reference: pysaliency `metrics.CC` (matthias-k/pysaliency): both maps standardised, then
 * `np.corrcoef`. Edge case (pysaliency's rule, extended to both arguments): if either map is
 * constant the score is 0.
 * Implementation: two passes in float64 (means, then centred sums) — Σ(a−ā)(b−b̄)/√(Σ(a−ā)²·Σ(b−b̄)²);
 * constancy is tested exactly (all values equal; only checked when the centred sum of squares is
 * at rounding level), not by a std threshold. Values are validated through the first pass's sums
 * (a NaN or ±Infinity makes them non-finite) rather than by a separate pass.
 * MIT benchmark `CC.m` differs only in the edge case (it returns NaN for a constant map, from a
 * 0/0) and in first resizing the saliency map to the fixation map's size (bicubic `imresize`);
 * resize with lib/imaging `resizeBilinear` first if sizes differ. The score is symmetric and
 * invariant to a·x + b with a > 0.
 */
import { checkShapes, isConstant } from '../imaging/normalize';
import { MetricError } from './errors';
import type { Grid } from './types';
import { checkGrid } from './validate';

export function cc(saliency: Grid, density: Grid): number {
  checkShapes('cc', saliency, 'saliency', density, 'density');
  const a = saliency.data;
  const b = density.data;
  const n = a.length;
  let sumA = 0;
  let sumB = 0;
  for (let i = 0; i < n; i++) {
    sumA += a[i] as number;
    sumB += b[i] as number;
  }
  // A NaN or ±Infinity anywhere makes its sum non-finite: report it like checkGrid would.
  for (const [grid, name, sum] of [[saliency, 'saliency', sumA], [density, 'density', sumB]] as const) {
    if (Number.isFinite(sum)) continue;
    checkGrid('cc', name, grid);
    throw new MetricError('cc', name, `the sum of the values overflows (${sum})`);
  }
  const meanA = sumA / n;
  const meanB = sumB / n;
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - meanA;
    const db = (b[i] as number) - meanB;
    ab += da * db;
    aa += da * da;
    bb += db * db;
  }
  // A constant map leaves only the rounding of its mean in aa (or bb); test those cases exactly.
  if (nearlyFlat(aa, meanA, n) && isConstant(a)) return 0;
  if (nearlyFlat(bb, meanB, n) && isConstant(b)) return 0;
  if (aa === 0 || bb === 0) return 0;
  const r = ab / Math.sqrt(aa * bb);
  // Rounding can push |r| a hair past 1 for (anti-)identical maps.
  return Math.max(-1, Math.min(1, r));
}

/**
 * Could Σ(v − mean)² be pure rounding of a constant map? Naive summation of n equal values errs by
 * at most (n − 1)·ε·|v|, so the computed mean is off by at most n·ε·|mean| (doubled for margin).
 */
function nearlyFlat(squares: number, mean: number, n: number): boolean {
  const slack = 2 * n * Number.EPSILON * Math.abs(mean);
  return squares <= n * slack * slack;
}
