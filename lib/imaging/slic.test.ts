import { describe, expect, it } from 'vitest';
import { MetricError } from '../metrics/errors';
import { regularGrid, slic } from './slic';
import { labelsAreConnected, labelsAreContiguous, labelsIn, quadrants, rgbImage } from './superpixels.test-util';

describe('regularGrid (scikit-image util.regular_grid on (1, h, w))', () => {
  it('224×224, 100 seeds: step round(22.4) = 22 from floor(11.2) = 11', () => {
    expect(regularGrid(224, 224, 100)).toEqual({ y: [11, 22], x: [11, 22] });
  });
  it('12×24, 100 seeds: step sqrt(2.88) = 1.70 → start 0, step 2', () => {
    expect(regularGrid(12, 24, 100)).toEqual({ y: [0, 2], x: [0, 2] });
  });
  it('more seeds than pixels: every pixel', () => {
    expect(regularGrid(3, 3, 100)).toEqual({ y: [0, 1], x: [0, 1] });
  });
  it('rounds half to even like numpy: 8×8 with 16 seeds gives step 2, 18×18 with 36 seeds step 3', () => {
    expect(regularGrid(8, 8, 16)).toEqual({ y: [1, 2], x: [1, 2] });
    expect(regularGrid(25, 25, 100)).toEqual({ y: [1, 2], x: [1, 2] }); // sqrt(6.25) = 2.5 → 2
  });
});

describe('slic', () => {
  it('four flat quadrants with 4 segments → the quadrants', () => {
    const s = slic(quadrants(32), { nSegments: 4 });
    expect(s.count).toBe(4);
    for (const [x0, y0] of [[0, 0], [16, 0], [0, 16], [16, 16]] as const) expect(labelsIn(s, x0, x0 + 16, y0, y0 + 16).size).toBe(1);
  });

  it('two flat halves with the default 100 segments: 72 grid cells of 2×2 (seed step 2), contiguous labels', () => {
    const image = rgbImage(24, 12, (x) => (x < 12 ? [0.9, 0.1, 0.1] : [0.1, 0.2, 0.9]));
    const s = slic(image);
    expect(s.count).toBe(72);
    expect(labelsAreContiguous(s)).toBe(true);
    expect(labelsIn(s, 0, 2, 0, 2).size).toBe(1);
    expect(labelsIn(s, 0, 3, 0, 2).size).toBe(2);
  });

  it('segments are 4-connected and labels contiguous on a textured image; deterministic; input unchanged', () => {
    const image = rgbImage(60, 48, (x, y) => [(Math.sin(x / 5) + 1) / 2, ((x * y) % 17) / 17, (Math.cos(y / 7) + 1) / 2]);
    const copy = image.data.slice();
    const s = slic(image, { nSegments: 30 });
    expect(labelsAreConnected(s)).toBe(true);
    expect(labelsAreContiguous(s)).toBe(true);
    expect(slic(image, { nSegments: 30 }).labels).toEqual(s.labels);
    expect(image.data).toEqual(copy);
  });

  it('very high compactness ignores colour: Voronoi cells of the seed grid, ties to the earlier seed', () => {
    // Seeds at 4, 12, 20, 28 on both axes; a pixel equidistant from two seeds (x = 8, 16, 24)
    // keeps the first seed that reached it, so the cells span [0, 8], [9, 16], [17, 24], [25, 31].
    const image = rgbImage(32, 32, (x, y) => [((x * 13 + y * 7) % 10) / 10, 0.5, 0.5]);
    const spans = [[0, 9], [9, 17], [17, 25], [25, 32]] as const;
    for (const enforceConnectivity of [true, false]) {
      const s = slic(image, { nSegments: 16, compactness: 1e6, enforceConnectivity });
      expect(s.count).toBe(16);
      for (const [y0, y1] of spans) for (const [x0, x1] of spans) expect(labelsIn(s, x0, x1, y0, y1).size).toBe(1);
      expect(labelsIn(s, 0, 10, 0, 9).size).toBe(2);
    }
  });

  it('colour outweighs position at compactness 10: a red seed cell that caught one blue column loses the red pixels', () => {
    // Iteration 1 is purely spatial (seed colours start at 0), so the cell of the seed at x = 12
    // takes the blue column x = 16; its mean colour moves towards blue and, from iteration 2,
    // the pure red seed at x = 4 wins the whole red quadrant (scikit-image does the same).
    const raw = slic(quadrants(32), { nSegments: 16, enforceConnectivity: false });
    expect(labelsIn(raw, 0, 16, 0, 16).size).toBe(1);
    expect(slic(quadrants(32), { nSegments: 16, enforceConnectivity: false, maxIter: 1 }).count).toBe(16);
  });

  it('a constant image is rescaled without dividing by zero', () => {
    const s = slic(rgbImage(16, 16, () => [0.3, 0.3, 0.3]), { nSegments: 4 });
    expect(s.count).toBe(4);
  });

  it('rejects bad parameters naming them', () => {
    const image = quadrants(4);
    expect(() => slic(image, { nSegments: 0 })).toThrow(MetricError);
    expect(() => slic(image, { nSegments: 2.5 })).toThrow(/nSegments/);
    expect(() => slic(image, { compactness: 0 })).toThrow(/compactness: must be a finite number > 0/);
    expect(() => slic(image, { maxIter: 0 })).toThrow(/maxIter/);
    expect(() => slic({ width: 2, height: 2, data: new Float64Array(3) })).toThrow(/image: data has 3 values/);
  });
});
