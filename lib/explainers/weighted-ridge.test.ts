import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricError } from '@/lib/metrics/errors';
import { weightedRidge } from './weighted-ridge';

const matrix = (rows: number[][]) => ({ data: rows.flat(), rows: rows.length, cols: (rows[0] as number[]).length });

describe('weightedRidge (scikit-learn Ridge(alpha, fit_intercept=True) with sample_weight)', () => {
  it('one feature by hand: β = Sxy / (Sxx + α), b = ȳ − x̄β with w-weighted means', () => {
    // x = [0, 1, 2], y = [1, 3, 2], w = [1, 2, 1]: x̄ = 1, ȳ = 2.25, Sxx = 2, Sxy = 1 → β = 1/3.
    const fit = weightedRidge(matrix([[0], [1], [2]]), [1, 3, 2], [1, 2, 1], 1);
    expect(fit.coef[0]).toBeCloseTo(1 / 3, 12);
    expect(fit.intercept).toBeCloseTo(2.25 - 1 / 3, 12);
    // R² = 1 − Σw(y − ŷ)² / Σw(y − ȳ)², computed by hand from the fit.
    const pred = [0, 1, 2].map((x) => fit.intercept + x / 3);
    const res = [1, 3, 2].reduce((s, y, i) => s + [1, 2, 1][i]! * (y - pred[i]!) ** 2, 0);
    const tot = [1, 3, 2].reduce((s, y, i) => s + [1, 2, 1][i]! * (y - 2.25) ** 2, 0);
    expect(fit.r2).toBeCloseTo(1 - res / tot, 12);
  });

  it('α = 0 recovers an exact linear function (y = 2 + 3·x1 − x2) whatever the weights', () => {
    const rows = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 5]];
    const y = rows.map(([a, b]) => 2 + 3 * a! - b!);
    const fit = weightedRidge(matrix(rows), y, [0.5, 1, 2, 0.1, 3], 0);
    expect(fit.coef[0]).toBeCloseTo(3, 10);
    expect(fit.coef[1]).toBeCloseTo(-1, 10);
    expect(fit.intercept).toBeCloseTo(2, 10);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('α shrinks the coefficients but never the intercept: y constant + α large → β ≈ 0, b = ȳ', () => {
    const fit = weightedRidge(matrix([[0, 1], [1, 0], [1, 1]]), [4, 6, 5], [1, 1, 2], 1e9);
    expect(Math.abs(fit.coef[0]!)).toBeLessThan(1e-8);
    expect(fit.intercept).toBeCloseTo((4 + 6 + 10) / 4, 6);
  });

  it('a weight of 2 equals the row given twice; scaling all weights by c equals α / c (property)', () => {
    const row = fc.tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }), fc.integer({ min: 0, max: 1 }));
    fc.assert(
      fc.property(
        fc.array(fc.tuple(row, fc.double({ min: -5, max: 5, noNaN: true }), fc.double({ min: 0.1, max: 3, noNaN: true })), { minLength: 2, maxLength: 12 }),
        fc.double({ min: 0.5, max: 4, noNaN: true }),
        (samples, c) => {
          const rows = samples.map(([r]) => [...r]);
          const y = samples.map(([, v]) => v);
          const w = samples.map(([, , v]) => v);
          const doubled = weightedRidge(matrix(rows), y, w.map((v, i) => (i === 0 ? 2 * v : v)), 1);
          const repeated = weightedRidge(matrix([rows[0]!, ...rows]), [y[0]!, ...y], [w[0]!, ...w], 1);
          doubled.coef.forEach((v, j) => expect(v).toBeCloseTo(repeated.coef[j]!, 8));
          expect(doubled.intercept).toBeCloseTo(repeated.intercept, 8);
          const scaled = weightedRidge(matrix(rows), y, w.map((v) => c * v), c);
          const base = weightedRidge(matrix(rows), y, w, 1);
          scaled.coef.forEach((v, j) => expect(v).toBeCloseTo(base.coef[j]!, 8));
        },
      ),
      { numRuns: 50 },
    );
  });

  it('does not modify its inputs', () => {
    const x = matrix([[0, 1], [1, 1], [1, 0]]);
    const data = [...x.data];
    const y = [1, 2, 3];
    const w = [1, 1, 1];
    weightedRidge(x, y, w, 1);
    expect(x.data).toEqual(data);
    expect(y).toEqual([1, 2, 3]);
    expect(w).toEqual([1, 1, 1]);
  });

  it('bad input names the argument', () => {
    const x = matrix([[0], [1]]);
    expect(() => weightedRidge(x, [1], [1, 1], 1)).toThrow(MetricError);
    expect(() => weightedRidge(x, [1], [1, 1], 1)).toThrow(/y: has 1 values for 2 rows/);
    expect(() => weightedRidge(x, [1, 2], [1, -1], 1)).toThrow(/weights: must be finite and >= 0/);
    expect(() => weightedRidge(x, [1, NaN], [1, 1], 1)).toThrow(/y: non-finite/);
    expect(() => weightedRidge(x, [1, 2], [1, 1], -1)).toThrow(/alpha/);
    expect(() => weightedRidge(x, [1, 2], [0, 0], 1)).toThrow(/weights: sum to 0/);
    expect(() => weightedRidge(matrix([[1], [1]]), [1, 2], [1, 1], 0)).toThrow(/singular/);
  });
});
