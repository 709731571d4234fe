import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grid, reference } from '@/tests/fixtures/reference';
import { sim, simMit } from './sim';
import type { Grid } from './types';

// Reference values: pysaliency metrics.SIM (tests/fixtures/reference-metrics.README.md).
const row = (values: number[]): Grid => ({ width: values.length, height: 1, data: Float64Array.from(values) });

/** pysaliency SIM written out: densities by shift-if-negative / sum (zero → uniform), Σ min. */
function naiveSim(a: number[], b: number[]): number {
  const density = (v: number[]) => {
    const min = Math.min(...v);
    const shifted = min < 0 ? v.map((x) => x - min) : v;
    const sum = shifted.reduce((s, x) => s + x, 0);
    return sum === 0 ? v.map(() => 1 / v.length) : shifted.map((x) => x / sum);
  };
  const p = density(a);
  const q = density(b);
  return p.reduce((s, x, i) => s + Math.min(x, q[i] as number), 0);
}

describe('sim', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches pysaliency on %s at 1e-9', (_, c) => {
    expect(Math.abs(sim(grid(c.saliency), grid(c.density)) - (c.expected.sim as number))).toBeLessThan(1e-9);
  });

  it('hand cases: identical 1, disjoint 0, half overlap 0.5', () => {
    expect(sim(row([1, 2, 3]), row([2, 4, 6]))).toBeCloseTo(1, 15);
    expect(sim(row([1, 0]), row([0, 1]))).toBe(0);
    expect(sim(row([1, 0]), row([1, 1]))).toBe(0.5);
  });

  it('shifts only negative minima; an all-zero map is uniform', () => {
    // [-1, 1] -> [0, 2] -> (0, 1); [1, 3] has min 1 >= 0, so no shift: (0.25, 0.75)
    expect(sim(row([-1, 1]), row([1, 3]))).toBe(0.75);
    expect(sim(row([0, 0, 0, 0]), row([1, 0, 0, 0]))).toBe(0.25);
  });

  it('equals the naive formula, is symmetric and in [0, 1]; inputs not modified', () => {
    const arb = fc.record({
      a: fc.array(fc.double({ min: -5, max: 10, noNaN: true }), { minLength: 9, maxLength: 9 }),
      b: fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 9, maxLength: 9 }),
    });
    fc.assert(
      fc.property(arb, ({ a, b }) => {
        const s: Grid = { width: 3, height: 3, data: Float64Array.from(a) };
        const d: Grid = { width: 3, height: 3, data: Float64Array.from(b) };
        const value = sim(s, d);
        expect(value).toBeCloseTo(naiveSim(a, b), 12);
        expect(sim(d, s)).toBeCloseTo(value, 14);
        expect(value).toBeGreaterThanOrEqual(-1e-15);
        expect(value).toBeLessThanOrEqual(1 + 1e-12);
        expect(Array.from(s.data)).toEqual(a);
        expect(Array.from(d.data)).toEqual(b);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects mismatched sizes and non-finite values, naming the argument', () => {
    expect(() => sim(row([1, 2]), row([1, 2, 3]))).toThrow(/sim: density: size/);
    expect(() => sim(row([1, Infinity]), row([1, 2]))).toThrow(/sim: saliency: non-finite/);
    expect(() => sim(row([1, 2]), row([Number.NaN, 2]))).toThrow(/sim: density: non-finite/);
  });
});

describe('simMit (MIT similarity.m)', () => {
  it('min-max scales before dividing by the sum, unlike pysaliency', () => {
    // pysaliency: (0.25, 0.75) vs (0.75, 0.25) -> 0.5; MIT: (0, 1) vs (1, 0) -> 0
    expect(sim(row([1, 3]), row([3, 1]))).toBe(0.5);
    expect(simMit(row([1, 3]), row([3, 1]))).toBe(0);
    expect(simMit(row([1, 2, 3]), row([10, 20, 30]))).toBeCloseTo(1, 15);
  });

  it('an all-zero map stays zero (score 0); a constant non-zero map is refused (MATLAB gives NaN)', () => {
    expect(simMit(row([0, 0]), row([1, 2]))).toBe(0);
    expect(() => simMit(row([2, 2]), row([1, 2]))).toThrow(/simMit: saliency: constant non-zero map/);
    expect(() => simMit(row([1, 2]), row([3, 3]))).toThrow(/simMit: density/);
  });
});
