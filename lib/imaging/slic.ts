/**
 * SLIC superpixels: Achanta et al. (2012), "SLIC superpixels compared to state-of-the-art
 * superpixel methods", IEEE TPAMI 34(11). Matches scikit-image `segmentation.slic` (0.19–0.25,
 * `slic_superpixels.py`, `_slic.pyx`) for a 2-D RGB image with its defaults: n_segments 100,
 * compactness 10, max_num_iter 10, sigma 0, convert2lab, enforce_connectivity with
 * min_size_factor 0.5 and max_size_factor 3, no mask, no SLIC-zero:
 *   1. The image is min-max rescaled to [0, 1] over all channels, converted to L*a*b*, blurred
 *      per channel by `sigma` (0 = none) and multiplied by 1/compactness.
 *   2. Seeds on `regular_grid`: step = round(sqrt(h·w / n)) (numpy round, half to even) from
 *      start floor(sqrt(h·w / n) / 2) along each axis; the seeds' colours start at 0 (as
 *      scikit-image's do, so the first assignment is pulled towards dark pixels).
 *   3. k-means for `maxIter` rounds: each centre scans the window ±2·step around it (truncated
 *      to integers) and takes pixels whose distance (Δy² + Δx²)/S² + ‖Δcolour‖² is strictly
 *      lower than their best so far this round (S = the grid step; ties keep the earlier seed);
 *      centres move to the mean position and colour (an emptied centre becomes NaN and never
 *      wins again). scikit-image's "no change" early stop never fires, since every distance is
 *      reset each round; it is kept for form.
 *   4. Connectivity: components in raster order (4-neighbours, breadth first, capped at
 *      max_size) smaller than min_size = floor(0.5·h·w/n_seeds) take the label of the last
 *      adjacent, already relabelled component met in their search.
 * Labels are 0..n−1 (scikit-image's start_label=0); scikit-image ≥ 0.17 defaults to 1.
 */
import { MetricError } from '../metrics/errors';
import type { RgbImage } from './color';
import { checkAbove, prepareFeatures, relabelSequential, type Segmentation } from './segmentation';

export interface SlicOptions {
  readonly nSegments?: number;
  readonly compactness?: number;
  readonly maxIter?: number;
  readonly sigma?: number;
  readonly enforceConnectivity?: boolean;
  readonly minSizeFactor?: number;
  readonly maxSizeFactor?: number;
}

/** numpy `round` (half to even). */
function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/** scikit-image `regular_grid((1, h, w), n)` for the y and x axes: [start, step] each. */
export function regularGrid(height: number, width: number, n: number): { y: [number, number]; x: [number, number] } {
  if (height * width <= n) return { y: [0, 1], x: [0, 1] };
  const dims = [1, height, width];
  const order = [0, 1, 2].sort((a, b) => (dims[a] as number) - (dims[b] as number));
  const sorted = order.map((i) => dims[i] as number);
  const steps = [0, 0, 0].map(() => Math.cbrt((height * width) / n));
  if (sorted.some((d, i) => d < (steps[i] as number))) {
    for (let dim = 0; dim < 3; dim++) {
      steps[dim] = sorted[dim] as number;
      const space = sorted.slice(dim + 1).reduce((a, b) => a * b, 1);
      for (let k = dim + 1; k < 3; k++) steps[k] = Math.pow(space / n, 1 / (3 - dim - 1));
      if (sorted.every((d, i) => d >= (steps[i] as number))) break;
    }
  }
  const slice = (axis: number): [number, number] => {
    const s = steps[order.indexOf(axis)] as number;
    return [Math.floor(s / 2), roundHalfEven(s)];
  };
  return { y: slice(1), x: slice(2) };
}

export function slic(image: RgbImage, options: SlicOptions = {}): Segmentation {
  const nSegments = options.nSegments ?? 100;
  const compactness = options.compactness ?? 10;
  const maxIter = options.maxIter ?? 10;
  if (!Number.isInteger(nSegments) || nSegments < 1) throw new MetricError('slic', 'nSegments', `must be a positive integer, got ${nSegments}`);
  if (!Number.isInteger(maxIter) || maxIter < 1) throw new MetricError('slic', 'maxIter', `must be a positive integer, got ${maxIter}`);
  checkAbove('slic', 'compactness', compactness, 0, false);
  const { width, height } = image;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of image.data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const span = hi > lo ? hi - lo : 1;
  const rescaled = { width, height, data: Float64Array.from(image.data, (v) => (v - lo) / span) };
  const features = prepareFeatures('slic', rescaled, true, options.sigma ?? 0, 1 / compactness);

  const grid = regularGrid(height, width, nSegments);
  const [y0, stepY] = grid.y;
  const [x0, stepX] = grid.x;
  const centres: number[][] = [];
  for (let y = y0; y < height; y += stepY) for (let x = x0; x < width; x += stepX) centres.push([y, x, 0, 0, 0]);
  const k = centres.length;
  const step = Math.max(stepY, stepX, 1);
  // _slic_cython recomputes the window steps from the number of seeds actually placed.
  const window = regularGrid(height, width, k);
  const winY = window.y[1];
  const winX = window.x[1];
  const spatialWeight = 1 / (step * step);
  const labels = new Int32Array(width * height).fill(-1);
  const distance = new Float64Array(width * height);
  for (let iter = 0; iter < maxIter; iter++) {
    let changed = false;
    distance.fill(Number.MAX_VALUE);
    centres.forEach((centre, j) => {
      const [cy, cx, l, a, b] = centre as [number, number, number, number, number];
      const ys = Math.trunc(Math.max(cy - 2 * winY, 0));
      const ye = Math.trunc(Math.min(cy + 2 * winY + 1, height));
      const xs = Math.trunc(Math.max(cx - 2 * winX, 0));
      const xe = Math.trunc(Math.min(cx + 2 * winX + 1, width));
      for (let y = ys; y < ye; y++) {
        for (let x = xs; x < xe; x++) {
          const p = y * width + x;
          const t0 = (features[p * 3] as number) - l;
          const t1 = (features[p * 3 + 1] as number) - a;
          const t2 = (features[p * 3 + 2] as number) - b;
          const d = ((cy - y) * (cy - y) + (cx - x) * (cx - x)) * spatialWeight + t0 * t0 + t1 * t1 + t2 * t2;
          if ((distance[p] as number) > d) {
            labels[p] = j;
            distance[p] = d;
            changed = true;
          }
        }
      }
    });
    if (!changed) break;
    const sums = Array.from({ length: k }, () => [0, 0, 0, 0, 0, 0]);
    for (let p = 0; p < labels.length; p++) {
      const s = sums[labels[p] as number];
      if (s === undefined) continue;
      s[0] = (s[0] as number) + 1;
      s[1] = (s[1] as number) + Math.floor(p / width);
      s[2] = (s[2] as number) + (p % width);
      for (let c = 0; c < 3; c++) s[3 + c] = (s[3 + c] as number) + (features[p * 3 + c] as number);
    }
    sums.forEach((s, j) => {
      centres[j] = s.slice(1).map((v) => v / (s[0] as number));
    });
  }
  if (options.enforceConnectivity === false) return relabelSequential(width, height, labels);
  const segmentSize = (width * height) / k;
  const minSize = Math.trunc((options.minSizeFactor ?? 0.5) * segmentSize);
  const maxSize = Math.max(1, Math.trunc((options.maxSizeFactor ?? 3) * segmentSize));
  return relabelSequential(width, height, enforceConnectivity(width, height, labels, minSize, maxSize));
}

/** scikit-image `_enforce_label_connectivity_cython` in 2-D (see the header, step 4). */
function enforceConnectivity(width: number, height: number, segments: Int32Array, minSize: number, maxSize: number): Int32Array {
  const out = new Int32Array(segments.length).fill(-1);
  const queue = new Int32Array(maxSize);
  const dx = [1, -1, 0, 0];
  const dy = [0, 0, 1, -1];
  let next = 0;
  for (let start = 0; start < segments.length; start++) {
    if ((out[start] as number) >= 0) continue;
    const label = segments[start] as number;
    let adjacent = next;
    out[start] = next;
    queue[0] = start;
    let size = 1;
    let visited = 0;
    while (visited < size && size < maxSize) {
      const p = queue[visited] as number;
      const px = p % width;
      const py = (p - px) / width;
      for (let i = 0; i < 4; i++) {
        const x = px + (dx[i] as number);
        const y = py + (dy[i] as number);
        if (x < 0 || x >= width || y < 0 || y >= height) continue;
        const q = y * width + x;
        if (segments[q] === label && out[q] === -1) {
          out[q] = next;
          queue[size++] = q;
          if (size >= maxSize) break;
        } else if ((out[q] as number) >= 0 && out[q] !== next) {
          adjacent = out[q] as number;
        }
      }
      visited++;
    }
    if (size < minSize) {
      for (let i = 0; i < size; i++) out[queue[i] as number] = adjacent;
    } else {
      next++;
    }
  }
  return out;
}
