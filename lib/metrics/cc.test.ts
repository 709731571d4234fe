import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grid, reference } from '@/tests/fixtures/reference';
import { cc } from './cc';
import type { Grid } from './types';

// Reference values: pysaliency metrics.CC (tests/fixtures/reference-metrics.README.md).
const row = (values: number[]): Grid => ({ width: values.length, height: 1, data: Float64Array.from(values) });

/** Textbook Pearson r, independent of the implementation's pass structure. */
function naivePearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  const cov = a.reduce((s, v, i) => s + (v - ma) * ((b[i] as number) - mb), 0);
  const va = a.reduce((s, v) => s + (v - ma) ** 2, 0);
  const vb = b.reduce((s, v) => s + (v - mb) ** 2, 0);
  return cov / Math.sqrt(va * vb);
}

describe('cc', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches pysaliency on %s at 1e-9', (_, c) => {
    expect(Math.abs(cc(grid(c.saliency), grid(c.density)) - (c.expected.cc as number))).toBeLessThan(1e-9);
  });

  it('hand cases: ±1 for linear relations, 0.8 for one swapped pair', () => {
    expect(cc(row([1, 2, 3]), row([2, 4, 6]))).toBe(1);
    expect(cc(row([1, 2, 3]), row([3, 2, 1]))).toBe(-1);
    // centred: (-1.5, -.5, .5, 1.5) and (-1.5, .5, -.5, 1.5): 4 / 5
    expect(cc(row([1, 2, 3, 4]), row([1, 3, 2, 4]))).toBeCloseTo(0.8, 15);
  });

  it('a constant map on either side gives 0, even when its float mean is not exact', () => {
    expect(cc(row([2, 2, 2]), row([1, 2, 3]))).toBe(0);
    expect(cc(row([1, 2, 3]), row([5, 5, 5]))).toBe(0);
    expect(cc(row([5, 5]), row([5, 5]))).toBe(0);
    const n = 640 * 480;
    const flat: Grid = { width: 640, height: 480, data: new Float64Array(n).fill(0.1) };
    const wavy: Grid = { width: 640, height: 480, data: Float64Array.from({ length: n }, (_, i) => Math.sin(i)) };
    expect(cc(flat, wavy)).toBe(0);
    expect(cc(wavy, flat)).toBe(0);
  });

  it('equals naive Pearson, is symmetric, invariant to a*x+b (a>0), flips sign for a<0; inputs not modified', () => {
    const arb = fc.record({
      a: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 12, maxLength: 12 }),
      b: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 12, maxLength: 12 }),
      scale: fc.double({ min: 0.01, max: 100, noNaN: true }),
      shift: fc.double({ min: -100, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ a, b, scale, shift }) => {
        const spread = (v: number[]) => Math.max(...v) - Math.min(...v);
        fc.pre(spread(a) > 1e-3 && spread(b) > 1e-3);
        const s: Grid = { width: 4, height: 3, data: Float64Array.from(a) };
        const d: Grid = { width: 4, height: 3, data: Float32Array.from(b) };
        const r = cc(s, d);
        expect(r).toBeCloseTo(naivePearson(a, Array.from(d.data)), 9);
        expect(cc(d, s)).toBeCloseTo(r, 12);
        const affine: Grid = { width: 4, height: 3, data: Float64Array.from(a, (v) => scale * v + shift) };
        expect(cc(affine, d)).toBeCloseTo(r, 9);
        const flipped: Grid = { width: 4, height: 3, data: Float64Array.from(a, (v) => -scale * v + shift) };
        expect(cc(flipped, d)).toBeCloseTo(-r, 9);
        expect(Array.from(s.data)).toEqual(a);
        expect(Math.abs(r)).toBeLessThanOrEqual(1);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects mismatched sizes and non-finite values, naming the argument', () => {
    expect(() => cc(row([1, 2, 3]), row([1, 2]))).toThrow(/cc: density: size 2x1 does not match saliency 3x1/);
    expect(() => cc(row([1, Number.NaN, 3]), row([1, 2, 3]))).toThrow(/cc: saliency: non-finite value NaN at index 1/);
    expect(() => cc(row([1, 2, 3]), row([1, -Infinity, 3]))).toThrow(/cc: density: non-finite/);
    expect(() => cc({ width: 2, height: 2, data: new Float64Array(3) }, row([1, 2, 3, 4]))).toThrow(/cc: saliency: data has 3 values/);
  });
});
