/**
 * Kullback–Leibler divergence KL(density ‖ saliency) of the fixation density from the saliency map,
 * both read as probability distributions. Lower is better; 0 for identical maps (up to eps).
 *
 * Paper: Kullback & Leibler (1951), "On information and sufficiency", Ann. Math. Stat. 22(1); as a
 * saliency metric: Bylinskii et al. (2019), IEEE TPAMI 41(3).
 * Reference: pysaliency `metrics.MIT_KLDiv(saliency_map, density)`: both maps to densities as for
 * SIM (`convert_saliency_map_to_density(minimum_value=0)`: shift by the minimum only if negative,
 * divide by the sum, all-zero → uniform), then Σ q·log(eps + q/(p + eps)) with q the density and
 * p the saliency distribution, natural log, eps = 2.2204e-16 (pysaliency's rounded constant, used
 * both inside the log and in the quotient). Terms with q = 0 are exactly 0.
 * MIT variant (`kldMit`, MIT benchmark `KLdiv.m`): no shift by the minimum (a map with negative
 * values is refused here; MATLAB would return NaN or complex), an all-zero map stays zero, and eps is
 * MATLAB's `eps` = 2^-52 = 2.220446049250313e-16, not the rounded 2.2204e-16. MATLAB also resizes the
 * saliency map to the fixation map's size first (bicubic); we require equal sizes.
 */
import { checkShapes, checkStatsFinite, densityTransform, pairStats } from '../imaging/normalize';
import { MetricError } from './errors';
import { WEIGHTED_LOG_BLOCK, weightedLogSum } from './fast-log';
import type { Grid, NumericArray } from './types';
import { checkPair } from './validate';

/** pysaliency `MIT_KLDiv` regularisation (log_regularization = quotient_regularization). */
export const PYSALIENCY_KLD_EPS = 2.2204e-16;
/** MATLAB `eps` (2^-52), used by the MIT benchmark's KLdiv.m. */
export const MATLAB_EPS = 2 ** -52;

type Affine = { shift: number; scale: number; offset: number };

/**
 * Σ q·log(eps + q/(p + eps)) with p, q the affine images of the raw maps (scalars hoisted); terms
 * with q = 0 are skipped, and the logarithms go through weightedLogSum (lib/metrics/fast-log.ts,
 * within 1e-15 of Math.log, about 3× faster).
 */
function klSum(p: NumericArray, tp: Affine, q: NumericArray, tq: Affine, eps: number): number {
  const { shift: ps, scale: pk, offset: po } = tp;
  const { shift: qs, scale: qk, offset: qo } = tq;
  const n = q.length;
  return weightedLogSum((ratios, weights, start) => {
    let written = 0;
    let i = start;
    for (; i < n && written < WEIGHTED_LOG_BLOCK; i++) {
      const qi = ((q[i] as number) - qs) * qk + qo;
      if (qi === 0) continue;
      const pi = ((p[i] as number) - ps) * pk + po;
      ratios[written] = eps + qi / (pi + eps);
      weights[written] = qi;
      written++;
    }
    return [written, i];
  });
}

/** pysaliency MIT_KLDiv convention (see header). */
export function kld(saliency: Grid, density: Grid): number {
  checkShapes('kld', saliency, 'saliency', density, 'density');
  const [sp, sq] = pairStats(saliency.data, density.data);
  checkStatsFinite('kld', 'saliency', saliency, sp);
  checkStatsFinite('kld', 'density', density, sq);
  const tp = densityTransform(saliency.data, sp);
  const tq = densityTransform(density.data, sq);
  return klSum(saliency.data, tp, density.data, tq, PYSALIENCY_KLD_EPS);
}

function mitScale(name: string, data: NumericArray): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < 0) throw new MetricError('kldMit', name, `negative value ${v} at index ${i}: KLdiv.m needs non-negative maps`);
    sum += v;
  }
  return sum === 0 ? 1 : 1 / sum;
}

/** MIT benchmark KLdiv.m convention (see header). */
export function kldMit(saliency: Grid, density: Grid): number {
  checkPair('kldMit', saliency, 'saliency', density, 'density');
  const tp = { shift: 0, scale: mitScale('saliency', saliency.data), offset: 0 };
  const tq = { shift: 0, scale: mitScale('density', density.data), offset: 0 };
  return klSum(saliency.data, tp, density.data, tq, MATLAB_EPS);
}
