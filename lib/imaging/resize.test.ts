import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Grid } from '../metrics/types';
import { resizeArea, resizeBilinear } from './resize';

interface ResizeCase {
  source: { width: number; height: number; data: number[] };
  width: number;
  height: number;
  expected: { width: number; height: number; data: number[] };
}
// Reference: scikit-image 0.19 transform.resize(order=1, mode='edge', anti_aliasing=False)
// (tests/fixtures/reference-metrics.README.md, section resize).
const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../tests/fixtures/reference-metrics.json', import.meta.url)), 'utf8'),
) as { resize: ResizeCase[] };
const grid = (g: { width: number; height: number; data: number[] }): Grid => ({ width: g.width, height: g.height, data: Float64Array.from(g.data) });

describe('resizeBilinear', () => {
  it.each(reference.resize.map((c) => [`${c.source.width}x${c.source.height}->${c.width}x${c.height}`, c] as const))(
    'matches scikit-image on %s at 1e-9',
    (_, c) => {
      const got = resizeBilinear(grid(c.source), c.width, c.height);
      expect([got.width, got.height]).toEqual([c.expected.width, c.expected.height]);
      c.expected.data.forEach((v, i) => expect(Math.abs((got.data[i] as number) - v)).toBeLessThan(1e-9));
    },
  );

  it('hand case: 2x1 -> 4x1 samples at source x = -0.25, 0.25, 0.75, 1.25 (clamped)', () => {
    const got = resizeBilinear({ width: 2, height: 1, data: Float64Array.from([0, 8]) }, 4, 1);
    expect(Array.from(got.data)).toEqual([0, 2, 6, 8]);
  });

  it('hand case: 4x2 -> 2x1 averages pairs at the half-pixel centres (no anti-aliasing beyond that)', () => {
    const got = resizeBilinear({ width: 4, height: 2, data: Float64Array.from([0, 2, 4, 6, 10, 12, 14, 16]) }, 2, 1);
    expect(Array.from(got.data)).toEqual([6, 10]);
  });

  it('same size is the identity, constant maps stay constant; input not modified', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.double({ min: -5, max: 5, noNaN: true }),
        (w, h, tw, th, c) => {
          const values = Float64Array.from({ length: w * h }, (_, i) => Math.sin(i + c));
          const g: Grid = { width: w, height: h, data: values };
          const before = Float64Array.from(values);
          expect(Array.from(resizeBilinear(g, w, h).data)).toEqual(Array.from(values));
          const flat = resizeBilinear({ width: w, height: h, data: new Float64Array(w * h).fill(c) }, tw, th);
          for (const v of flat.data) expect(v).toBeCloseTo(c, 12);
          expect(values).toEqual(before);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('rejects empty targets and bad maps, naming the argument', () => {
    const g: Grid = { width: 2, height: 2, data: new Float64Array(4) };
    expect(() => resizeBilinear(g, 0, 3)).toThrow(/resizeBilinear: size/);
    expect(() => resizeBilinear(g, 3, -1)).toThrow(/resizeBilinear: size/);
    expect(() => resizeBilinear({ width: 2, height: 2, data: new Float64Array(3) }, 3, 3)).toThrow(/resizeBilinear: grid/);
  });
});

describe('resizeArea', () => {
  it('integer factors average blocks', () => {
    const g: Grid = { width: 4, height: 2, data: Float64Array.from([1, 3, 5, 7, 9, 11, 13, 15]) };
    expect(Array.from(resizeArea(g, 2, 1).data)).toEqual([6, 10]);
  });

  it('fractional factors weight partial pixels by overlap: 3 -> 2 gives [a + b/2, b/2 + c] / 1.5', () => {
    const got = resizeArea({ width: 3, height: 1, data: Float64Array.from([3, 6, 9]) }, 2, 1);
    expect(got.data[0]).toBeCloseTo((3 + 3) / 1.5, 14);
    expect(got.data[1]).toBeCloseTo((3 + 9) / 1.5, 14);
  });

  it('preserves the mean (so the mass, up to the area ratio)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 12 }),
        (w, h, tw, th) => {
          const g: Grid = { width: w, height: h, data: Float64Array.from({ length: w * h }, (_, i) => (i * 7919) % 13) };
          const mean = (d: ArrayLike<number>) => Array.from(d).reduce((s, v) => s + v, 0) / d.length;
          expect(mean(resizeArea(g, tw, th).data)).toBeCloseTo(mean(g.data), 10);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects empty targets', () => {
    expect(() => resizeArea({ width: 1, height: 1, data: new Float64Array(1) }, 0, 1)).toThrow(/resizeArea: size/);
  });
});
