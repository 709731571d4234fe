/**
 * Information gain (IG) of a saliency map over a baseline map, in bits per fixated pixel.
 *
 * Paper: Kümmerer, Wallis & Bethge (2015), "Information-theoretic model comparison unifies
 * saliency metrics", PNAS 112(52); benchmark form in Bylinskii et al. (2019), IEEE TPAMI.
 * Reference: MIT saliency benchmark `InfoGain.m` (cvzoya/saliency, code_forMetrics):
 *  - both maps min-max scaled to [0,1], then divided by their sum;
 *  - mean over the DISTINCT fixated pixels (the benchmark's binary fixation map) of
 *    log2(eps + S) - log2(eps + B), eps = MATLAB `eps` written as 2.2204e-16 (INFO_GAIN_EPS).
 * A constant map cannot be min-max scaled (MATLAB yields NaN): MetricError instead.
 * Variant: Kümmerer et al.'s probabilistic IG uses model log-densities and counts every fixation
 * (pysaliency `information_gain`); this is the MIT map-based variant the leaderboards report.
 */
import { MetricError } from './errors';
import { checkFixations, checkPair, fixationIndex } from './validate';
import type { Grid, Point } from './types';

/**
 * MATLAB `eps` rounded to 5 digits, as the Python ports of InfoGain.m write it and as the
 * reference table was computed (tests/fixtures). The exact 2^-52 moves a score by ~1e-6 whenever a
 * fixated pixel is 0 in either scaled map (the ties-blocky reference case detects the difference).
 */
export const INFO_GAIN_EPS = 2.2204e-16;

/** Min-max scale then divide by the sum; returns the factors so no copy of the map is made. */
function scaling(metric: string, argument: string, grid: Grid): { min: number; range: number; sum: number } {
  const { data } = grid;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const range = max - min;
  if (range === 0) throw new MetricError(metric, argument, 'constant map cannot be min-max scaled');
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += ((data[i] as number) - min) / range;
  return { min, range, sum };
}

export function infoGain(saliency: Grid, baseline: Grid, fixations: readonly Point[]): number {
  checkPair('infoGain', saliency, 'saliency', baseline, 'baseline');
  checkFixations('infoGain', 'fixations', fixations, saliency.width, saliency.height);
  const s = scaling('infoGain', 'saliency', saliency);
  const b = scaling('infoGain', 'baseline', baseline);
  const seen = new Set<number>();
  let total = 0;
  for (const p of fixations) {
    const index = fixationIndex(p, saliency.width);
    if (seen.has(index)) continue;
    seen.add(index);
    const sv = ((saliency.data[index] as number) - s.min) / s.range / s.sum;
    const bv = ((baseline.data[index] as number) - b.min) / b.range / b.sum;
    total += Math.log2(INFO_GAIN_EPS + sv) - Math.log2(INFO_GAIN_EPS + bv);
  }
  return total / seen.size;
}
