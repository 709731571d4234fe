import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grid, reference } from '@/tests/fixtures/reference';
import { MATLAB_EPS, PYSALIENCY_KLD_EPS, kld, kldMit } from './kld';
import type { Grid } from './types';

// Reference values: pysaliency metrics.MIT_KLDiv(saliency, density) (tests/fixtures/reference-metrics.README.md).
const row = (values: number[]): Grid => ({ width: values.length, height: 1, data: Float64Array.from(values) });

/** Σ q·log(eps + q/(p + eps)) on already-normalised distributions. */
const klFormula = (p: number[], q: number[], eps: number) => q.reduce((s, qi, i) => s + qi * Math.log(eps + qi / ((p[i] as number) + eps)), 0);

describe('kld', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches pysaliency MIT_KLDiv on %s at 1e-9', (_, c) => {
    expect(Math.abs(kld(grid(c.saliency), grid(c.density)) - (c.expected.kld as number))).toBeLessThan(1e-9);
  });

  it('hand case: KL((1/2, 1/2) || (1/4, 3/4)) = ½ln2 + ½ln(2/3), direction density || saliency', () => {
    const expected = 0.5 * Math.log(2) + 0.5 * Math.log(2 / 3);
    expect(kld(row([1, 3]), row([1, 1]))).toBeCloseTo(expected, 14);
    // Not symmetric: the other direction is ¼ln(½) + ¾ln(3/2).
    expect(kld(row([1, 1]), row([1, 3]))).toBeCloseTo(0.25 * Math.log(0.5) + 0.75 * Math.log(1.5), 14);
  });

  it('identical maps give ~0; density zeros add nothing; saliency zeros under mass are finite and large', () => {
    expect(Math.abs(kld(row([1, 2, 3]), row([2, 4, 6])))).toBeLessThan(1e-12);
    expect(kld(row([1, 1]), row([0, 1]))).toBeCloseTo(Math.log(2), 12);
    const spike = kld(row([0, 1]), row([1, 1]));
    expect(Number.isFinite(spike)).toBe(true);
    expect(spike).toBeCloseTo(klFormula([0, 1], [0.5, 0.5], PYSALIENCY_KLD_EPS), 10);
    expect(spike).toBeGreaterThan(15);
  });

  it('equals the formula on pysaliency densities; invariant to positive scaling; inputs not modified', () => {
    const arb = fc.record({
      a: fc.array(fc.double({ min: 0.01, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }),
      b: fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: 8, maxLength: 8 }),
      k: fc.double({ min: 0.1, max: 50, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ a, b, k }) => {
        fc.pre(b.some((v) => v > 0));
        const sa = a.reduce((s, v) => s + v, 0);
        const sb = b.reduce((s, v) => s + v, 0);
        const s: Grid = { width: 4, height: 2, data: Float64Array.from(a) };
        const d: Grid = { width: 4, height: 2, data: Float64Array.from(b) };
        const value = kld(s, d);
        expect(value).toBeCloseTo(klFormula(a.map((v) => v / sa), b.map((v) => v / sb), PYSALIENCY_KLD_EPS), 10);
        expect(kld({ ...s, data: Float64Array.from(a, (v) => k * v) }, d)).toBeCloseTo(value, 10);
        expect(Array.from(s.data)).toEqual(a);
        expect(Array.from(d.data)).toEqual(b);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects mismatched sizes and non-finite values, naming the argument', () => {
    expect(() => kld(row([1, 2]), row([1]))).toThrow(/kld: density: size/);
    expect(() => kld(row([Number.NaN, 2]), row([1, 2]))).toThrow(/kld: saliency: non-finite/);
    expect(() => kld(row([1, 2]), row([1, Infinity]))).toThrow(/kld: density: non-finite/);
  });
});

describe('kldMit (MIT KLdiv.m)', () => {
  it("uses MATLAB's eps 2^-52 instead of pysaliency's 2.2204e-16", () => {
    expect(MATLAB_EPS).toBe(2.220446049250313e-16);
    const value = kldMit(row([0, 1]), row([1, 1]));
    expect(value).toBeCloseTo(klFormula([0, 1], [0.5, 0.5], MATLAB_EPS), 12);
    expect(Math.abs(value - kld(row([0, 1]), row([1, 1])))).toBeGreaterThan(1e-6);
  });

  it('does not shift by the minimum: negative maps are refused, zero maps stay zero', () => {
    expect(() => kldMit(row([-1, 1]), row([1, 1]))).toThrow(/kldMit: saliency: negative value -1/);
    expect(kldMit(row([1, 1]), row([0, 0]))).toBe(0);
  });
});
