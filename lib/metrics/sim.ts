/**
 * Similarity (SIM, histogram intersection) between a saliency map and a fixation density map.
 *
 * Paper: Swain & Ballard (1991), "Color indexing", IJCV 7(1) (histogram intersection); as a
 * saliency metric: Judd, Durand & Torralba (2012), "A benchmark of computational models of saliency
 * to predict human fixations", MIT tech report; Bylinskii et al. (2019), IEEE TPAMI 41(3).
 * Reference: pysaliency `metrics.SIM`: each map becomes a density by
 * `convert_saliency_map_to_density(minimum_value=0)` — shift by the minimum only if it is negative,
 * divide by the sum, an all-zero map becomes uniform — and the score is Σ min(p, q), in [0, 1],
 * symmetric.
 * MIT variant (`simMit`, MIT benchmark `similarity.m`): each map is first min-max scaled to [0, 1]
 * and then divided by its sum, so a map's minimum is always moved to 0 (pysaliency only moves a
 * negative minimum). An all-zero map stays zero (score 0 against anything); a constant non-zero map
 * gives 0/0 = NaN in MATLAB, which we refuse with a MetricError instead.
 */
import { checkShapes, checkStatsFinite, densityTransform, pairStats } from '../imaging/normalize';
import { MetricError } from './errors';
import type { Grid, NumericArray } from './types';
import { checkPair } from './validate';

export function sim(saliency: Grid, density: Grid): number {
  checkShapes('sim', saliency, 'saliency', density, 'density');
  const a = saliency.data;
  const b = density.data;
  const [sa, sb] = pairStats(a, b);
  checkStatsFinite('sim', 'saliency', saliency, sa);
  checkStatsFinite('sim', 'density', density, sb);
  const ta = densityTransform(a, sa);
  const tb = densityTransform(b, sb);
  const { shift: as, scale: ak, offset: ao } = ta;
  const { shift: bs, scale: bk, offset: bo } = tb;
  // 2·min(p, q) without a data-dependent branch (random maps mispredict half the time):
  // (p + q − |p − q|)/2, exact when p = q and within an ulp otherwise. Two accumulators over
  // interleaved halves, so the additions are not one dependent chain.
  let total = 0;
  let total1 = 0;
  const n = a.length;
  const even = n - (n % 2);
  for (let i = 0; i < even; i += 2) {
    const p = ((a[i] as number) - as) * ak + ao;
    const q = ((b[i] as number) - bs) * bk + bo;
    const p1 = ((a[i + 1] as number) - as) * ak + ao;
    const q1 = ((b[i + 1] as number) - bs) * bk + bo;
    total += p + q - Math.abs(p - q);
    total1 += p1 + q1 - Math.abs(p1 - q1);
  }
  if (even < n) {
    const p = ((a[even] as number) - as) * ak + ao;
    const q = ((b[even] as number) - bs) * bk + bo;
    total += p + q - Math.abs(p - q);
  }
  return (total + total1) / 2;
}

/** Min and max of a map, for the MIT min-max step. */
function range(data: NumericArray): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/** MIT `similarity.m`: min-max scale, divide by sum, Σ min (see header). */
export function simMit(saliency: Grid, density: Grid): number {
  checkPair('simMit', saliency, 'saliency', density, 'density');
  const maps: Array<{ data: NumericArray; min: number; scale: number; zero: boolean }> = [];
  for (const [name, grid] of [['saliency', saliency], ['density', density]] as const) {
    const { min, max } = range(grid.data);
    const zero = min === 0 && max === 0;
    if (!zero && min === max) throw new MetricError('simMit', name, 'constant non-zero map: MIT similarity.m divides 0 by 0');
    let sum = 0;
    for (let i = 0; i < grid.data.length; i++) sum += ((grid.data[i] as number) - min) / (max - min);
    maps.push({ data: grid.data, min, scale: zero ? 0 : 1 / ((max - min) * sum), zero });
  }
  const [p, q] = maps as [(typeof maps)[number], (typeof maps)[number]];
  let total = 0;
  for (let i = 0; i < p.data.length; i++) {
    const a = ((p.data[i] as number) - p.min) * p.scale;
    const b = ((q.data[i] as number) - q.min) * q.scale;
    total += a + b - Math.abs(a - b);
  }
  return total / 2;
}
