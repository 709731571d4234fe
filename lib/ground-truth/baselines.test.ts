import { describe, expect, it } from 'vitest';
import { densityMap } from '../imaging/density-map';
import { CENTRE_BIAS_SIGMA_FRACTION, centreBiasMap, meanFixationMap, randomMap, rescaleFixations, uniformMap } from './baselines';
import { negativePool } from './negatives';

describe('baseline maps', () => {
  it('centre bias: sums to 1, peaks at the centre, Gaussian with σ = ¼ of each side', () => {
    const m = centreBiasMap(40, 20);
    expect(m.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const at = (x: number, y: number) => m.data[y * 40 + x] as number;
    // Pixel centres 19.5 and 20.5 are equidistant from the centre 20: the two middle pixels tie.
    expect(at(19, 9)).toBeCloseTo(at(20, 10), 15);
    expect(Math.max(...m.data)).toBeCloseTo(at(20, 10), 15);
    expect(CENTRE_BIAS_SIGMA_FRACTION).toBe(0.25);
    // σx = 10 px: pixel 30 (centre 30.5) is 1.05 σ from the image centre 20, pixel 20 is 0.05 σ.
    expect(at(30, 10) / at(20, 10)).toBeCloseTo(Math.exp(-0.5 * (1.05 ** 2 - 0.05 ** 2)), 12);
    // σy = 5 px: two rows further (y centre 12.5 vs 10.5 → 0.5 σ vs 0.1 σ).
    expect(at(20, 12) / at(20, 10)).toBeCloseTo(Math.exp(-0.5 * (0.5 ** 2 - 0.1 ** 2)), 12);
    expect(at(10, 10)).toBeCloseTo(at(29, 10), 15);
  });

  it('uniform is constant and sums to 1; random is seeded per image position', () => {
    const u = uniformMap(4, 5);
    expect(new Set(u.data).size).toBe(1);
    expect(u.data.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 15);
    expect(randomMap(8, 8, 3).data).toEqual(randomMap(8, 8, 3).data);
    expect(randomMap(8, 8, 3).data).not.toEqual(randomMap(8, 8, 4).data);
    for (const v of randomMap(8, 8, 0).data) expect(v >= 0 && v < 1).toBe(true);
  });

  it("mean fixation map = density of the other images' fixations rescaled to this size", () => {
    const others = [{ width: 20, height: 10, fixations: [{ x: 10, y: 5 }] }, { width: 40, height: 40, fixations: [{ x: 4, y: 36 }] }];
    expect(rescaleFixations(others, 40, 20)).toEqual([{ x: 20, y: 10 }, { x: 4, y: 18 }]);
    expect(meanFixationMap(others, 40, 20, 2)?.data).toEqual(densityMap([{ x: 20, y: 10 }, { x: 4, y: 18 }], 40, 20, 2).data);
    expect(meanFixationMap([], 40, 20, 2)).toBeNull();
  });
});

describe('shuffled-AUC negatives', () => {
  const pool = negativePool([
    { imageId: 'b', width: 10, height: 10, fixations: [{ x: 5, y: 5 }, { x: 1, y: 9 }] },
    { imageId: 'a', width: 20, height: 10, fixations: [{ x: 10, y: 0 }] },
    { imageId: 'c', width: 10, height: 20, fixations: [{ x: 9.99, y: 19.99 }] },
  ]);

  it("exclude the image's own fixations and rescale the others to its size", () => {
    expect(pool.total).toBe(4);
    expect(pool.negativesFor('b', 10, 10)).toEqual([{ x: 5, y: 0 }, { x: 9.99, y: 9.995 }]);
    expect(pool.negativesFor('a', 20, 10)).toEqual([{ x: 10, y: 5 }, { x: 2, y: 9 }, { x: 19.98, y: 9.995 }]);
    // An image outside the pool gets everyone's fixations.
    expect(pool.negativesFor('zzz', 10, 10)).toHaveLength(4);
  });

  it('above the cap: exactly cap points, a deterministic systematic sample, never the own image', () => {
    const images = Array.from({ length: 50 }, (_, k) => ({
      imageId: `img-${String(k).padStart(2, '0')}`,
      width: 100,
      height: 100,
      fixations: Array.from({ length: 20 }, (_, j) => ({ x: k + 0.5, y: j })),
    }));
    const capped = negativePool(images, 100);
    const n = capped.negativesFor('img-07', 100, 100);
    expect(n).toHaveLength(100);
    expect(n.some((p) => p.x === 7.5)).toBe(false);
    expect(capped.negativesFor('img-07', 100, 100)).toEqual(n);
    // Spread over the other images (systematic: about two per image).
    expect(new Set(n.map((p) => p.x)).size).toBeGreaterThan(40);
  });
});
