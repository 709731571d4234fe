import { describe, expect, it } from 'vitest';
import { MetricError } from '../metrics/errors';
import { quickshift } from './quickshift';
import { labelsAreContiguous, labelsIn, quadrants, rgbImage } from './superpixels.test-util';

/** LIME's quickshift parameters (lime_image.LimeImageExplainer.explain_instance). */
const LIME = { kernelSize: 4, maxDist: 200, ratio: 0.2 } as const;

describe('quickshift', () => {
  it('two flat colour halves → two segments, one per half', () => {
    const image = rgbImage(24, 12, (x) => (x < 12 ? [0.9, 0.1, 0.1] : [0.1, 0.2, 0.9]));
    const s = quickshift(image, LIME);
    expect(s.count).toBe(2);
    expect(labelsAreContiguous(s)).toBe(true);
    const left = labelsIn(s, 0, 12, 0, 12);
    const right = labelsIn(s, 12, 24, 0, 12);
    expect(left.size).toBe(1);
    expect(right.size).toBe(1);
    expect(left).not.toEqual(right);
  });

  it('four flat quadrants → four segments; labels follow the root pixel order', () => {
    const s = quickshift(quadrants(32), LIME);
    expect(s.count).toBe(4);
    const ids = [labelsIn(s, 0, 16, 0, 16), labelsIn(s, 16, 32, 0, 16), labelsIn(s, 0, 16, 16, 32), labelsIn(s, 16, 32, 16, 32)];
    ids.forEach((set) => expect(set.size).toBe(1));
    // Roots sit near the quadrant centres, so the top quadrants' roots come first in raster order.
    expect(ids.map((set) => Array.from(set)[0])).toEqual([0, 1, 2, 3]);
  });

  it('maxDist 0 cuts every link: each pixel is its own segment, numbered in raster order', () => {
    const s = quickshift(quadrants(6), { ...LIME, maxDist: 0 });
    expect(s.count).toBe(36);
    expect(Array.from(s.labels)).toEqual(Array.from({ length: 36 }, (_, i) => i));
  });

  it('ratio 0 ignores colour: one mode when the window covers the whole image', () => {
    const s = quickshift(quadrants(8), { ...LIME, ratio: 0 });
    expect(s.count).toBe(1);
  });

  it('is deterministic for a seed and does not modify its input', () => {
    const image = rgbImage(40, 30, (x, y) => [((x * 7 + y * 3) % 11) / 11, (x % 5) / 5, (y % 7) / 7]);
    const copy = image.data.slice();
    const a = quickshift(image, { ...LIME, seed: 3 });
    const b = quickshift(image, { ...LIME, seed: 3 });
    expect(a.labels).toEqual(b.labels);
    expect(labelsAreContiguous(a)).toBe(true);
    expect(image.data).toEqual(copy);
  });

  it('sigma > 0 blurs first (a one-pixel speck no longer forms its own segment)', () => {
    const image = rgbImage(16, 16, (x, y) => (x === 8 && y === 8 ? [1, 1, 1] : [0.2, 0.2, 0.2]));
    expect(quickshift(image, { ...LIME, maxDist: 5 }).labels[8 * 16 + 8]).not.toBe(quickshift(image, { ...LIME, maxDist: 5 }).labels[0]);
    const blurred = quickshift(image, { ...LIME, maxDist: 5, sigma: 2 });
    expect(blurred.count).toBe(1);
  });

  it('rejects bad parameters naming them', () => {
    const image = quadrants(4);
    expect(() => quickshift(image, { kernelSize: 0.5 })).toThrow(MetricError);
    expect(() => quickshift(image, { kernelSize: 0.5 })).toThrow(/kernelSize: must be a finite number >= 1/);
    expect(() => quickshift(image, { ratio: -1 })).toThrow(/ratio/);
    expect(() => quickshift(image, { maxDist: NaN })).toThrow(/maxDist/);
    expect(() => quickshift(image, { sigma: -1 })).toThrow(/sigma/);
  });
});
