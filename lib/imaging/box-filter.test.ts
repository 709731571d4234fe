import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricError } from '../metrics/errors';
import type { Grid } from '../metrics/types';
import { uniformFilter } from './box-filter';
import { type BoundaryMode, extendIndex } from './gaussian';

// scipy 1.17.1: scipy.ndimage.uniform_filter(g, size, mode=mode) on the 5x4 map of gaussian.test.ts.
const G: Grid = { width: 5, height: 4, data: Float64Array.from([0.0, 0.7, 0.3, 1.0, 0.6, 0.2, 0.9, 0.5, 0.1, 0.8, 0.4, 0.0, 0.7, 0.3, 1.0, 0.6, 0.2, 0.9, 0.5, 0.1]) };
const SCIPY: Record<string, number[]> = {
  'uniform-reflect-3': [0.3, 0.39999999999999997, 0.6111111111111112, 0.5777777777777778, 0.6777777777777777, 0.3111111111111111, 0.41111111111111115, 0.5, 0.5888888888888889, 0.6888888888888888, 0.3888888888888889, 0.48888888888888893, 0.45555555555555555, 0.5444444444444444, 0.5222222222222221, 0.39999999999999997, 0.5, 0.46666666666666673, 0.5555555555555556, 0.41111111111111115],
  'uniform-reflect-4': [0.44999999999999996, 0.35, 0.4625, 0.6125, 0.5875, 0.3625, 0.33125, 0.44375, 0.59375, 0.6375, 0.375, 0.41250000000000003, 0.45625000000000004, 0.5375000000000001, 0.58125, 0.3875, 0.49375, 0.46875, 0.48124999999999996, 0.5249999999999999],
  'uniform-nearest-3': [0.3, 0.39999999999999997, 0.6111111111111112, 0.5777777777777778, 0.6777777777777777, 0.3111111111111111, 0.41111111111111115, 0.5, 0.5888888888888889, 0.6888888888888888, 0.3888888888888889, 0.48888888888888893, 0.45555555555555555, 0.5444444444444444, 0.5222222222222221, 0.39999999999999997, 0.5, 0.46666666666666673, 0.5555555555555556, 0.41111111111111115],
  'uniform-nearest-4': [0.22499999999999998, 0.3, 0.48124999999999996, 0.6312499999999999, 0.6062499999999998, 0.25625, 0.33124999999999993, 0.44375, 0.59375, 0.6375, 0.3375, 0.4125, 0.45625, 0.5375, 0.5812499999999999, 0.41875, 0.49375, 0.46875, 0.48124999999999996, 0.5249999999999999],
  'uniform-mirror-3': [0.6, 0.4666666666666666, 0.5555555555555555, 0.5222222222222221, 0.5111111111111111, 0.4222222222222222, 0.41111111111111115, 0.5, 0.5888888888888889, 0.5777777777777778, 0.3777777777777778, 0.48888888888888893, 0.45555555555555555, 0.5444444444444444, 0.41111111111111115, 0.20000000000000004, 0.43333333333333335, 0.39999999999999997, 0.6111111111111112, 0.47777777777777786],
  'uniform-mirror-4': [0.4875, 0.4875, 0.425, 0.575, 0.5125, 0.4875, 0.4875, 0.425, 0.575, 0.5125, 0.45, 0.45, 0.45625, 0.5375, 0.54375, 0.4125, 0.4125, 0.41874999999999996, 0.49999999999999994, 0.50625],
};

/** Mean over the size×size window i − ⌊size/2⌋ … i + size − ⌊size/2⌋ − 1 on both axes. */
function naiveUniform(grid: Grid, size: number, mode: BoundaryMode, cval: number): Float64Array {
  const before = Math.floor(size / 2);
  const out = new Float64Array(grid.width * grid.height);
  for (let y = 0; y < grid.height; y++) {
    for (let x = 0; x < grid.width; x++) {
      let acc = 0;
      for (let dy = 0; dy < size; dy++) {
        for (let dx = 0; dx < size; dx++) {
          const sy = extendIndex(y + dy - before, grid.height, mode);
          const sx = extendIndex(x + dx - before, grid.width, mode);
          acc += sy < 0 || sx < 0 ? cval : (grid.data[sy * grid.width + sx] as number);
        }
      }
      out[y * grid.width + x] = acc / (size * size);
    }
  }
  return out;
}

describe('uniformFilter', () => {
  it.each(Object.keys(SCIPY))('matches scipy.ndimage.uniform_filter (%s) at 1e-12', (key) => {
    const [, mode, size] = key.split('-') as [string, BoundaryMode, string];
    const out = uniformFilter(G, Number(size), mode);
    const expected = SCIPY[key] as number[];
    expected.forEach((v, i) => expect(Math.abs((out.data[i] as number) - v)).toBeLessThan(1e-12));
  });

  it('hand case: 3x3 mean of a single 9 in a 3x3 map with constant 0 padding is 1 everywhere', () => {
    const g: Grid = { width: 3, height: 3, data: Float64Array.from([0, 0, 0, 0, 9, 0, 0, 0, 0]) };
    expect(Array.from(uniformFilter(g, 3, 'constant').data)).toEqual(Array(9).fill(1));
  });

  it('running sums equal the naive window mean (odd and even sizes, all modes); input not modified', () => {
    const arb = fc.record({
      w: fc.integer({ min: 1, max: 8 }),
      h: fc.integer({ min: 1, max: 6 }),
      size: fc.integer({ min: 1, max: 9 }),
      mode: fc.constantFrom<BoundaryMode>('nearest', 'reflect', 'mirror', 'constant'),
      cval: fc.double({ min: -2, max: 2, noNaN: true }),
      values: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 48, maxLength: 48 }),
    });
    fc.assert(
      fc.property(arb, ({ w, h, size, mode, cval, values }) => {
        const grid: Grid = { width: w, height: h, data: Float64Array.from(values.slice(0, w * h)) };
        const before = Float64Array.from(grid.data);
        const fast = uniformFilter(grid, size, mode, cval).data;
        const slow = naiveUniform(grid, size, mode, cval);
        for (let i = 0; i < slow.length; i++) expect(Math.abs((fast[i] as number) - (slow[i] as number))).toBeLessThan(1e-12);
        expect(grid.data).toEqual(before);
      }),
      { numRuns: 80 },
    );
  });

  it('rejects a bad size and non-finite values, naming the argument', () => {
    expect(() => uniformFilter(G, 0)).toThrow(MetricError);
    expect(() => uniformFilter(G, 2.5)).toThrow(/uniformFilter: size/);
    const bad: Grid = { width: 1, height: 1, data: Float64Array.from([Infinity]) };
    expect(() => uniformFilter(bad, 3)).toThrow(/uniformFilter: grid/);
  });
});
