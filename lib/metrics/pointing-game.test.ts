import { describe, expect, it } from 'vitest';
import { pointingGame, pointingGameDetail } from './pointing-game';
import type { Grid } from './types';

function peakAt(width: number, height: number, x: number, y: number): Grid {
  const data = new Float64Array(width * height);
  data[y * width + x] = 1;
  return { width, height, data };
}

describe('pointingGame', () => {
  it('bounding box: distance from the maximum to the box, hit within the tolerance', () => {
    const s = peakAt(40, 30, 10, 10);
    const box = { x: 20, y: 5, width: 10, height: 10 }; // covers x 20..29, y 5..14
    expect(pointingGameDetail(s, box)).toEqual({ hit: true, point: { x: 10, y: 10 }, distance: 10 });
    expect(pointingGame(s, box, { tolerancePx: 5 })).toBe(false);
    expect(pointingGameDetail(s, { x: 5, y: 5, width: 10, height: 10 }).distance).toBe(0);
  });

  it('mask: Euclidean distance to the nearest object pixel, hit when <= tolerance', () => {
    const s = peakAt(40, 30, 0, 0);
    const mask = peakAt(40, 30, 9, 12); // distance exactly 15
    expect(pointingGameDetail(s, mask)).toEqual({ hit: true, point: { x: 0, y: 0 }, distance: 15 });
    expect(pointingGame(s, peakAt(40, 30, 9, 13))).toBe(false);
  });

  it('ties: the first maximum in row-major order is the point', () => {
    const data = new Float64Array(20);
    data[13] = 5;
    data[7] = 5;
    const s: Grid = { width: 5, height: 4, data };
    expect(pointingGameDetail(s, { x: 0, y: 0, width: 1, height: 1 }, { tolerancePx: 0 }).point).toEqual({ x: 2, y: 1 });
  });

  it('does not modify the inputs', () => {
    const s = peakAt(8, 8, 3, 3);
    const before = Float64Array.from(s.data);
    pointingGame(s, peakAt(8, 8, 3, 4));
    expect(s.data).toEqual(before);
  });

  it('bad input names the argument', () => {
    const s = peakAt(4, 4, 1, 1);
    expect(() => pointingGame(s, { width: 4, height: 4, data: new Float64Array(16) })).toThrow(/pointingGame: mask: .*no non-zero/);
    expect(() => pointingGame(s, peakAt(5, 4, 0, 0))).toThrow(/pointingGame: mask: size/);
    expect(() => pointingGame(s, { x: 0, y: 0, width: 0, height: 2 })).toThrow(/pointingGame: box/);
    expect(() => pointingGame(s, { x: 0, y: 0, width: 1, height: 1 }, { tolerancePx: -1 })).toThrow(/pointingGame: tolerancePx/);
  });
});
