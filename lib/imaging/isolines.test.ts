import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Grid } from '../metrics/types';
import { isolineLevels, isolineSvgPath, isolines } from './isolines';

/** Segments as sorted strings, so tests do not depend on cell order or segment direction. */
function segmentSet(segments: Float64Array): string[] {
  const out: string[] = [];
  for (let i = 0; i < segments.length; i += 4) {
    const a = `${(segments[i] as number).toFixed(6)},${(segments[i + 1] as number).toFixed(6)}`;
    const b = `${(segments[i + 2] as number).toFixed(6)},${(segments[i + 3] as number).toFixed(6)}`;
    out.push([a, b].sort().join(' '));
  }
  return out.sort();
}
const seg = (x1: number, y1: number, x2: number, y2: number) => segmentSet(Float64Array.from([x1, y1, x2, y2]))[0] as string;

describe('isolines', () => {
  it('hand case: a single bump gives a diamond through the edge midpoints at level 0.5', () => {
    const bump: Grid = { width: 3, height: 3, data: Float64Array.from([0, 0, 0, 0, 1, 0, 0, 0, 0]) };
    const [line] = isolines(bump, [0.5]);
    expect(line?.level).toBe(0.5);
    expect(segmentSet(line?.segments ?? new Float64Array())).toEqual(
      [seg(1, 0.5, 0.5, 1), seg(1, 0.5, 1.5, 1), seg(0.5, 1, 1, 1.5), seg(1.5, 1, 1, 1.5)].sort(),
    );
  });

  it('saddle rule: centre mean >= level joins the inside corners, otherwise cuts them off', () => {
    const saddle: Grid = { width: 2, height: 2, data: Float64Array.from([1, 0, 0, 1]) }; // centre 0.5
    const [low, high] = isolines(saddle, [0.4, 0.6]);
    // 0.4: inside corners TL, BR joined through the centre; TR and BL are cut off.
    expect(segmentSet(low?.segments ?? new Float64Array())).toEqual([seg(0.6, 0, 1, 0.4), seg(0.4, 1, 0, 0.6)].sort());
    // 0.6: TL and BR are cut off on their own.
    expect(segmentSet(high?.segments ?? new Float64Array())).toEqual([seg(0, 0.4, 0.4, 0), seg(1, 0.6, 0.6, 1)].sort());
    const mirrored: Grid = { width: 2, height: 2, data: Float64Array.from([0, 1, 1, 0]) };
    expect(segmentSet(isolines(mirrored, [0.4])[0]?.segments ?? new Float64Array())).toEqual([seg(0.4, 0, 0, 0.4), seg(0.6, 1, 1, 0.6)].sort());
  });

  it('levels outside the value range give no segments; a value equal to the level counts as inside', () => {
    const g: Grid = { width: 3, height: 2, data: Float64Array.from([1, 2, 3, 4, 5, 6]) };
    const [above, below, equalMax] = isolines(g, [7, 0.5, 6]);
    expect(above?.segments.length).toBe(0);
    expect(below?.segments.length).toBe(0);
    // Only the corner with 6 is inside: one segment, ending exactly on that corner.
    expect(segmentSet(equalMax?.segments ?? new Float64Array())).toEqual([seg(2, 1, 2, 1)]);
  });

  it('every endpoint lies on a cell edge where the linear interpolation equals the level', () => {
    const arb = fc.record({
      w: fc.integer({ min: 2, max: 7 }),
      h: fc.integer({ min: 2, max: 7 }),
      values: fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 49, maxLength: 49 }),
      level: fc.double({ min: 0.25, max: 19.75, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ w, h, values, level }) => {
        const grid: Grid = { width: w, height: h, data: Float64Array.from(values.slice(0, w * h)) };
        const at = (x: number, y: number) => grid.data[y * w + x] as number;
        const segments = isolines(grid, [level])[0]?.segments ?? new Float64Array();
        for (let i = 0; i < segments.length; i += 2) {
          const x = segments[i] as number;
          const y = segments[i + 1] as number;
          const onVertical = Number.isInteger(x);
          expect(onVertical || Number.isInteger(y)).toBe(true);
          const value = onVertical
            ? at(x, Math.floor(y)) + (y - Math.floor(y)) * (at(x, Math.min(h - 1, Math.floor(y) + 1)) - at(x, Math.floor(y)))
            : at(Math.floor(x), y) + (x - Math.floor(x)) * (at(Math.min(w - 1, Math.floor(x) + 1), y) - at(Math.floor(x), y));
          expect(value).toBeCloseTo(level, 9);
        }
        expect(Array.from(grid.data)).toEqual(values.slice(0, w * h));
      }),
      { numRuns: 80 },
    );
  });

  it('rejects non-finite levels and maps', () => {
    const g: Grid = { width: 2, height: 1, data: Float64Array.from([0, 1]) };
    expect(() => isolines(g, [Number.NaN])).toThrow(/isolines: levels/);
    expect(() => isolines({ width: 2, height: 1, data: Float64Array.from([0, Infinity]) }, [0.5])).toThrow(/isolines: grid/);
  });
});

describe('isolineLevels', () => {
  it('are fractions of the maximum', () => {
    expect(isolineLevels({ width: 2, height: 1, data: Float64Array.from([2, 8]) }, [0.25, 0.5])).toEqual([2, 4]);
  });
});

describe('isolineSvgPath', () => {
  it('moves pixel centres to (i + 0.5)·scale and rounds to 3 decimals', () => {
    expect(isolineSvgPath(Float64Array.from([0, 0, 1, 0]), 2)).toBe('M1 1L3 1');
    expect(isolineSvgPath(Float64Array.from([0.12345, 1, 2, 3, 4, 5, 6, 7]))).toBe('M0.623 1.5L2.5 3.5M4.5 5.5L6.5 7.5');
    expect(isolineSvgPath(new Float64Array())).toBe('');
  });

  it('rejects a ragged segment array and a bad scale', () => {
    expect(() => isolineSvgPath(Float64Array.from([1, 2, 3]))).toThrow(/isolineSvgPath: segments/);
    expect(() => isolineSvgPath(Float64Array.from([1, 2, 3, 4]), 0)).toThrow(/isolineSvgPath: scale/);
  });
});
