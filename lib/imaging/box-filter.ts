/**
 * Moving-average (box) filter with scipy.ndimage.uniform_filter semantics.
 *
 * Reference: scipy `ndimage.uniform_filter` (scipy 1.10), the filter behind scikit-image's default
 * SSIM window. Along each axis the window of `size` samples covers i − ⌊size/2⌋ … i + size − ⌊size/2⌋ − 1
 * (centred for odd sizes; one more sample on the left for even sizes) and the mean is taken; axis 0
 * (vertical) first, then axis 1. Boundary modes as `extendIndex` in ./gaussian ('reflect' is
 * scipy's default: d c b a | a b c d | d c b a).
 * Implementation: running sums over a padded line, O(1) per sample whatever the size; float64.
 */
import { MetricError } from '../metrics/errors';
import type { Grid } from '../metrics/types';
import { checkGrid } from '../metrics/validate';
import { type BoundaryMode, extendIndex } from './gaussian';

function boxLine(line: Float64Array, out: Float64Array, n: number, size: number): void {
  // line holds the padded samples: line[k] is position k − ⌊size/2⌋.
  let sum = 0;
  for (let k = 0; k < size; k++) sum += line[k] as number;
  out[0] = sum / size;
  for (let i = 1; i < n; i++) {
    sum += (line[i + size - 1] as number) - (line[i - 1] as number);
    out[i] = sum / size;
  }
}

function filterAxis(
  src: ArrayLike<number>,
  dst: Float64Array,
  count: number,
  n: number,
  stride: number,
  step: number,
  size: number,
  mode: BoundaryMode,
  cval: number,
): void {
  const before = Math.floor(size / 2);
  const line = new Float64Array(n + size - 1);
  const out = new Float64Array(n);
  const ext = new Int32Array(n + size - 1);
  for (let k = 0; k < ext.length; k++) ext[k] = extendIndex(k - before, n, mode);
  for (let c = 0; c < count; c++) {
    const base = c * stride;
    for (let k = 0; k < ext.length; k++) {
      const s = ext[k] as number;
      line[k] = s < 0 ? cval : (src[base + s * step] as number);
    }
    boxLine(line, out, n, size);
    for (let i = 0; i < n; i++) dst[base + i * step] = out[i] as number;
  }
}

/** scipy.ndimage.uniform_filter(grid, size, mode, cval) for a 2-D map (same size on both axes). */
export function uniformFilter(grid: Grid, size: number, mode: BoundaryMode = 'reflect', cval = 0): Grid<Float64Array> {
  checkGrid('uniformFilter', 'grid', grid);
  if (!Number.isInteger(size) || size < 1) {
    throw new MetricError('uniformFilter', 'size', `must be a positive integer, got ${size}`);
  }
  if (!Number.isFinite(cval)) throw new MetricError('uniformFilter', 'cval', `must be finite, got ${cval}`);
  const { width, height } = grid;
  const vertical = new Float64Array(width * height);
  filterAxis(grid.data, vertical, width, height, 1, width, size, mode, cval);
  const data = new Float64Array(width * height);
  filterAxis(vertical, data, height, width, width, 1, size, mode, cval);
  return { width, height, data };
}
