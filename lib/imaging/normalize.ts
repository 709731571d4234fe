/**
 * Map normalisations. Each returns a new Float64 grid; inputs are never modified.
 *
 * - `normalizeMinMax`: (v − min)/(max − min); a constant map becomes all zeros (the rule the
 *   reference SSIM uses, and what keeps a flat explanation from scoring by accident).
 *   `normalizeForOutput` is the same as float32: the form explanation maps take in files, the
 *   playground and the CLI (lib/explainers/types.ts).
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
import { checkGrid, checkSameSize } from '../metrics/validate';

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
    min = Math.min(min, data[i] as number);
    max = Math.max(max, data[i] as number);
  }
  const out = new Float64Array(n);
  if (max === min) return out;
  const range = max - min;
  for (let i = 0; i < n; i++) out[i] = ((data[i] as number) - min) / range;
  return out;
}

export interface MapStats {
  min: number;
  max: number;
  /** Non-finite exactly when some value is NaN or ±Infinity (or the sum overflows). */
  sum: number;
}

/**
 * Min, max and sum of two equal-length arrays in one pass (two independent accumulator chains run
 * in parallel, so this costs about as much as one). Metrics use it instead of a separate
 * finiteness pass: a NaN or infinite value makes the sum non-finite, and `checkStatsFinite` then
 * reports it.
 */
export function pairStats(a: NumericArray, b: NumericArray): [MapStats, MapStats] {
  // Two interleaved halves of the index range, each with its own accumulators, so V8 is not held
  // up by one chain of dependent additions (about 2× on a 640×480 pair).
  let minA = Infinity;
  let maxA = -Infinity;
  let sumA = 0;
  let minB = Infinity;
  let maxB = -Infinity;
  let sumB = 0;
  let minA1 = Infinity;
  let maxA1 = -Infinity;
  let sumA1 = 0;
  let minB1 = Infinity;
  let maxB1 = -Infinity;
  let sumB1 = 0;
  const n = a.length;
  const even = n - (n % 2);
  for (let i = 0; i < even; i += 2) {
    const u = a[i] as number;
    const v = b[i] as number;
    const u1 = a[i + 1] as number;
    const v1 = b[i + 1] as number;
    sumA += u;
    sumB += v;
    sumA1 += u1;
    sumB1 += v1;
    // Math.min/max compile to branch-free instructions; if-based updates ran 3x slower in V8.
    minA = Math.min(minA, u);
    maxA = Math.max(maxA, u);
    minB = Math.min(minB, v);
    maxB = Math.max(maxB, v);
    minA1 = Math.min(minA1, u1);
    maxA1 = Math.max(maxA1, u1);
    minB1 = Math.min(minB1, v1);
    maxB1 = Math.max(maxB1, v1);
  }
  if (even < n) {
    const u = a[even] as number;
    const v = b[even] as number;
    sumA += u;
    sumB += v;
    minA = Math.min(minA, u);
    maxA = Math.max(maxA, u);
    minB = Math.min(minB, v);
    maxB = Math.max(maxB, v);
  }
  return [
    { min: Math.min(minA, minA1), max: Math.max(maxA, maxA1), sum: sumA + sumA1 },
    { min: Math.min(minB, minB1), max: Math.max(maxB, maxB1), sum: sumB + sumB1 },
  ];
}

/** Size checks of checkPair without its value pass (values are checked through the sums). */
export function checkShapes(metric: string, a: Grid, aName: string, b: Grid, bName: string): void {
  for (const [grid, name] of [[a, aName], [b, bName]] as const) {
    const { width, height, data } = grid;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
      throw new MetricError(metric, name, `size must be positive integers, got ${width}x${height}`);
    }
    if (data.length !== width * height) {
      throw new MetricError(metric, name, `data has ${data.length} values, expected ${width}x${height}=${width * height}`);
    }
  }
  checkSameSize(metric, a, aName, b, bName);
}

/** Throws when `stats` came from a map with a non-finite value (checkGrid's message) or overflow. */
export function checkStatsFinite(metric: string, argument: string, grid: Grid, stats: MapStats): void {
  if (Number.isFinite(stats.sum)) return;
  checkGrid(metric, argument, grid);
  throw new MetricError(metric, argument, `the sum of the values overflows (${stats.sum})`);
}

/**
 * pysaliency's density conversion as an affine map: density = (v − shift)·scale + offset, with
 * shift = min only if min < 0, scale = 1/Σ(v − shift), offset 0; for a map summing to 0 after the
 * shift, scale = 0 and offset = 1/n (uniform). `stats` (from pairStats) saves the extra pass when
 * no shift is needed.
 */
export function densityTransform(data: NumericArray, stats?: MapStats): { shift: number; scale: number; offset: number } {
  const n = data.length;
  const { min, sum: rawSum } = stats ?? pairStats(data, data)[0];
  const shift = min < 0 ? min : 0;
  let sum = rawSum;
  if (shift !== 0) {
    sum = 0;
    for (let i = 0; i < n; i++) sum += (data[i] as number) - shift;
  }
  if (sum === 0) return { shift: 0, scale: 0, offset: 1 / n };
  return { shift, scale: 1 / sum, offset: 0 };
}

export function densityValues(data: NumericArray): Float64Array {
  const n = data.length;
  const out = new Float64Array(n);
  const { shift, scale, offset } = densityTransform(data);
  for (let i = 0; i < n; i++) out[i] = ((data[i] as number) - shift) * scale + offset;
  return out;
}

export function normalizeMinMax(grid: Grid): Grid<Float64Array> {
  checkGrid('normalizeMinMax', 'grid', grid);
  return { width: grid.width, height: grid.height, data: minMaxValues(grid.data) };
}

/** Min-max to [0, 1] as float32 (constant → zeros), for explanation maps written or shown. */
export function normalizeForOutput(grid: Grid): Grid<Float32Array> {
  checkGrid('normalizeForOutput', 'grid', grid);
  return { width: grid.width, height: grid.height, data: Float32Array.from(minMaxValues(grid.data)) };
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
