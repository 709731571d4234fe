/**
 * Map resizing.
 *
 * `resizeBilinear` matches scikit-image 0.19 `transform.resize(order=1, mode='edge',
 * anti_aliasing=False)`, i.e. scipy `ndimage.zoom(order=1, mode='nearest', grid_mode=True)`: output
 * sample i sits at source coordinate (i + 0.5)·(in/out) − 0.5 (half-pixel centres), coordinates
 * outside [0, n−1] are clamped to the edge, and the value is the separable linear interpolation of
 * the four neighbours. Same convention as OpenCV INTER_LINEAR and TF.js resizeBilinear with
 * halfPixelCenters. No anti-aliasing: shrinking by a large factor samples, it does not average.
 *
 * `resizeArea` is the mass-preserving alternative for shrinking (OpenCV INTER_AREA): output pixel
 * (i, j) is the mean of the source over the rectangle it covers, with fractional pixel overlaps.
 * EMD uses it so that every coarse cell holds exactly the mass that falls inside it.
 */
import { MetricError } from '../metrics/errors';
import type { Grid } from '../metrics/types';
import { checkGrid } from '../metrics/validate';

function checkTarget(fn: string, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new MetricError(fn, 'size', `target size must be positive integers, got ${width}x${height}`);
  }
}

/** Per output index: left source index, right source index and the weight of the right one. */
function linearTaps(inSize: number, outSize: number): { left: Int32Array; right: Int32Array; frac: Float64Array } {
  const left = new Int32Array(outSize);
  const right = new Int32Array(outSize);
  const frac = new Float64Array(outSize);
  const scale = inSize / outSize;
  for (let i = 0; i < outSize; i++) {
    const c = Math.min(Math.max((i + 0.5) * scale - 0.5, 0), inSize - 1);
    const l = Math.floor(c);
    left[i] = l;
    right[i] = Math.min(l + 1, inSize - 1);
    frac[i] = c - l;
  }
  return { left, right, frac };
}

/** Bilinear resize with half-pixel centres and clamped edges (see header). */
export function resizeBilinear(grid: Grid, width: number, height: number): Grid<Float64Array> {
  checkGrid('resizeBilinear', 'grid', grid);
  checkTarget('resizeBilinear', width, height);
  const src = grid.data;
  const inW = grid.width;
  const xs = linearTaps(inW, width);
  const ys = linearTaps(grid.height, height);
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    const top = (ys.left[y] as number) * inW;
    const bottom = (ys.right[y] as number) * inW;
    const fy = ys.frac[y] as number;
    for (let x = 0; x < width; x++) {
      const l = xs.left[x] as number;
      const r = xs.right[x] as number;
      const fx = xs.frac[x] as number;
      const upper = (1 - fx) * (src[top + l] as number) + fx * (src[top + r] as number);
      const lower = (1 - fx) * (src[bottom + l] as number) + fx * (src[bottom + r] as number);
      data[y * width + x] = (1 - fy) * upper + fy * lower;
    }
  }
  return { width, height, data };
}

/**
 * Sparse averaging matrix along one axis: output i averages source [i·s, (i+1)·s) with s = in/out,
 * partial pixels weighted by their overlap. Entries for output i are start[i]..start[i+1].
 */
function areaTaps(inSize: number, outSize: number): { start: Int32Array; index: Int32Array; weight: Float64Array } {
  const scale = inSize / outSize;
  const start = new Int32Array(outSize + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let i = 0; i < outSize; i++) {
    const a = i * scale;
    const b = i === outSize - 1 ? inSize : (i + 1) * scale;
    for (let j = Math.floor(a); j < Math.min(Math.ceil(b), inSize); j++) {
      const overlap = Math.min(b, j + 1) - Math.max(a, j);
      if (overlap <= 0) continue;
      index.push(j);
      weight.push(overlap / (b - a));
    }
    start[i + 1] = index.length;
  }
  return { start, index: Int32Array.from(index), weight: Float64Array.from(weight) };
}

/** Area-averaging resize (see header); mean-preserving, so sum scales by (out area / in area). */
export function resizeArea(grid: Grid, width: number, height: number): Grid<Float64Array> {
  checkGrid('resizeArea', 'grid', grid);
  checkTarget('resizeArea', width, height);
  const inW = grid.width;
  const inH = grid.height;
  const xs = areaTaps(inW, width);
  const ys = areaTaps(inH, height);
  // Rows first (inH x width), then columns.
  const rows = new Float64Array(inH * width);
  for (let y = 0; y < inH; y++) {
    for (let x = 0; x < width; x++) {
      let acc = 0;
      for (let k = xs.start[x] as number; k < (xs.start[x + 1] as number); k++) {
        acc += (xs.weight[k] as number) * (grid.data[y * inW + (xs.index[k] as number)] as number);
      }
      rows[y * width + x] = acc;
    }
  }
  const data = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let k = ys.start[y] as number; k < (ys.start[y + 1] as number); k++) {
      const w = ys.weight[k] as number;
      const from = (ys.index[k] as number) * width;
      for (let x = 0; x < width; x++) data[y * width + x] = (data[y * width + x] as number) + w * (rows[from + x] as number);
    }
  }
  return { width, height, data };
}
