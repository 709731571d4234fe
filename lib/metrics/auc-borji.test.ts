import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aucBorji } from './auc-borji';
import type { Grid } from './types';
import { createRandom } from '../random';

describe('aucBorji', () => {
  it('hand case: 1x2 map [0, 1], fixation on the 1 — each split scores 1 or 0.5 by its draw', () => {
    // A split whose negative lands on pixel 0 separates perfectly (1); on pixel 1 it ties (0.5).
    const s: Grid = { width: 2, height: 1, data: Float64Array.from([0, 1]) };
    for (const splits of [1, 7, 100]) {
      const draws = createRandom(11);
      let expected = 0;
      for (let i = 0; i < splits; i++) expected += draws.int(2) === 0 ? 1 : 0.5;
      expect(aucBorji(s, [{ x: 1, y: 0 }], { seed: 11, splits })).toBeCloseTo(expected / splits, 14);
    }
  });

  it('duplicate fixations count once (MIT binary fixation map)', () => {
    const data = Float64Array.from({ length: 30 }, (_, i) => (i * 7) % 11);
    const s: Grid = { width: 6, height: 5, data };
    const once = aucBorji(s, [{ x: 1, y: 1 }, { x: 4, y: 2 }], { seed: 3 });
    const twice = aucBorji(s, [{ x: 1, y: 1 }, { x: 4, y: 2 }, { x: 4, y: 2 }], { seed: 3 });
    expect(twice).toBe(once);
  });

  it('same seed gives the same value; a map peaked on the fixations beats chance', () => {
    const data = new Float64Array(400);
    const fix = [{ x: 3, y: 4 }, { x: 10, y: 12 }, { x: 15, y: 2 }];
    for (const p of fix) data[p.y * 20 + p.x] = 1;
    const s: Grid = { width: 20, height: 20, data };
    const a = aucBorji(s, fix, { seed: 5 });
    expect(aucBorji(s, fix, { seed: 5 })).toBe(a);
    // Negatives hit a fixated pixel with probability 3/400, so the mean is close to 1.
    expect(a).toBeGreaterThan(0.97);
    expect(a).toBeLessThanOrEqual(1);
  });

  it('invariant to a*x+b (a>0) up to threshold rounding; inputs not modified', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 5 }), (values, a) => {
        fc.pre(Math.max(...values) > Math.min(...values));
        const data = Float64Array.from(values);
        const fix = [{ x: 0, y: 0 }, { x: 3, y: 2 }];
        const got = aucBorji({ width: 4, height: 4, data }, fix, { seed: 1, splits: 10, step: 0.25 });
        expect(Array.from(data)).toEqual(values);
        // Integer maps scaled by an integer: min-max scaling gives the same quarter-grid values.
        const scaled = aucBorji({ width: 4, height: 4, data: data.map((v) => a * v + 3) }, fix, { seed: 1, splits: 10, step: 0.25 });
        expect(scaled).toBeCloseTo(got, 12);
      }),
    );
  });

  it('bad input names the argument', () => {
    const s: Grid = { width: 2, height: 1, data: Float64Array.from([0, 1]) };
    expect(() => aucBorji({ width: 2, height: 1, data: Float64Array.from([1, 1]) }, [{ x: 0, y: 0 }], { seed: 1 })).toThrow(/aucBorji: saliency: constant/);
    expect(() => aucBorji(s, [{ x: 0, y: 0 }], { seed: 1, splits: 0 })).toThrow(/aucBorji: splits/);
    expect(() => aucBorji(s, [{ x: 0, y: 0 }], { seed: 1, step: 0 })).toThrow(/aucBorji: step/);
    expect(() => aucBorji(s, [], { seed: 1 })).toThrow(/aucBorji: fixations/);
  });
});
