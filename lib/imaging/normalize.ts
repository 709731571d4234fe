/**
 * Map normalisations. Each returns a new Float64 grid; inputs are never modified.
 *
 * - `normalizeMinMax`: (v − min)/(max − min); a constant map becomes all zeros (the rule the
 *   reference SSIM uses, and what keeps a flat explanation from scoring by accident).
 * - `normalizeSum`: v / Σv; a map summing to 0 cannot be a distribution and throws.
 * - `normalizeZScore`: (v − mean)/std with the population std (ddof 0, numpy's default, as in
 *   pysaliency NSS); a constant map becomes all zeros.
 * - `toDensity`: pysaliency `convert_saliency_map_to_density(minimum_value=0)`: shift by the
 *   minimum only if it is negative, divide by the sum; an all-zero map becomes uniform. SIM, KLD and
 *   EMD read their inputs this way.
 * The `*Values` variants work on raw arrays without validation, for metrics that have already
 * checked their inputs and must not pay for a second pass.
 */
import { MetricError } from '../metrics/errors';
import type { Grid, NumericArray } from '../metrics/types';
import { checkGrid } from '../metrics/validate';

/** True when every value equals the first (exact comparison). */
export function isConstant(data: NumericArray): boolean {
  const first = data[0] as number;
  for (let i = 1; i < data.length; i++) if (data[i] !== first) return false;
  return true;
}

export function minMaxValues(data: NumericArray): Float64Array {
  const n = data.length;
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = data[i] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const out = new Float64Array(n);
  if (max === min) return out;
  const range = max - min;
  for (let i = 0; i < n; i++) out[i] = ((data[i] as number) - min) / range;
  return out;
}

/** Shift (only if min < 0) and scale of pysaliency's density conversion: density = (v − shift)·scale. */
export function densityTransform(data: NumericArray): { shift: number; scale: number; uniform: boolean } {
  const n = data.length;
  let min = Infinity;
  for (let i = 0; i < n; i++) if ((data[i] as number) < min) min = data[i] as number;
  const shift = min < 0 ? min : 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += (data[i] as number) - shift;
  if (sum === 0) return { shift: 0, scale: 0, uniform: true };
  return { shift, scale: 1 / sum, uniform: false };
}

export function densityValues(data: NumericArray): Float64Array {
  const n = data.length;
  const out = new Float64Array(n);
  const { shift, scale, uniform } = densityTransform(data);
  if (uniform) return out.fill(1 / n);
  for (let i = 0; i < n; i++) out[i] = ((data[i] as number) - shift) * scale;
  return out;
}

export function normalizeMinMax(grid: Grid): Grid<Float64Array> {
  checkGrid('normalizeMinMax', 'grid', grid);
  return { width: grid.width, height: grid.height, data: minMaxValues(grid.data) };
}

export function normalizeSum(grid: Grid): Grid<Float64Array> {
  checkGrid('normalizeSum', 'grid', grid);
  let sum = 0;
  for (let i = 0; i < grid.data.length; i++) sum += grid.data[i] as number;
  if (sum === 0) throw new MetricError('normalizeSum', 'grid', 'values sum to 0, cannot normalise to sum 1');
  const data = new Float64Array(grid.data.length);
  for (let i = 0; i < data.length; i++) data[i] = (grid.data[i] as number) / sum;
  return { width: grid.width, height: grid.height, data };
}

export function normalizeZScore(grid: Grid): Grid<Float64Array> {
  checkGrid('normalizeZScore', 'grid', grid);
  const n = grid.data.length;
  const data = new Float64Array(n);
  // Constant map: exact test, because the float mean of n equal values need not equal them.
  if (isConstant(grid.data)) return { width: grid.width, height: grid.height, data };
  let sum = 0;
  for (let i = 0; i < n; i++) sum += grid.data[i] as number;
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const d = (grid.data[i] as number) - mean;
    squares += d * d;
  }
  const std = Math.sqrt(squares / n);
  if (std > 0) for (let i = 0; i < n; i++) data[i] = ((grid.data[i] as number) - mean) / std;
  return { width: grid.width, height: grid.height, data };
}

export function toDensity(grid: Grid): Grid<Float64Array> {
  checkGrid('toDensity', 'grid', grid);
  return { width: grid.width, height: grid.height, data: densityValues(grid.data) };
}
