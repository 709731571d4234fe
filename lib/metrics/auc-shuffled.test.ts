import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { aucShuffled } from './auc-shuffled';
import type { Grid, Point } from './types';

interface RefCase {
  name: string;
  saliency: { width: number; height: number; data: number[] };
  fixations: [number, number][];
  negativeFixations: [number, number][];
  expected: Record<string, number>;
}
// Reference values: pysaliency general_roc (tests/fixtures/reference-metrics.README.md).
const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../tests/fixtures/reference-metrics.json', import.meta.url)), 'utf8'),
) as { cases: RefCase[] };
const grid = (g: RefCase['saliency']): Grid => ({ width: g.width, height: g.height, data: Float64Array.from(g.data) });
const points = (f: [number, number][]): Point[] => f.map(([x, y]) => ({ x, y }));

/** Mann-Whitney form of the all-threshold ROC area: P(pos > neg) + P(pos = neg)/2. */
function naive(pos: number[], neg: number[]): number {
  let s = 0;
  for (const p of pos) for (const n of neg) s += p > n ? 1 : p === n ? 0.5 : 0;
  return s / (pos.length * neg.length);
}

describe('aucShuffled', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches pysaliency on %s at 1e-9', (_, c) => {
    const got = aucShuffled(grid(c.saliency), points(c.fixations), points(c.negativeFixations));
    expect(Math.abs(got - (c.expected.aucShuffled as number))).toBeLessThan(1e-9);
  });

  it('perfect separation scores 1, a positive tied with a negative counts one half', () => {
    const s: Grid = { width: 3, height: 1, data: Float64Array.from([0, 1, 2]) };
    expect(aucShuffled(s, [{ x: 2, y: 0 }], [{ x: 0, y: 0 }, { x: 1, y: 0 }])).toBe(1);
    expect(aucShuffled(s, [{ x: 1, y: 0 }], [{ x: 1, y: 0 }])).toBe(0.5);
    // positives {2, 1}, negatives {1, 0}: pairs 2>1, 2>0, 1=1, 1>0 -> 3.5 / 4
    expect(aucShuffled(s, [{ x: 2, y: 0 }, { x: 1, y: 0 }], [{ x: 1, y: 0 }, { x: 0, y: 0 }])).toBe(0.875);
  });

  it('rescales negatives recorded on an image of another size (floor(x * w / w_other))', () => {
    const s: Grid = { width: 4, height: 2, data: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]) };
    const fix = [{ x: 3, y: 1 }, { x: 1, y: 0 }];
    // On an 8x4 image, (7,3) -> (3,1), (2,1) -> (1,0), (5,0) -> (2,0).
    const other = [{ x: 7, y: 3 }, { x: 2, y: 1 }, { x: 5, y: 0 }];
    const same = [{ x: 3, y: 1 }, { x: 1, y: 0 }, { x: 2, y: 0 }];
    expect(aucShuffled(s, fix, other, { negativeSize: { width: 8, height: 4 } })).toBe(aucShuffled(s, fix, same));
    expect(() => aucShuffled(s, fix, other)).toThrow(/aucShuffled: negativeFixations: .*outside/);
  });

  it('equals the Mann-Whitney count; inputs not modified', () => {
    const arb = fc.record({
      values: fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 12, maxLength: 12 }),
      pos: fc.array(fc.nat({ max: 11 }), { minLength: 1, maxLength: 8 }),
      neg: fc.array(fc.nat({ max: 11 }), { minLength: 1, maxLength: 8 }),
    });
    fc.assert(
      fc.property(arb, ({ values, pos, neg }) => {
        const data = Float64Array.from(values);
        const before = Float64Array.from(data);
        const toPts = (ix: number[]) => ix.map((i) => ({ x: i % 4, y: Math.floor(i / 4) }));
        const got = aucShuffled({ width: 4, height: 3, data }, toPts(pos), toPts(neg));
        expect(data).toEqual(before);
        expect(got).toBeCloseTo(naive(pos.map((i) => values[i] as number), neg.map((i) => values[i] as number)), 12);
      }),
    );
  });

  it('bad input names the argument', () => {
    const s: Grid = { width: 2, height: 1, data: Float64Array.from([0, 1]) };
    expect(() => aucShuffled(s, [{ x: 0, y: 0 }], [])).toThrow(/aucShuffled: negativeFixations: empty/);
    expect(() => aucShuffled(s, [], [{ x: 0, y: 0 }])).toThrow(/aucShuffled: fixations: empty/);
    expect(() => aucShuffled(s, [{ x: 0, y: 0 }], [{ x: 0, y: 0 }], { negativeSize: { width: 0, height: 2 } })).toThrow(/aucShuffled: negativeSize/);
  });
});
