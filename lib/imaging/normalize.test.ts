import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Grid } from '../metrics/types';
import { checkShapes, checkStatsFinite, isConstant, normalizeForOutput, normalizeMinMax, normalizeSum, normalizeZScore, pairStats, toDensity } from './normalize';

const g = (values: number[], width = values.length): Grid => ({ width, height: values.length / width, data: Float64Array.from(values) });

describe('normalizeMinMax', () => {
  it('maps min to 0 and max to 1; a constant map becomes zeros', () => {
    expect(Array.from(normalizeMinMax(g([2, 4, 6, 10])).data)).toEqual([0, 0.25, 0.5, 1]);
    expect(Array.from(normalizeMinMax(g([3, 3, 3])).data)).toEqual([0, 0, 0]);
  });
});

describe('normalizeForOutput', () => {
  it('min-max scales to [0, 1] as float32; a constant map becomes zeros; NaN is refused; the input is kept', () => {
    const input = g([-2, 0, 6]);
    const out = normalizeForOutput(input);
    expect(out.data).toBeInstanceOf(Float32Array);
    expect(Array.from(out.data)).toEqual([0, 0.25, 1]);
    expect(Array.from(input.data)).toEqual([-2, 0, 6]);
    expect(Array.from(normalizeForOutput(g([5, 5, 5, 5], 2)).data)).toEqual([0, 0, 0, 0]);
    expect(() => normalizeForOutput(g([1, NaN]))).toThrow(/normalizeForOutput: grid: non-finite value NaN at index 1/);
  });
});

describe('normalizeSum', () => {
  it('divides by the sum, throws on a zero sum naming the grid', () => {
    expect(Array.from(normalizeSum(g([1, 3])).data)).toEqual([0.25, 0.75]);
    expect(() => normalizeSum(g([1, -1]))).toThrow(/normalizeSum: grid: values sum to 0/);
  });
});

describe('normalizeZScore', () => {
  it('uses the population std (ddof 0); a constant map becomes zeros', () => {
    // mean 2.5, population variance 1.25
    const z = normalizeZScore(g([1, 2, 3, 4])).data;
    expect(z[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 14);
    expect(z[3]).toBeCloseTo(1.5 / Math.sqrt(1.25), 14);
    // 0.1 * 3 summed in float64 is not 0.3: the exact constancy test still gives zeros.
    expect(Array.from(normalizeZScore(g([0.1, 0.1, 0.1])).data)).toEqual([0, 0, 0]);
  });
});

describe('toDensity (pysaliency convert_saliency_map_to_density)', () => {
  it('shifts only a negative minimum, divides by the sum, all-zero becomes uniform', () => {
    expect(Array.from(toDensity(g([1, 3])).data)).toEqual([0.25, 0.75]); // no shift: min 1 > 0
    expect(Array.from(toDensity(g([-1, 1])).data)).toEqual([0, 1]); // shifted by -1
    expect(Array.from(toDensity(g([0, 0, 0, 0])).data)).toEqual([0.25, 0.25, 0.25, 0.25]);
    expect(Array.from(toDensity(g([-2, -2])).data)).toEqual([0.5, 0.5]); // shift leaves zeros
  });
});

describe('pairStats / checkStatsFinite / checkShapes', () => {
  it('gives min, max and sum of both maps, and a non-finite sum for NaN or infinite values', () => {
    const [a, b] = pairStats(Float64Array.from([1, -2, 5]), Float32Array.from([0, 4, 1]));
    expect(a).toEqual({ min: -2, max: 5, sum: 4 });
    expect(b).toEqual({ min: 0, max: 4, sum: 5 });
    const bad = g([1, Number.NaN]);
    const [s] = pairStats(bad.data, bad.data);
    expect(() => checkStatsFinite('m', 'saliency', bad, s)).toThrow(/m: saliency: non-finite value NaN at index 1/);
    const huge = g([Number.MAX_VALUE, Number.MAX_VALUE]);
    const [h] = pairStats(huge.data, huge.data);
    expect(() => checkStatsFinite('m', 'density', huge, h)).toThrow(/m: density: the sum of the values overflows/);
    expect(() => checkShapes('m', g([1, 2]), 'a', g([1, 2, 3]), 'b')).toThrow(/m: b: size 3x1 does not match a 2x1/);
    expect(() => checkShapes('m', { width: 2, height: 2, data: new Float64Array(3) }, 'a', g([1]), 'b')).toThrow(/m: a: data has 3 values/);
  });

  it('isConstant is exact', () => {
    expect(isConstant(Float64Array.from([0.3, 0.3]))).toBe(true);
    expect(isConstant(Float64Array.from([0.3, 0.1 + 0.2]))).toBe(false);
  });
});

describe('all normalisations', () => {
  it('return new Float64 grids and leave the input untouched; min-max is invariant to a*x+b (a>0)', () => {
    fc.assert(
      fc.property(
        // Integers keep a*x+b from collapsing distinct values (which would change min-max by design).
        fc.array(fc.integer({ min: -100, max: 100 }), { minLength: 2, maxLength: 30 }),
        fc.double({ min: 0.5, max: 20, noNaN: true }),
        fc.double({ min: -50, max: 50, noNaN: true }),
        (values, a, b) => {
          const input = g(values);
          const before = Float64Array.from(input.data);
          const outputs = [normalizeMinMax(input), normalizeZScore(input), toDensity(input)];
          for (const out of outputs) {
            expect(out.data).toBeInstanceOf(Float64Array);
            expect(out.data).not.toBe(input.data);
          }
          expect(input.data).toEqual(before);
          const scaled = normalizeMinMax(g(values.map((v) => a * v + b))).data;
          outputs[0]?.data.forEach((v, i) => expect(Math.abs(v - (scaled[i] as number))).toBeLessThan(1e-9));
        },
      ),
      { numRuns: 60 },
    );
  });
});
