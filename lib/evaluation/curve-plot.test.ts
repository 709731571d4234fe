import { describe, expect, it } from 'vitest';
import { decodePng } from '@/lib/io/png';
import { curvePlotPng, DELETION_COLOUR, INSERTION_COLOUR, plotBox, renderCurvePlot } from './curve-plot';

const W = 600;
const H = 420;
const box = plotBox(W, H);

function rgbAt(image: { width: number; data: Uint8Array }, x: number, y: number): number[] {
  const o = (Math.round(y) * image.width + Math.round(x)) * 4;
  return [image.data[o] as number, image.data[o + 1] as number, image.data[o + 2] as number];
}

function count(image: { data: Uint8Array }, colour: readonly number[]): number {
  let n = 0;
  for (let o = 0; o < image.data.length; o += 4) if (image.data[o] === colour[0] && image.data[o + 1] === colour[1] && image.data[o + 2] === colour[2]) n++;
  return n;
}

describe('renderCurvePlot', () => {
  const flat = (v: number, n = 4) => ({ curve: Array.from({ length: n + 1 }, () => v), auc: v });

  it('draws a curve at its probability: 1 on the top edge, 0.25 a quarter up, with the area below shaded', () => {
    const image = renderCurvePlot({ insertion: flat(1), deletion: flat(0.25) });
    expect(image.width).toBe(W);
    expect(image.height).toBe(H);
    const at = 0.4 * box.w + box.x; // away from the grid lines at 0.25 and 0.5
    expect(rgbAt(image, at, box.y)).toEqual([...INSERTION_COLOUR]);
    expect(rgbAt(image, at, box.y + 0.75 * box.h)).toEqual([...DELETION_COLOUR]);
    // Between the curves only the insertion fill: white blended with 20 % of its colour.
    const mid = rgbAt(image, at, box.y + 0.4 * box.h);
    expect(mid).toEqual(INSERTION_COLOUR.map((c) => Math.round(0.8 * 255 + 0.2 * c)));
    // Below both curves: both fills, deletion first.
    const low = rgbAt(image, at, box.y + 0.9 * box.h);
    expect(low).toEqual(DELETION_COLOUR.map((d, i) => Math.round(0.8 * Math.round(0.8 * 255 + 0.2 * d) + 0.2 * (INSERTION_COLOUR[i] as number))));
  });

  it('interpolates linearly between steps: a ramp 0 → 1 is at 0.5 halfway', () => {
    const ramp = { curve: [0, 0.25, 0.5, 0.75, 1], auc: 0.5 };
    const image = renderCurvePlot({ insertion: ramp });
    const x = box.x + 0.375 * box.w;
    expect(rgbAt(image, x, box.y + (1 - 0.375) * box.h)).toEqual([...INSERTION_COLOUR]);
  });

  it('draws only the curves it is given', () => {
    const onlyDeletion = renderCurvePlot({ deletion: flat(0.5) });
    expect(count(onlyDeletion, INSERTION_COLOUR)).toBe(0);
    expect(count(onlyDeletion, DELETION_COLOUR)).toBeGreaterThan(box.w);
    const onlyInsertion = renderCurvePlot({ insertion: flat(0.5) });
    expect(count(onlyInsertion, DELETION_COLOUR)).toBe(0);
  });

  it('writes the AUCs: plots that differ only in the AUC differ only in the legend row', () => {
    const a = renderCurvePlot({ insertion: { curve: [0, 1], auc: 0.5 } });
    const b = renderCurvePlot({ insertion: { curve: [0, 1], auc: 0.75 } });
    const rows = new Set<number>();
    for (let o = 0; o < a.data.length; o += 4) if (a.data[o] !== b.data[o]) rows.add(Math.floor(o / 4 / W));
    expect(rows.size).toBeGreaterThan(0);
    expect(Math.min(...rows)).toBeGreaterThanOrEqual(34);
    expect(Math.max(...rows)).toBeLessThan(34 + 14);
  });

  it('clamps values outside [0, 1] to the plot area, and refuses a canvas too small', () => {
    const image = renderCurvePlot({ insertion: { curve: [2, 2], auc: 2 }, deletion: { curve: [-1, -1], auc: -1 } });
    expect(rgbAt(image, box.x + 0.4 * box.w, box.y)).toEqual([...INSERTION_COLOUR]);
    expect(() => renderCurvePlot({}, { width: 100, height: 100 })).toThrow(/too small/);
  });

  it('encodes a PNG that decodes to the same pixels', () => {
    const input = { insertion: flat(0.8), deletion: flat(0.1), title: 'class 3: star' };
    const decoded = decodePng(curvePlotPng(input));
    expect(decoded.width).toBe(W);
    expect(Buffer.from(decoded.data).equals(Buffer.from(renderCurvePlot(input).data))).toBe(true);
  });
});
