/**
 * Spearman's rank correlation ρ between two maps (or any paired values): Pearson's correlation of
 * their ranks (Spearman 1904, "The proof and measurement of association between two things",
 * Am. J. Psychol. 15). Used by the explainer sanity check (Adebayo, Gilmer, Muelly, Goodfellow,
 * Hardt & Kim 2018, "Sanity Checks for Saliency Maps", NeurIPS), which compares a map before and
 * after randomising the model.
 * Reference: scipy `stats.spearmanr` (ties get their average rank, `rankdata(method='average')`).
 * Edge case: if either input is constant, ρ = 0 (scipy returns NaN; the pysaliency rule for CC,
 * as in cc.ts). Ranks and sums in float64; inputs are not modified.
 */
import { MetricError } from './errors';
import type { NumericArray } from './types';

/** Average ranks (1-based) of `values`, ties sharing the mean of their positions. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number));
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end] as number] === values[order[start] as number]) end++;
    const rank = (start + end + 1) / 2; // mean of positions start+1 … end
    for (let k = start; k < end; k++) ranks[order[k] as number] = rank;
    start = end;
  }
  return ranks;
}

function check(argument: string, values: NumericArray): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i] as number)) throw new MetricError('spearman', argument, `non-finite value ${values[i]} at index ${i}`);
  }
}

export function spearman(a: NumericArray, b: NumericArray): number {
  if (a.length !== b.length) throw new MetricError('spearman', 'b', `length ${b.length} does not match a (${a.length})`);
  if (a.length < 2) throw new MetricError('spearman', 'a', `needs at least 2 values, got ${a.length}`);
  check('a', a);
  check('b', b);
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (a.length + 1) / 2; // the mean of any average-rank vector
  let cov = 0;
  let va = 0;
  let vb = 0;
  for (let i = 0; i < ra.length; i++) {
    const da = (ra[i] as number) - mean;
    const db = (rb[i] as number) - mean;
    cov += da * db;
    va += da * da;
    vb += db * db;
  }
  if (va === 0 || vb === 0) return 0;
  return Math.max(-1, Math.min(1, cov / Math.sqrt(va * vb)));
}
