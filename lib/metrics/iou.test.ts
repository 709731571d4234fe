import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { iouTopK, iouTopKMask, topKCount, topKMask } from './iou';
import type { Grid } from './types';

const g = (values: number[], width = values.length): Grid => ({ width, height: values.length / width, data: Float64Array.from(values) });

/** Naive: sort indices by (value desc, index asc), take the first k. */
function naiveTopK(values: number[], k: number): number[] {
  const order = values.map((_, i) => i).sort((a, b) => (values[b] as number) - (values[a] as number) || a - b);
  const out = new Array<number>(values.length).fill(0);
  for (const i of order.slice(0, k)) out[i] = 1;
  return out;
}

describe('iouTopK', () => {
  it('hand cases', () => {
    const a = g([4, 3, 2, 1]);
    const b = g([1, 2, 3, 4]);
    expect(iouTopK(a, b, 50)).toBe(0); // {0,1} vs {2,3}
    expect(iouTopK(a, b, 75)).toBe(0.5); // {0,1,2} vs {1,2,3}: 2 / 4
    expect(iouTopK(a, a, 25)).toBe(1);
    expect(iouTopK(a, b, 100)).toBe(1);
  });

  it('k = max(1, round(p·N/100)); ties go to the lower pixel index', () => {
    expect(topKCount(10, 1)).toBe(1);
    expect(topKCount(10, 25)).toBe(3); // round(2.5) = 3
    expect(Array.from(topKMask(g([2, 2, 2, 2]), 2))).toEqual([1, 1, 0, 0]);
    expect(Array.from(topKMask(g([1, 5, 3, 5, 3]), 3))).toEqual([0, 1, 1, 1, 0]);
  });

  it('topKMask equals the naive sort; iouTopK is symmetric; inputs not modified', () => {
    const arb = fc.record({
      a: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
      b: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 12, maxLength: 12 }),
      p: fc.integer({ min: 1, max: 100 }),
    });
    fc.assert(
      fc.property(arb, ({ a, b, p }) => {
        const ga = g(a, 4);
        const gb = g(b, 4);
        const k = topKCount(12, p);
        expect(Array.from(topKMask(ga, k))).toEqual(naiveTopK(a, k));
        expect(iouTopK(ga, gb, p)).toBe(iouTopK(gb, ga, p));
        expect(Array.from(ga.data)).toEqual(a);
      }),
    );
  });
});

describe('iouTopKMask', () => {
  it('compares the top region with a binary mask', () => {
    const map = g([9, 8, 1, 0, 7, 2], 3);
    const mask = g([1, 0, 0, 0, 1, 0], 3);
    expect(iouTopKMask(map, mask, 50)).toBe(2 / 3); // top {0,1,4} vs {0,4}
  });

  it('bad input names the argument', () => {
    expect(() => iouTopKMask(g([1, 2]), g([0, 0]), 50)).toThrow(/iouTopKMask: mask: .*no non-zero/);
    expect(() => iouTopK(g([1, 2]), g([1, 2]), 0)).toThrow(/iouTopK: percent/);
    expect(() => iouTopK(g([1, 2]), g([1, 2, 3]), 50)).toThrow(/iouTopK: b: size/);
  });
});
