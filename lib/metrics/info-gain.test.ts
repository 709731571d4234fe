import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { infoGain, INFO_GAIN_EPS } from './info-gain';
import type { Grid, Point } from './types';

interface RefCase {
  name: string;
  saliency: { width: number; height: number; data: number[] };
  baseline: { width: number; height: number; data: number[] };
  fixations: [number, number][];
  expected: Record<string, number>;
}
// Reference values: MIT saliency benchmark InfoGain.m (tests/fixtures/reference-metrics.README.md).
const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../tests/fixtures/reference-metrics.json', import.meta.url)), 'utf8'),
) as { cases: RefCase[] };
const grid = (g: RefCase['saliency']): Grid => ({ width: g.width, height: g.height, data: Float64Array.from(g.data) });
const points = (f: [number, number][]): Point[] => f.map(([x, y]) => ({ x, y }));

describe('infoGain', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches InfoGain.m on %s at 1e-9', (_, c) => {
    const got = infoGain(grid(c.saliency), grid(c.baseline), points(c.fixations));
    expect(Math.abs(got - (c.expected.infoGain as number))).toBeLessThan(1e-9);
  });

  it('hand case: min-max, divide by sum, distinct fixated pixels only', () => {
    const s: Grid = { width: 2, height: 2, data: Float64Array.from([0, 1, 1, 2]) }; // -> 0, .25, .25, .5
    const b: Grid = { width: 2, height: 2, data: Float64Array.from([0, 1, 1, 1]) }; // -> 0, 1/3, 1/3, 1/3
    expect(infoGain(s, b, [{ x: 1, y: 1 }])).toBeCloseTo(Math.log2(0.5 / (1 / 3)), 14);
    const duplicates = [{ x: 1, y: 1 }, { x: 1, y: 1 }, { x: 1, y: 0 }];
    expect(infoGain(s, b, duplicates)).toBeCloseTo((Math.log2(1.5) + Math.log2(0.75)) / 2, 14);
    // A fixation on a zero pixel of both maps: log2(eps) - log2(eps) = 0.
    expect(infoGain(s, b, [{ x: 0, y: 0 }])).toBe(0);
    expect(INFO_GAIN_EPS).toBe(2.2204e-16);
  });

  it('is 0 for identical maps and invariant to a*x+b (a>0) of either map; inputs not modified', () => {
    const arb = fc.record({
      s: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }),
      b: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 9, maxLength: 9 }),
      fix: fc.array(fc.nat({ max: 8 }), { minLength: 1, maxLength: 5 }),
      a: fc.double({ min: 0.1, max: 10, noNaN: true }),
      c: fc.double({ min: -10, max: 10, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ s, b, fix, a, c }) => {
        fc.pre(Math.max(...s) - Math.min(...s) > 1e-3 && Math.max(...b) - Math.min(...b) > 1e-3);
        const sg: Grid = { width: 3, height: 3, data: Float64Array.from(s) };
        const bg: Grid = { width: 3, height: 3, data: Float64Array.from(b) };
        const f = fix.map((i) => ({ x: i % 3, y: Math.floor(i / 3) }));
        const got = infoGain(sg, bg, f);
        expect(Array.from(sg.data)).toEqual(s);
        expect(infoGain(sg, sg, f)).toBe(0);
        const scaled: Grid = { width: 3, height: 3, data: sg.data.map((v) => a * v + c) };
        // Pixels at (or within rounding of) the minimum scale to ~0, where log2(eps + .) magnifies
        // rounding: compare only when every fixated pixel sits clearly above the minimum.
        const min = Math.min(...s);
        const range = Math.max(...s) - min;
        if (fix.every((i) => (s[i] as number) - min > 1e-6 * range)) expect(infoGain(scaled, bg, f)).toBeCloseTo(got, 6);
      }),
    );
  });

  it('bad input names the argument', () => {
    const s: Grid = { width: 2, height: 1, data: Float64Array.from([0, 1]) };
    const flat: Grid = { width: 2, height: 1, data: Float64Array.from([3, 3]) };
    expect(() => infoGain(flat, s, [{ x: 0, y: 0 }])).toThrow(/infoGain: saliency: constant map/);
    expect(() => infoGain(s, flat, [{ x: 0, y: 0 }])).toThrow(/infoGain: baseline: constant map/);
    expect(() => infoGain(s, { width: 1, height: 2, data: Float64Array.from([0, 1]) }, [{ x: 0, y: 0 }])).toThrow(/infoGain: baseline: size/);
    expect(() => infoGain(s, s, [])).toThrow(/infoGain: fixations: empty/);
  });
});
