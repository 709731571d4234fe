/**
 * Gaze fixation density map (GFDM): fixations blurred by a Gaussian and normalised to sum 1.
 *
 * Convention (pysaliency / MIT300 practice; Kümmerer, Wallis & Bethge 2018, ECCV, "Saliency
 * benchmarking made easy"): a count map with one count per fixation at (⌊x⌋, ⌊y⌋) (duplicates add),
 * filtered with scipy 1.10 `ndimage.gaussian_filter(counts, σ, mode='nearest', truncate=4.0)`, then
 * divided by its sum. Matches the `densityMaps` section of tests/fixtures/reference-metrics.json.
 * Differs from the MIT benchmark's `antonioGaussian.m`, which blurs in the Fourier domain with a
 * cut-off of 8 cycles/image (≈ 1 degree) and cyclic/zero padding.
 *
 * Speed: the count map is sparse, so the filter is applied as a sum of separable responses. Each
 * fixated row r gets its horizontal response T_r (a few hundred samples per fixation), and every
 * output row y receives w_r(y)·T_r, where w_r is the vertical response of a unit impulse at r. The
 * boundary handling is exact for any mode because both responses are built by enumerating every
 * padded position that reads the impulse. Cost ≈ Σ_r (2R+1)·|support T_r| instead of
 * W·H·2(2R+1) for the dense filter (R = kernel radius).
 */
import { MetricError } from '../metrics/errors';
import type { Grid, Point } from '../metrics/types';
import { checkFixations } from '../metrics/validate';
import { type BoundaryMode, SCIPY_GAUSSIAN_TRUNCATE, extendIndex, gaussianKernel1d } from './gaussian';

const DENSITY_MODE: BoundaryMode = 'nearest';

/** Pixel sigma for a blur of `degrees` of visual angle at `pixelsPerDegree`. */
export function sigmaPxFromDegrees(degrees: number, pixelsPerDegree: number): number {
  if (!Number.isFinite(degrees) || degrees <= 0) {
    throw new MetricError('sigmaPxFromDegrees', 'degrees', `must be a positive finite number, got ${degrees}`);
  }
  if (!Number.isFinite(pixelsPerDegree) || pixelsPerDegree <= 0) {
    throw new MetricError('sigmaPxFromDegrees', 'pixelsPerDegree', `must be a positive finite number, got ${pixelsPerDegree}`);
  }
  return degrees * pixelsPerDegree;
}

/**
 * Adds `scale` × (response of the 1-D filter to a unit impulse at p) into out[0..n).
 * Returns the touched interval [lo, hi] merged with the one given.
 */
function addImpulseResponse(
  out: Float64Array,
  n: number,
  p: number,
  scale: number,
  kernel: Float64Array,
  span: [number, number],
): void {
  const r = (kernel.length - 1) >> 1;
  const addAt = (q: number): void => {
    const from = Math.max(0, q - r);
    const to = Math.min(n - 1, q + r);
    // Output x reads position q through kernel tap q − x + r.
    for (let x = from; x <= to; x++) out[x] = (out[x] as number) + scale * (kernel[q - x + r] as number);
    if (from < span[0]) span[0] = from;
    if (to > span[1]) span[1] = to;
  };
  addAt(p);
  for (let q = -r; q < 0; q++) if (extendIndex(q, n, DENSITY_MODE) === p) addAt(q);
  for (let q = n; q < n + r; q++) if (extendIndex(q, n, DENSITY_MODE) === p) addAt(q);
}

function sumRange(values: Float64Array, span: [number, number]): number {
  let s = 0;
  for (let i = span[0]; i <= span[1]; i++) s += values[i] as number;
  return s;
}

/** Fixation density map, sum 1 (see header). */
export function densityMap(fixations: readonly Point[], width: number, height: number, sigmaPx: number): Grid<Float64Array> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new MetricError('densityMap', 'size', `must be positive integers, got ${width}x${height}`);
  }
  if (!Number.isFinite(sigmaPx) || sigmaPx <= 0) {
    throw new MetricError('densityMap', 'sigmaPx', `must be a positive finite number, got ${sigmaPx}`);
  }
  checkFixations('densityMap', 'fixations', fixations, width, height);
  const kernel = gaussianKernel1d(sigmaPx, SCIPY_GAUSSIAN_TRUNCATE);

  // Bucket fixations by row (counting sort) so each fixated row is filtered once.
  const rowStart = new Int32Array(height + 1);
  for (const p of fixations) rowStart[Math.floor(p.y) + 1]++;
  for (let y = 0; y < height; y++) rowStart[y + 1] = (rowStart[y + 1] as number) + (rowStart[y] as number);
  const columns = new Int32Array(fixations.length);
  const fill = rowStart.slice(0, height);
  for (const p of fixations) {
    const y = Math.floor(p.y);
    columns[fill[y] as number] = Math.floor(p.x);
    fill[y] = (fill[y] as number) + 1;
  }

  const horizontal = new Float64Array(width);
  const vertical = new Float64Array(height);
  const hSpan: [number, number] = [0, 0];
  const vSpan: [number, number] = [0, 0];
  const rowResponses = (r: number): void => {
    horizontal.fill(0, hSpan[0], hSpan[1] + 1);
    vertical.fill(0, vSpan[0], vSpan[1] + 1);
    hSpan[0] = width;
    hSpan[1] = -1;
    vSpan[0] = height;
    vSpan[1] = -1;
    for (let k = rowStart[r] as number; k < (rowStart[r + 1] as number); k++) {
      addImpulseResponse(horizontal, width, columns[k] as number, 1, kernel, hSpan);
    }
    addImpulseResponse(vertical, height, r, 1, kernel, vSpan);
  };

  // Pass 1: total mass, so the scatter below writes normalised values directly.
  let total = 0;
  for (let r = 0; r < height; r++) {
    if (rowStart[r] === rowStart[r + 1]) continue;
    rowResponses(r);
    total += sumRange(horizontal, hSpan) * sumRange(vertical, vSpan);
  }
  if (!(total > 0)) throw new MetricError('densityMap', 'fixations', `blurred mass is ${total}`);

  // Pass 2: out[y, x] += w_r(y) / total · T_r(x) over the supports only.
  const data = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    if (rowStart[r] === rowStart[r + 1]) continue;
    rowResponses(r);
    const x0 = hSpan[0];
    const x1 = hSpan[1];
    for (let y = vSpan[0]; y <= vSpan[1]; y++) {
      const weight = (vertical[y] as number) / total;
      if (weight === 0) continue;
      const base = y * width;
      for (let x = x0; x <= x1; x++) data[base + x] = (data[base + x] as number) + weight * (horizontal[x] as number);
    }
  }
  return { width, height, data };
}
