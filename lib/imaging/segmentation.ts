/**
 * Shared pieces of the superpixel segmentations (quickshift.ts, slic.ts): the result type, the
 * colour-space preparation both do first, and relabelling to 0..n−1.
 */
import { MetricError } from '../metrics/errors';
import { rgbToLab, checkRgbImage, type RgbImage } from './color';
import { gaussianFilter } from './gaussian';

/** A label per pixel, row-major, labels 0..count−1 with every label used. */
export interface Segmentation {
  readonly width: number;
  readonly height: number;
  readonly labels: Int32Array;
  readonly count: number;
}

/** Throws unless `value` is finite and above `min` (or equal to it when `inclusive`). */
export function checkAbove(fn: string, name: string, value: number, min: number, inclusive: boolean): void {
  if (!Number.isFinite(value) || value < min || (!inclusive && value === min)) {
    throw new MetricError(fn, name, `must be a finite number ${inclusive ? '>=' : '>'} ${min}, got ${value}`);
  }
}

/**
 * Optional L*a*b* conversion, then a per-channel Gaussian blur of width `sigma` (scipy
 * `gaussian_filter`, mode 'reflect', truncate 4; skipped when sigma = 0), then a scale factor:
 * the order scikit-image's quickshift and slic use.
 */
export function prepareFeatures(fn: string, image: RgbImage, convertToLab: boolean, sigma: number, scale: number): Float64Array {
  checkRgbImage(fn, 'image', image);
  checkAbove(fn, 'sigma', sigma, 0, true);
  const { width, height } = image;
  const n = width * height;
  const source = convertToLab ? rgbToLab(image).data : image.data;
  const out = new Float64Array(n * 3);
  for (let c = 0; c < 3; c++) {
    let plane: Float64Array = new Float64Array(n);
    for (let i = 0; i < n; i++) plane[i] = source[i * 3 + c] as number;
    if (sigma > 0) plane = gaussianFilter({ width, height, data: plane }, sigma, { mode: 'reflect' }).data;
    for (let i = 0; i < n; i++) out[i * 3 + c] = (plane[i] as number) * scale;
  }
  return out;
}

/** Maps arbitrary non-negative ids to 0..n−1 in increasing id order (numpy `unique(return_inverse)`). */
export function relabelSequential(width: number, height: number, ids: Int32Array): Segmentation {
  const sorted = Array.from(new Set(ids)).sort((a, b) => a - b);
  const map = new Map(sorted.map((id, i) => [id, i]));
  const labels = new Int32Array(ids.length);
  for (let i = 0; i < ids.length; i++) labels[i] = map.get(ids[i] as number) as number;
  return { width, height, labels, count: sorted.length };
}
