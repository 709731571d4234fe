import { describe, expect, it } from 'vitest';
import { colormapRgb } from '@/lib/imaging/colormap';
import { displayMap, etaSeconds, explanationJson, formatEta, heatmapRgba, isolinePaths, overlayRgba, panelSize } from './display';
import type { ExplanationMessage } from './protocol';

function grid(width: number, height: number, values: number[]) {
  return { width, height, data: Float32Array.from(values) };
}

describe('panelSize', () => {
  it('keeps the aspect ratio and never enlarges past the maximum side', () => {
    expect(panelSize(224, 224)).toEqual({ width: 224, height: 224 });
    expect(panelSize(640, 480)).toEqual({ width: 224, height: 168 });
    expect(panelSize(100, 50)).toEqual({ width: 100, height: 50 });
    expect(panelSize(1, 10000)).toEqual({ width: 1, height: 224 });
  });
});

describe('displayMap', () => {
  it('min-max scales at the same size and maps a constant map to zeros', () => {
    expect(Array.from(displayMap(grid(2, 2, [2, 4, 6, 10]), 2, 2).data)).toEqual([0, 0.25, 0.5, 1]);
    expect(Array.from(displayMap(grid(2, 1, [3, 3]), 2, 1).data)).toEqual([0, 0]);
  });

  it('"teachable-machine": a 2×2 input map on a 6×2 panel lies on the centre crop (columns 2..3), 0 on the margins', () => {
    const m = displayMap(grid(2, 2, [1, 2, 3, 4]), 6, 2, 'teachable-machine');
    // Min-max first ([1, 2, 3, 4] → [0, 1/3, 2/3, 1]), so the margins are the map's minimum.
    expect(Array.from(m.data)).toEqual([0, 0, 0, 1 / 3, 0, 0, 0, 0, 2 / 3, 1, 0, 0]);
    // Without the preset the map is stretched over the whole panel: no zero margins.
    expect(displayMap(grid(2, 2, [1, 2, 3, 4]), 6, 2).data[5]).toBeGreaterThan(0);
  });

  it('resizes bilinearly and stays in [0, 1] with both ends reached', () => {
    const m = displayMap(grid(2, 2, [0, 1, 2, 3]), 5, 3);
    expect([m.width, m.height, m.data.length]).toEqual([5, 3, 15]);
    expect(Math.min(...m.data)).toBe(0);
    expect(Math.max(...m.data)).toBe(1);
  });

  it('does not modify the map', () => {
    const map = grid(2, 2, [2, 4, 6, 10]);
    displayMap(map, 3, 3);
    expect(Array.from(map.data)).toEqual([2, 4, 6, 10]);
  });
});

describe('heatmap and overlay', () => {
  it('colours the scaled map with jet and blends it at half opacity over the image', () => {
    const scaled = displayMap(grid(2, 1, [0, 1]), 2, 1);
    const heat = heatmapRgba(scaled);
    expect(Array.from(heat.data)).toEqual([...colormapRgb('jet', 0), 255, ...colormapRgb('jet', 1), 255]);
    const white = { width: 2, height: 1, data: new Uint8ClampedArray([255, 255, 255, 255, 255, 255, 255, 255]) };
    const over = overlayRgba(white, scaled);
    const [r, g, b] = colormapRgb('jet', 0);
    expect(Array.from(over.data.slice(0, 4))).toEqual([Math.round((r + 255) / 2), Math.round((g + 255) / 2), Math.round((b + 255) / 2), 255]);
    expect(() => overlayRgba(white, displayMap(grid(1, 1, [0]), 1, 1))).toThrow(/differ/);
  });
});

describe('isolinePaths', () => {
  it('draws one path per level around a single peak and none for a flat map', () => {
    const peak = displayMap(grid(5, 5, [0, 0, 0, 0, 0, 0, 0.5, 0.5, 0.5, 0, 0, 0.5, 1, 0.5, 0, 0, 0.5, 0.5, 0.5, 0, 0, 0, 0, 0, 0]), 5, 5);
    const paths = isolinePaths(peak);
    expect(paths.map((p) => p.fraction)).toEqual([0.25, 0.5, 0.75]);
    for (const p of paths) expect(p.d).toMatch(/^M[\d.]+ [\d.]+L/);
    // The 75 % contour surrounds the centre pixel (2.5, 2.5 in SVG coordinates) closely.
    const coords = (paths[2]?.d.match(/[\d.]+/g) ?? []).map(Number);
    for (const c of coords) expect(Math.abs(c - 2.5)).toBeLessThanOrEqual(1);
    expect(isolinePaths(displayMap(grid(2, 2, [1, 1, 1, 1]), 2, 2)).every((p) => p.d === '')).toBe(true);
  });
});

describe('explanationJson', () => {
  it('writes the CLI fields with the map scaled to [0, 1], raw scaled, and the unscaled map', () => {
    const e: ExplanationMessage = {
      method: 'gradcam', params: { relu: true }, classIndex: 2, score: 3.5,
      map: grid(2, 1, [1, 3]), raw: grid(1, 1, [7]), layer: 'last_conv', ms: 12,
    };
    expect(explanationJson(e, 'wasm')).toEqual({
      method: 'gradcam', params: { relu: true }, classIndex: 2, score: 3.5, width: 2, height: 1, data: [0, 1],
      raw: { width: 1, height: 1, data: [0] }, layer: 'last_conv', unscaled: { width: 2, height: 1, data: [1, 3] }, backend: 'wasm',
    });
  });
});

describe('ETA', () => {
  it('extrapolates linearly and formats minutes', () => {
    expect(etaSeconds(0, 5)).toBeNull();
    expect(etaSeconds(0.25, 10)).toBe(30);
    expect(etaSeconds(1, 10)).toBe(0);
    expect(formatEta(null)).toBe('estimating…');
    expect(formatEta(4.2)).toBe('5 s left');
    expect(formatEta(59.5)).toBe('1 min 0 s left');
    expect(formatEta(125)).toBe('2 min 5 s left');
  });
});
