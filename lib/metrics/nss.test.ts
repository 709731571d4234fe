import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grid, points, reference } from '@/tests/fixtures/reference';
import { nss, nssMit } from './nss';
import type { Grid, Point } from './types';

// Reference values: pysaliency metrics.NSS (tests/fixtures/reference-metrics.README.md).

const map2x2: Grid = { width: 2, height: 2, data: Float64Array.from([0, 0, 0, 4]) };

describe('nss', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches pysaliency on %s at 1e-9', (_, c) => {
    expect(Math.abs(nss(grid(c.saliency), points(c.fixations)) - (c.expected.nss as number))).toBeLessThan(1e-9);
  });

  it('hand case: mean 1, population std sqrt(3)', () => {
    expect(nss(map2x2, [{ x: 1, y: 1 }])).toBeCloseTo(3 / Math.sqrt(3), 14);
    // Duplicates count: two fixations at (0,0) and one at (1,1).
    const dup = nss(map2x2, [{ x: 0, y: 0 }, { x: 0, y: 0 }, { x: 1, y: 1 }]);
    expect(dup).toBeCloseTo((-2 / Math.sqrt(3) + 3 / Math.sqrt(3)) / 3, 14);
  });

  it('nssMit uses the N-1 standard deviation', () => {
    expect(nssMit(map2x2, [{ x: 1, y: 1 }])).toBeCloseTo(1.5, 14);
  });

  it('fractional fixation coordinates are floored to their pixel', () => {
    expect(nss(map2x2, [{ x: 1.9, y: 1.2 }])).toBe(nss(map2x2, [{ x: 1, y: 1 }]));
  });

  it('constant map gives 0 (pysaliency rule)', () => {
    expect(nss({ width: 3, height: 1, data: new Float64Array([2, 2, 2]) }, [{ x: 0, y: 0 }])).toBe(0);
  });

  it('equals the naive z-score mean and is invariant to a*x+b (a>0); inputs not modified', () => {
    const arb = fc.record({
      values: fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 12, maxLength: 12 }),
      fix: fc.array(fc.nat({ max: 11 }), { minLength: 1, maxLength: 8 }),
      a: fc.double({ min: 0.01, max: 100, noNaN: true }),
      b: fc.double({ min: -100, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ values, fix, a, b }) => {
        const data = Float64Array.from(values);
        const s: Grid = { width: 4, height: 3, data };
        const f = fix.map((i) => ({ x: i % 4, y: Math.floor(i / 4) }));
        const before = Float64Array.from(data);
        const got = nss(s, f);
        expect(data).toEqual(before);
        const m = values.reduce((p, v) => p + v, 0) / 12;
        const sd = Math.sqrt(values.reduce((p, v) => p + (v - m) ** 2, 0) / 12);
        const naive = sd === 0 ? 0 : fix.reduce((p, i) => p + ((values[i] as number) - m) / sd, 0) / fix.length;
        expect(got).toBeCloseTo(naive, 9);
        if (sd > 1e-6) {
          const scaled: Grid = { width: 4, height: 3, data: data.map((v) => a * v + b) };
          expect(nss(scaled, f)).toBeCloseTo(got, 6);
        }
      }),
    );
  });

  it('bad input names the argument', () => {
    expect(() => nss(map2x2, [])).toThrow(/nss: fixations: empty/);
    expect(() => nss(map2x2, [{ x: 2, y: 0 }])).toThrow(/nss: fixations: .*outside/);
    expect(() => nss({ width: 2, height: 1, data: new Float64Array([1, NaN]) }, [{ x: 0, y: 0 }])).toThrow(/nss: saliency: non-finite/);
    expect(() => nss({ width: 2, height: 2, data: new Float64Array(3) }, [{ x: 0, y: 0 }])).toThrow(/nss: saliency/);
  });
});
