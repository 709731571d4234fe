import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricError } from '../metrics/errors';
import type { Point } from '../metrics/types';
import { densityMap, sigmaPxFromDegrees } from './density-map';
import { gaussianFilter, gaussianKernel1d } from './gaussian';

interface DensityCase {
  width: number;
  height: number;
  sigma: number;
  fixations: [number, number][];
  expected: { width: number; height: number; data: number[] };
}
// Reference: scipy 1.10 ndimage.gaussian_filter(counts, sigma, mode='nearest', truncate=4.0) / sum
// (tests/fixtures/reference-metrics.README.md, section densityMaps).
const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../tests/fixtures/reference-metrics.json', import.meta.url)), 'utf8'),
) as { densityMaps: DensityCase[] };
const points = (f: [number, number][]): Point[] => f.map(([x, y]) => ({ x, y }));

/** The definition, densely: count map, separable nearest-mode Gaussian, divide by the sum. */
function denseDensity(fixations: readonly Point[], width: number, height: number, sigma: number): Float64Array {
  const counts = new Float64Array(width * height);
  for (const p of fixations) {
    const i = Math.floor(p.y) * width + Math.floor(p.x);
    counts[i] = (counts[i] as number) + 1;
  }
  const blurred = gaussianFilter({ width, height, data: counts }, sigma, { mode: 'nearest' }).data;
  const sum = blurred.reduce((s, v) => s + v, 0);
  return blurred.map((v) => v / sum);
}

describe('densityMap', () => {
  it.each(reference.densityMaps.map((c, i) => [i, c] as const))('matches scipy reference case %i at 1e-9', (_, c) => {
    const got = densityMap(points(c.fixations), c.width, c.height, c.sigma);
    expect(got.width).toBe(c.expected.width);
    expect(got.height).toBe(c.expected.height);
    c.expected.data.forEach((v, i) => expect(Math.abs((got.data[i] as number) - v)).toBeLessThan(1e-9));
  });

  it('one interior fixation gives the outer product of the kernel, summing to 1', () => {
    const k = gaussianKernel1d(1.5); // radius 6
    const got = densityMap([{ x: 7, y: 8 }], 15, 17, 1.5);
    expect(got.data.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    for (let y = 0; y < 17; y++) {
      for (let x = 0; x < 15; x++) {
        const dx = x - 7;
        const dy = y - 8;
        const expected = Math.abs(dx) <= 6 && Math.abs(dy) <= 6 ? (k[dx + 6] as number) * (k[dy + 6] as number) : 0;
        expect(got.data[y * 15 + x]).toBeCloseTo(expected, 15);
      }
    }
  });

  it('duplicates add weight; fractional coordinates are floored', () => {
    const once = densityMap([{ x: 2, y: 2 }, { x: 9, y: 6 }], 12, 9, 1);
    const twice = densityMap([{ x: 2, y: 2 }, { x: 2.7, y: 2.2 }, { x: 9, y: 6 }], 12, 9, 1);
    // With the first fixation doubled its peak holds 2/3 of the mass instead of 1/2.
    expect((twice.data[2 * 12 + 2] as number) / (once.data[2 * 12 + 2] as number)).toBeCloseTo(4 / 3, 12);
    expect((twice.data[6 * 12 + 9] as number) / (once.data[6 * 12 + 9] as number)).toBeCloseTo(2 / 3, 12);
  });

  it('sparse fast path equals the dense filter, also with kernels wider than the map', () => {
    const arb = fc.record({
      width: fc.integer({ min: 1, max: 24 }),
      height: fc.integer({ min: 1, max: 20 }),
      sigma: fc.double({ min: 0.3, max: 8, noNaN: true }),
      raw: fc.array(fc.tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true })), { minLength: 1, maxLength: 30 }),
    });
    fc.assert(
      fc.property(arb, ({ width, height, sigma, raw }) => {
        const fix = raw.map(([u, v]) => ({ x: u * width, y: v * height }));
        const frozen = JSON.stringify(fix);
        const fast = densityMap(fix, width, height, sigma).data;
        const slow = denseDensity(fix, width, height, sigma);
        for (let i = 0; i < slow.length; i++) expect(Math.abs((fast[i] as number) - (slow[i] as number))).toBeLessThan(1e-13);
        expect(JSON.stringify(fix)).toBe(frozen);
      }),
      { numRuns: 80 },
    );
  });

  it('matches the dense filter at the benchmark sigma (35 px, radius 140) with fixations on the borders', () => {
    const fix: Point[] = [{ x: 0, y: 0 }, { x: 599, y: 399 }, { x: 300, y: 0 }, { x: 0, y: 200 }];
    for (let i = 0; i < 60; i++) fix.push({ x: (i * 397) % 600, y: (i * 211) % 400 });
    const fast = densityMap(fix, 600, 400, 35).data;
    const slow = denseDensity(fix, 600, 400, 35);
    let worst = 0;
    for (let i = 0; i < slow.length; i++) worst = Math.max(worst, Math.abs((fast[i] as number) - (slow[i] as number)));
    expect(worst).toBeLessThan(1e-15);
  });

  it('rejects bad sigma, sizes and fixations, naming the argument', () => {
    const f = [{ x: 1, y: 1 }];
    for (const s of [0, -2, Number.NaN, Infinity]) expect(() => densityMap(f, 4, 4, s)).toThrow(/densityMap: sigmaPx/);
    expect(() => densityMap([], 4, 4, 1)).toThrow(/densityMap: fixations: empty/);
    expect(() => densityMap([{ x: 4, y: 0 }], 4, 4, 1)).toThrow(/densityMap: fixations: fixation 0 .* outside/);
    expect(() => densityMap([{ x: -0.5, y: 0 }], 4, 4, 1)).toThrow(MetricError);
    expect(() => densityMap([{ x: Number.NaN, y: 0 }], 4, 4, 1)).toThrow(/fixations/);
    expect(() => densityMap(f, 0, 4, 1)).toThrow(/densityMap: size/);
    expect(() => densityMap(f, 2.5, 4, 1)).toThrow(/densityMap: size/);
  });
});

describe('sigmaPxFromDegrees', () => {
  it('multiplies degrees by pixels per degree and validates both', () => {
    expect(sigmaPxFromDegrees(1, 35)).toBe(35);
    expect(sigmaPxFromDegrees(0.5, 40.2)).toBeCloseTo(20.1, 14);
    expect(() => sigmaPxFromDegrees(0, 35)).toThrow(/sigmaPxFromDegrees: degrees/);
    expect(() => sigmaPxFromDegrees(1, Number.NaN)).toThrow(/sigmaPxFromDegrees: pixelsPerDegree/);
  });
});

