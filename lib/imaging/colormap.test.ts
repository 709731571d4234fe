import { describe, expect, it } from 'vitest';
import type { Grid } from '../metrics/types';
import { type ColormapName, applyColormap, blendOver, colormapRgb } from './colormap';

describe('colormapRgb', () => {
  it("jet matches matplotlib's 256-entry LUT as bytes (trunc(255·v), index ⌊256·t⌋)", () => {
    // Expected bytes: numpy replica of LinearSegmentedColormap._create_lookup_table(256, _jet_data)
    // followed by (lut * 255).astype(uint8) — what matplotlib's cm.jet(t, bytes=True) returns.
    const cases: [number, [number, number, number]][] = [
      [0, [0, 0, 127]],
      [0.1, [0, 0, 241]],
      [0.25, [0, 128, 255]],
      [0.33, [0, 208, 255]],
      [0.5, [125, 255, 121]],
      [0.66, [254, 237, 0]],
      [0.75, [255, 148, 0]],
      [0.9, [241, 7, 0]],
      [0.999, [127, 0, 0]],
      [1, [127, 0, 0]],
    ];
    for (const [t, rgb] of cases) expect(colormapRgb('jet', t)).toEqual(rgb);
  });

  it("viridis uses matplotlib's _viridis_data (first #440154, last #fde724 after truncation)", () => {
    expect(colormapRgb('viridis', 0)).toEqual([68, 1, 84]);
    expect(colormapRgb('viridis', 0.5)).toEqual([32, 144, 140]); // entry 128: 0.128729, 0.563265, 0.551229
    expect(colormapRgb('viridis', 1)).toEqual([253, 231, 36]);
  });

  it('gray is a ramp; t outside [0, 1] is clamped; NaN and unknown names throw', () => {
    expect(colormapRgb('gray', 0)).toEqual([0, 0, 0]);
    expect(colormapRgb('gray', 0.25)).toEqual([64, 64, 64]);
    expect(colormapRgb('gray', 1)).toEqual([255, 255, 255]);
    let previous = -1;
    for (let i = 0; i <= 100; i++) {
      const [v] = colormapRgb('gray', i / 100);
      expect(v).toBeGreaterThanOrEqual(previous);
      previous = v;
    }
    expect(colormapRgb('jet', -3)).toEqual(colormapRgb('jet', 0));
    expect(colormapRgb('viridis', 7)).toEqual(colormapRgb('viridis', 1));
    expect(() => colormapRgb('jet', Number.NaN)).toThrow(/colormapRgb: t/);
    expect(() => colormapRgb('hot' as ColormapName, 0.5)).toThrow(/colormapRgb: name/);
  });
});

describe('applyColormap', () => {
  const grid: Grid = { width: 3, height: 1, data: Float64Array.from([10, 15, 20]) };

  it('min-max scales, writes RGBA, alpha constant or proportional to the value', () => {
    const rgba = applyColormap(grid, 'gray', { alpha: 0.5 });
    expect(Array.from(rgba)).toEqual([0, 0, 0, 128, 128, 128, 128, 128, 255, 255, 255, 128]);
    const byValue = applyColormap(grid, 'jet', { alpha: 'value' });
    expect([byValue[3], byValue[7], byValue[11]]).toEqual([0, 128, 255]);
    expect(Array.from(byValue.slice(0, 3))).toEqual(colormapRgb('jet', 0));
    expect(Array.from(applyColormap(grid, 'viridis').slice(8, 12))).toEqual([...colormapRgb('viridis', 1), 255]);
  });

  it('a constant map shows the colour of 0; input not modified', () => {
    const flat: Grid = { width: 2, height: 1, data: Float32Array.from([3, 3]) };
    expect(Array.from(applyColormap(flat, 'jet'))).toEqual([0, 0, 127, 255, 0, 0, 127, 255]);
    expect(Array.from(flat.data)).toEqual([3, 3]);
  });

  it('rejects a bad alpha and non-finite maps, naming the argument', () => {
    expect(() => applyColormap(grid, 'jet', { alpha: 1.5 })).toThrow(/applyColormap: alpha/);
    expect(() => applyColormap({ width: 1, height: 1, data: Float64Array.from([Number.NaN]) }, 'jet')).toThrow(/applyColormap: grid/);
  });
});

describe('blendOver', () => {
  const base = Uint8Array.from([100, 50, 0, 255]);
  const overlay = Uint8ClampedArray.from([200, 250, 100, 255]);

  it('opacity 0 keeps the base, 1 with an opaque overlay replaces it, 0.5 averages', () => {
    expect(Array.from(blendOver(base, overlay, 0))).toEqual([100, 50, 0, 255]);
    expect(Array.from(blendOver(base, overlay, 1))).toEqual([200, 250, 100, 255]);
    expect(Array.from(blendOver(base, overlay, 0.5))).toEqual([150, 150, 50, 255]);
  });

  it("uses the overlay's own alpha and composites over a transparent base (Porter-Duff over)", () => {
    const half = Uint8Array.from([200, 0, 0, 51]); // alpha 0.2
    expect(Array.from(blendOver(base, half, 1))).toEqual([120, 40, 0, 255]);
    const clear = Uint8Array.from([0, 0, 0, 0]);
    expect(Array.from(blendOver(clear, half, 1))).toEqual([200, 0, 0, 51]);
    expect(Array.from(blendOver(clear, clear, 1))).toEqual([0, 0, 0, 0]);
  });

  it('rejects mismatched lengths and opacity outside [0, 1], naming the argument', () => {
    expect(() => blendOver(base, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]), 1)).toThrow(/blendOver: overlay/);
    expect(() => blendOver(Uint8Array.from([1, 2, 3]), Uint8Array.from([1, 2, 3]), 1)).toThrow(/blendOver: base/);
    expect(() => blendOver(base, overlay, 2)).toThrow(/blendOver: opacity/);
    expect(() => blendOver(base, overlay, Number.NaN)).toThrow(/blendOver: opacity/);
  });
});
