/**
 * Separable Gaussian filtering with scipy.ndimage semantics.
 *
 * Reference: scipy `ndimage.gaussian_filter` / `_gaussian_kernel1d` (scipy 1.10): the kernel is
 * exp(-x²/(2σ²)) sampled at integer offsets -r..r with r = floor(truncate·σ + 0.5), normalised to
 * sum 1; axis 0 (vertical) is filtered first, then axis 1, each as a 1-D correlation.
 * Boundary modes, as scipy's line extension (`ni_support.c`), for a line a b c d:
 *   'reflect'  (half-sample symmetric) … d c b a | a b c d | d c b a …  period 2n
 *   'mirror'   (whole-sample symmetric)  … d c b | a b c d | c b a …    period 2n−2
 *   'nearest'  … a a a | a b c d | d d d …
 *   'constant' … k k k | a b c d | k k k …   (k = cval, default 0)
 * Kernels wider than the line keep reflecting periodically, as scipy does.
 * Sums are accumulated in float64 whatever the input type.
 */
import { MetricError } from '../metrics/errors';
import type { Grid } from '../metrics/types';
import { checkGrid } from '../metrics/validate';

export type BoundaryMode = 'nearest' | 'reflect' | 'mirror' | 'constant';

/** scipy.ndimage.gaussian_filter's default `truncate`. */
export const SCIPY_GAUSSIAN_TRUNCATE = 4;

export interface GaussianFilterOptions {
  mode?: BoundaryMode;
  truncate?: number;
  cval?: number;
}

function checkSigma(fn: string, sigma: number, truncate: number): void {
  if (!Number.isFinite(sigma) || sigma <= 0) {
    throw new MetricError(fn, 'sigma', `must be a positive finite number, got ${sigma}`);
  }
  if (!Number.isFinite(truncate) || truncate < 0) {
    throw new MetricError(fn, 'truncate', `must be a non-negative finite number, got ${truncate}`);
  }
}

/** Kernel radius as scipy computes it: floor(truncate·σ + 0.5). */
export function gaussianRadius(sigma: number, truncate = SCIPY_GAUSSIAN_TRUNCATE): number {
  return Math.floor(truncate * sigma + 0.5);
}

/** Normalised 1-D Gaussian of length 2r+1 (scipy `_gaussian_kernel1d`, order 0). */
export function gaussianKernel1d(sigma: number, truncate = SCIPY_GAUSSIAN_TRUNCATE): Float64Array {
  checkSigma('gaussianKernel1d', sigma, truncate);
  const radius = gaussianRadius(sigma, truncate);
  const kernel = new Float64Array(2 * radius + 1);
  const scale = -0.5 / (sigma * sigma);
  let sum = 0;
  for (let m = 0; m < kernel.length; m++) {
    const x = m - radius;
    const w = Math.exp(scale * x * x);
    kernel[m] = w;
    sum += w;
  }
  for (let m = 0; m < kernel.length; m++) kernel[m] = (kernel[m] as number) / sum;
  return kernel;
}

/**
 * Source index that position i (any integer) reads on a line of length n, or -1 when the mode is
 * 'constant' and i lies outside.
 */
export function extendIndex(i: number, n: number, mode: BoundaryMode): number {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case 'nearest':
      return i < 0 ? 0 : n - 1;
    case 'constant':
      return -1;
    case 'reflect': {
      const period = 2 * n;
      const j = ((i % period) + period) % period;
      return j < n ? j : period - 1 - j;
    }
    case 'mirror': {
      if (n === 1) return 0;
      const period = 2 * n - 2;
      const j = ((i % period) + period) % period;
      return j < n ? j : period - j;
    }
  }
}

/**
 * Correlate every row of `src` (width w, height h) with a symmetric odd kernel along x.
 * `line` is scratch of length w + kernel.length - 1.
 */
export function correlateRows(
  src: ArrayLike<number>,
  dst: Float64Array,
  w: number,
  h: number,
  kernel: Float64Array,
  mode: BoundaryMode,
  cval: number,
): void {
  const r = (kernel.length - 1) >> 1;
  const line = new Float64Array(w + 2 * r);
  const ext = new Int32Array(2 * r);
  for (let k = 0; k < r; k++) {
    ext[k] = extendIndex(k - r, w, mode);
    ext[r + k] = extendIndex(w + k, w, mode);
  }
  const centre = kernel[r] as number;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let k = 0; k < r; k++) {
      const a = ext[k] as number;
      const b = ext[r + k] as number;
      line[k] = a < 0 ? cval : (src[row + a] as number);
      line[r + w + k] = b < 0 ? cval : (src[row + b] as number);
    }
    for (let x = 0; x < w; x++) line[r + x] = src[row + x] as number;
    for (let x = 0; x < w; x++) {
      let acc = centre * (line[x + r] as number);
      for (let m = 0; m < r; m++) acc += (kernel[m] as number) * ((line[x + m] as number) + (line[x + 2 * r - m] as number));
      dst[row + x] = acc;
    }
  }
}

/**
 * Correlate every column along y, processed row-wise (dst row y accumulates kernel[m] times
 * source row ext(y+m-r)) so memory is walked contiguously. `dst` must not alias `src`.
 */
export function correlateColumns(
  src: ArrayLike<number>,
  dst: Float64Array,
  w: number,
  h: number,
  kernel: Float64Array,
  mode: BoundaryMode,
  cval: number,
): void {
  const r = (kernel.length - 1) >> 1;
  dst.fill(0);
  for (let y = 0; y < h; y++) {
    const out = y * w;
    let constantWeight = 0;
    for (let m = 0; m < kernel.length; m++) {
      const weight = kernel[m] as number;
      const sy = extendIndex(y + m - r, h, mode);
      if (sy < 0) {
        constantWeight += weight;
        continue;
      }
      const from = sy * w;
      for (let x = 0; x < w; x++) dst[out + x] = (dst[out + x] as number) + weight * (src[from + x] as number);
    }
    if (constantWeight !== 0) {
      const add = constantWeight * cval;
      for (let x = 0; x < w; x++) dst[out + x] = (dst[out + x] as number) + add;
    }
  }
}

/** scipy.ndimage.gaussian_filter(grid, sigma, mode, cval, truncate) for a 2-D map. */
export function gaussianFilter(grid: Grid, sigma: number, options: GaussianFilterOptions = {}): Grid<Float64Array> {
  const mode = options.mode ?? 'reflect';
  const truncate = options.truncate ?? SCIPY_GAUSSIAN_TRUNCATE;
  const cval = options.cval ?? 0;
  checkGrid('gaussianFilter', 'grid', grid);
  checkSigma('gaussianFilter', sigma, truncate);
  if (!Number.isFinite(cval)) throw new MetricError('gaussianFilter', 'cval', `must be finite, got ${cval}`);
  const { width, height } = grid;
  const kernel = gaussianKernel1d(sigma, truncate);
  const vertical = new Float64Array(width * height);
  correlateColumns(grid.data, vertical, width, height, kernel, mode, cval);
  const data = new Float64Array(width * height);
  correlateRows(vertical, data, width, height, kernel, mode, cval);
  return { width, height, data };
}
