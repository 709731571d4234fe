import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricError } from '../metrics/errors';
import { rgbPixelToLab, rgbToLab } from './color';

describe('rgbPixelToLab (scikit-image rgb2lab, D65, 2° observer)', () => {
  it('black is (0, 0, 0) and white is L = 100 with a, b ≈ 0 (skimage matrix rows do not sum exactly to the white point)', () => {
    expect(rgbPixelToLab(0, 0, 0)).toEqual([0, 0, 0]);
    const [l, a, b] = rgbPixelToLab(1, 1, 1);
    expect(l).toBeCloseTo(100, 3);
    expect(Math.abs(a)).toBeLessThan(0.01);
    expect(Math.abs(b)).toBeLessThan(0.01);
  });

  it('primaries: the published sRGB → CIELAB values (red 53.24/80.09/67.20, green 87.73/−86.18/83.18, blue 32.30/79.19/−107.86)', () => {
    const cases: Array<[[number, number, number], [number, number, number]]> = [
      [[1, 0, 0], [53.2408, 80.0925, 67.2032]],
      [[0, 1, 0], [87.7347, -86.1827, 83.1793]],
      [[0, 0, 1], [32.297, 79.1875, -107.8602]],
    ];
    for (const [rgb, lab] of cases) {
      const got = rgbPixelToLab(...rgb);
      got.forEach((v, i) => expect(v).toBeCloseTo(lab[i] as number, 2));
    }
  });

  it('mid grey 0.5 by hand: linear ((0.555/1.055)^2.4 = 0.21404), L = 116·0.21404^(1/3) − 16 = 53.389', () => {
    const lin = Math.pow((0.5 + 0.055) / 1.055, 2.4);
    expect(rgbPixelToLab(0.5, 0.5, 0.5)[0]).toBeCloseTo(116 * Math.cbrt(lin) - 16, 2);
    expect(rgbPixelToLab(0.5, 0.5, 0.5)[0]).toBeCloseTo(53.389, 3);
  });

  it('dark values use the linear segments of both transfer functions (v ≤ 0.04045, t ≤ 0.008856)', () => {
    const v = 0.01;
    const y = (0.212671 + 0.71516 + 0.072169) * (v / 12.92);
    expect(rgbPixelToLab(v, v, v)[0]).toBeCloseTo(116 * (7.787 * y + 16 / 116) - 16, 10);
  });

  it('8-bit grey levels have L increasing with the level (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 254 }), (u) => {
        expect(rgbPixelToLab(u / 255, u / 255, u / 255)[0]).toBeLessThan(rgbPixelToLab((u + 1) / 255, (u + 1) / 255, (u + 1) / 255)[0]);
      }),
    );
  });
});

describe('rgbToLab', () => {
  it('converts every pixel, keeps the layout and does not modify the input', () => {
    const data = Float64Array.from([1, 0, 0, 0, 0, 1]);
    const copy = data.slice();
    const lab = rgbToLab({ width: 2, height: 1, data });
    expect(Array.from(lab.data.slice(0, 3))).toEqual(rgbPixelToLab(1, 0, 0));
    expect(Array.from(lab.data.slice(3))).toEqual(rgbPixelToLab(0, 0, 1));
    expect(data).toEqual(copy);
  });

  it('rejects a wrong data length and non-finite values, naming the argument', () => {
    expect(() => rgbToLab({ width: 2, height: 1, data: new Float64Array(5) })).toThrow(MetricError);
    expect(() => rgbToLab({ width: 2, height: 1, data: new Float64Array(5) })).toThrow(/image: data has 5 values, expected 2x1x3 = 6/);
    expect(() => rgbToLab({ width: 1, height: 1, data: Float64Array.from([0, NaN, 0]) })).toThrow(/non-finite value at index 1/);
  });
});
