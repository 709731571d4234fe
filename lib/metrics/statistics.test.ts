import { describe, expect, it } from 'vitest';
import { bootstrapCi, mean, median, pairedPermutationTest, sampleVariance } from './statistics';

describe('summary statistics', () => {
  it('hand values', () => {
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(sampleVariance([1, 2, 3, 4])).toBeCloseTo(5 / 3, 15);
    expect(sampleVariance(Float64Array.from([2, 2]))).toBe(0);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('inputs not modified', () => {
    const v = [3, 1, 2];
    median(v);
    expect(v).toEqual([3, 1, 2]);
  });

  it('bad input names the argument', () => {
    expect(() => mean([])).toThrow(/mean: values: empty/);
    expect(() => median([1, NaN])).toThrow(/median: values: non-finite/);
    expect(() => sampleVariance([1])).toThrow(/sampleVariance: values: needs at least 2/);
  });
});

describe('bootstrapCi', () => {
  it('constant data gives a zero-width interval', () => {
    expect(bootstrapCi([3, 3, 3], { seed: 1, resamples: 200 })).toEqual({ estimate: 3, lower: 3, upper: 3, level: 0.95 });
  });

  it('two points: resample means are 0, .5, 1 with 1/4, 1/2, 1/4, so the 95% interval is [0, 1]', () => {
    const ci = bootstrapCi([0, 1], { seed: 2 });
    expect(ci).toEqual({ estimate: 0.5, lower: 0, upper: 1, level: 0.95 });
    // At level 0.4 the 30% and 70% quantiles both fall on the 0.5 atom.
    expect(bootstrapCi([0, 1], { seed: 2, level: 0.4 })).toMatchObject({ lower: 0.5, upper: 0.5 });
  });

  it('matches the normal approximation for 1..100 and is reproducible', () => {
    const v = Array.from({ length: 100 }, (_, i) => i + 1);
    const ci = bootstrapCi(v, { seed: 7 });
    const se = Math.sqrt(sampleVariance(v) / 100); // 2.901
    expect(ci.lower).toBeGreaterThan(50.5 - 1.96 * se * 1.1);
    expect(ci.lower).toBeLessThan(50.5 - 1.96 * se * 0.9);
    expect(ci.upper).toBeGreaterThan(50.5 + 1.96 * se * 0.9);
    expect(ci.upper).toBeLessThan(50.5 + 1.96 * se * 1.1);
    expect(bootstrapCi(v, { seed: 7 })).toEqual(ci);
  });

  it('bad input names the argument', () => {
    expect(() => bootstrapCi([], { seed: 1 })).toThrow(/bootstrapCi: values: empty/);
    expect(() => bootstrapCi([1, Infinity], { seed: 1 })).toThrow(/bootstrapCi: values: non-finite/);
    expect(() => bootstrapCi([1], { seed: 1, level: 1 })).toThrow(/bootstrapCi: level/);
  });
});

describe('pairedPermutationTest', () => {
  it('exact enumeration for small N: differences 1, 2, 3 → 2 of 8 patterns reach |6|', () => {
    expect(pairedPermutationTest([1, 2, 3], [0, 0, 0], { seed: 1 })).toEqual({ p: 0.25, meanDifference: 2, exact: true });
    expect(pairedPermutationTest([2, 2, 2, 2], [1, 1, 1, 1], { seed: 1 })).toEqual({ p: 0.125, meanDifference: 1, exact: true });
    expect(pairedPermutationTest([1, 2], [1, 2], { seed: 1 }).p).toBe(1);
  });

  it('Monte Carlo for large N: a strong effect reaches the floor 1/(permutations+1)', () => {
    const a = Array.from({ length: 40 }, (_, i) => 1 + (i % 3) * 0.1);
    const b = new Array<number>(40).fill(0);
    const r = pairedPermutationTest(a, b, { seed: 3, permutations: 999 });
    expect(r).toEqual({ p: 1 / 1000, meanDifference: expect.closeTo(mean(a), 12) as number, exact: false });
    // No effect: symmetric differences give a large p.
    const c = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 1 : -1));
    expect(pairedPermutationTest(c, b, { seed: 3, permutations: 999 }).p).toBeGreaterThan(0.5);
    expect(pairedPermutationTest(c, b, { seed: 3, permutations: 999 })).toEqual(pairedPermutationTest(c, b, { seed: 3, permutations: 999 }));
  });

  it('bad input names the argument', () => {
    expect(() => pairedPermutationTest([1], [1, 2], { seed: 1 })).toThrow(/pairedPermutationTest: b: length/);
    expect(() => pairedPermutationTest([], [], { seed: 1 })).toThrow(/pairedPermutationTest: a: empty/);
    expect(() => pairedPermutationTest([NaN], [1], { seed: 1 })).toThrow(/pairedPermutationTest: a: non-finite/);
  });
});
