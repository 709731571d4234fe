import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { averageRanks, spearman } from './spearman';

const f = (values: number[]): Float64Array => Float64Array.from(values);

/** Naive: ranks by counting (less-than + half the ties), then Pearson. */
function naive(a: number[], b: number[]): number {
  const rank = (v: number[]) => v.map((x) => v.filter((y) => y < x).length + (v.filter((y) => y === x).length + 1) / 2);
  const ra = rank(a);
  const rb = rank(b);
  const m = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ma = m(ra);
  const mb = m(rb);
  const cov = ra.reduce((s, x, i) => s + (x - ma) * ((rb[i] as number) - mb), 0);
  const va = ra.reduce((s, x) => s + (x - ma) ** 2, 0);
  const vb = rb.reduce((s, x) => s + (x - mb) ** 2, 0);
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

describe('spearman', () => {
  it('scipy.stats.spearmanr([1, 2, 3, 4, 5], [5, 6, 7, 8, 7]) = 0.8207826816681233 (scipy docs example; ties averaged)', () => {
    expect(Array.from(averageRanks([5, 6, 7, 8, 7]))).toEqual([1, 2, 3.5, 5, 3.5]);
    expect(spearman(f([1, 2, 3, 4, 5]), f([5, 6, 7, 8, 7]))).toBeCloseTo(0.8207826816681233, 14);
  });

  it('is 1 for any increasing transform, −1 for a decreasing one, 0 for a constant input', () => {
    expect(spearman(f([0.1, 3, 2, 8]), f([Math.exp(0.1), Math.exp(3), Math.exp(2), Math.exp(8)]))).toBe(1);
    expect(spearman(f([1, 2, 3]), f([3, 2, 1]))).toBe(-1);
    expect(spearman(f([1, 2, 3]), f([4, 4, 4]))).toBe(0);
  });

  it('refuses different lengths, fewer than two values and NaN; leaves its inputs alone', () => {
    expect(() => spearman(f([1, 2]), f([1]))).toThrow(/spearman: b: length 1 does not match a \(2\)/);
    expect(() => spearman(f([1]), f([1]))).toThrow(/needs at least 2 values/);
    expect(() => spearman(f([1, NaN]), f([1, 2]))).toThrow(/spearman: a: non-finite value NaN at index 1/);
    const a = f([3, 1, 2]);
    spearman(a, f([1, 2, 3]));
    expect(Array.from(a)).toEqual([3, 1, 2]);
  });

  it('property: equals the naive rank correlation, is symmetric and in [−1, 1]', () => {
    const values = fc.array(fc.integer({ min: -5, max: 5 }), { minLength: 2, maxLength: 40 });
    fc.assert(
      fc.property(values, fc.integer(), (a, seed) => {
        const b = a.map((x, i) => ((x * 7 + i * 13 + seed) % 5) - 2);
        const rho = spearman(f(a), f(b));
        expect(rho).toBeCloseTo(naive(a, b), 12);
        expect(spearman(f(b), f(a))).toBeCloseTo(rho, 12);
        expect(Math.abs(rho)).toBeLessThanOrEqual(1);
      }),
    );
  });
});
