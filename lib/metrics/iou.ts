/**
 * Intersection over union of the top-k% pixels of two maps (or of a map and a binary mask).
 *
 * Used to compare an explanation's most salient region with the most looked-at region or with an
 * object mask, e.g. Das, Agrawal, Zitnick, Parikh & Batra (2017), "Human attention in visual
 * question answering", CVIU (rank-based region overlap), and the top-k% IoU of Mohseni, Block &
 * Ragan (2021), "Quantitative evaluation of machine learning explanations: a human-grounded
 * benchmark", IUI. No single reference implementation exists; the conventions are ours:
 *  - k = max(1, round(percent / 100 · N)) pixels are selected from each map, exactly k, so the
 *    two regions always have the same size;
 *  - ties: pixels are ranked by descending value, equal values by ascending pixel index
 *    (row-major), so a constant map selects its first k pixels — deterministic, never random;
 *  - a mask pixel is "in" when its value is non-zero; an empty mask is an error.
 */
import { MetricError } from './errors';
import { checkPair } from './validate';
import type { Grid } from './types';

function checkPercent(metric: string, percent: number): void {
  if (!(percent > 0 && percent <= 100)) {
    throw new MetricError(metric, 'percent', `must be in (0, 100], got ${percent}`);
  }
}

/** Number of pixels in the top `percent`% of an N-pixel map. */
export function topKCount(n: number, percent: number): number {
  return Math.max(1, Math.min(n, Math.round((percent / 100) * n)));
}

/**
 * Membership (1/0) of the top-k pixels: descending value, ties by ascending index.
 * One numeric sort of a copy finds the k-th largest value; no index sort is needed.
 */
export function topKMask(grid: Grid, k: number): Uint8Array {
  const { data } = grid;
  const n = data.length;
  const selected = new Uint8Array(n);
  const sorted = Float64Array.from(data).sort();
  const kth = sorted[n - k] as number;
  let above = 0;
  for (let i = 0; i < n; i++) {
    if ((data[i] as number) > kth) {
      selected[i] = 1;
      above++;
    }
  }
  let ties = k - above;
  for (let i = 0; i < n && ties > 0; i++) {
    if ((data[i] as number) === kth) {
      selected[i] = 1;
      ties--;
    }
  }
  return selected;
}

function iouOfMasks(a: Uint8Array, b: Uint8Array): number {
  let intersection = 0;
  let union = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    intersection += x & y;
    union += x | y;
  }
  return intersection / union;
}

/** IoU of the top `percent`% pixels of two maps of equal size. Symmetric in a and b. */
export function iouTopK(a: Grid, b: Grid, percent: number): number {
  checkPair('iouTopK', a, 'a', b, 'b');
  checkPercent('iouTopK', percent);
  const k = topKCount(a.data.length, percent);
  return iouOfMasks(topKMask(a, k), topKMask(b, k));
}

/** IoU of the top `percent`% pixels of a map with a binary mask (non-zero = inside). */
export function iouTopKMask(map: Grid, mask: Grid, percent: number): number {
  checkPair('iouTopKMask', map, 'map', mask, 'mask');
  checkPercent('iouTopKMask', percent);
  const inside = new Uint8Array(mask.data.length);
  let count = 0;
  for (let i = 0; i < inside.length; i++) {
    if ((mask.data[i] as number) !== 0) {
      inside[i] = 1;
      count++;
    }
  }
  if (count === 0) throw new MetricError('iouTopKMask', 'mask', 'mask has no non-zero pixel');
  return iouOfMasks(topKMask(map, topKCount(map.data.length, percent)), inside);
}
