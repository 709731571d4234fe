import { describe, expect, it } from 'vitest';
import { createRandom, type Random } from '@/lib/random';
import { MetricError } from '../metrics/errors';
import { riseMaskSampler } from './rise-masks';

/** A generator that replays the given uniforms. */
function scripted(values: number[]): Random {
  let i = 0;
  const next = (): number => {
    const v = values[i++];
    if (v === undefined) throw new Error('scripted random exhausted');
    return v;
  };
  return { next, int: (n) => Math.floor(next() * n), normal: () => 0 };
}

describe('riseMaskSampler', () => {
  it('hand case: s = 2 on 4×4 (cells of 2, upsampled to 6), grid [[1, 0], [0, 0]], shift dy = 0, dx = 1', () => {
    // Upsampled sample i reads the grid at (i + 0.5)/3 − 0.5: i = 0 → −1/3, mirrored: 2/3·g0 + 1/3·g1;
    // i = 1 → g0; i = 2 → 2/3·g0 + 1/3·g1; i = 3 → 1/3·g0 + 2/3·g1; i = 4 → g1.
    // Rows use i = y (weights of cell row 0: 2/3, 1, 2/3, 1/3), columns i = x + 1 (1, 2/3, 1/3, 0).
    const next = riseMaskSampler({ width: 4, height: 4, s: 2, p1: 0.5 }, scripted([0.1, 0.9, 0.9, 0.9, 0.1, 0.6]));
    const rowWeight = [2 / 3, 1, 2 / 3, 1 / 3];
    const colWeight = [1, 2 / 3, 1 / 3, 0];
    const expected = rowWeight.flatMap((r) => colWeight.map((c) => r * c));
    Array.from(next()).forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 6));
  });

  it('p1 = 1 keeps everything: every mask is all ones', () => {
    const next = riseMaskSampler({ width: 13, height: 7, s: 3, p1: 1 }, createRandom(1));
    for (let k = 0; k < 5; k++) expect(Array.from(next()).every((v) => Math.abs(v - 1) < 1e-6)).toBe(true);
  });

  it('values lie in [0, 1] and their mean over many masks is p1 at every pixel (up to sampling error)', () => {
    const width = 12;
    const height = 10;
    const p1 = 0.4;
    const next = riseMaskSampler({ width, height, s: 4, p1 }, createRandom(7));
    const n = 3000;
    const sum = new Float64Array(width * height);
    for (let k = 0; k < n; k++) {
      const m = next();
      m.forEach((v, i) => {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
        sum[i] = (sum[i] as number) + v;
      });
    }
    // Each value is a convex mix of Bernoulli(p1) cells: sd ≤ sqrt(p1(1−p1)/n) ≈ 0.009.
    sum.forEach((v) => expect(Math.abs(v / n - p1)).toBeLessThan(0.04));
    const overall = sum.reduce((a, b) => a + b, 0) / (n * width * height);
    expect(Math.abs(overall - p1)).toBeLessThan(0.01);
  });

  it('same seed → same masks; different seed → different masks', () => {
    const opts = { width: 16, height: 16, s: 8, p1: 0.5 };
    const a = riseMaskSampler(opts, createRandom(3));
    const b = riseMaskSampler(opts, createRandom(3));
    const c = riseMaskSampler(opts, createRandom(4));
    const ma = a();
    expect(b()).toEqual(ma);
    expect(c()).not.toEqual(ma);
  });

  it('rejects bad sizes, s and p1', () => {
    const r = createRandom(1);
    expect(() => riseMaskSampler({ width: 0, height: 4, s: 2, p1: 0.5 }, r)).toThrow(MetricError);
    expect(() => riseMaskSampler({ width: 4, height: 4, s: 0, p1: 0.5 }, r)).toThrow(/s: must be a positive integer/);
    expect(() => riseMaskSampler({ width: 4, height: 4, s: 2, p1: 0 }, r)).toThrow(/p1: must be in \(0, 1\]/);
    expect(() => riseMaskSampler({ width: 4, height: 4, s: 2, p1: 1.5 }, r)).toThrow(/p1/);
  });
});
