/**
 * PNG figure of insertion and deletion curves, in the layout of the RISE paper's figures and the
 * Lab-6 notebook (Petsiuk et al. 2018, BMVC, fig. 4; RISE `CausalMetric.single_run` plots the
 * curve with the area under it filled): x = fraction of pixels inserted / deleted (step i of n at
 * i/n), y = class probability on [0, 1], area under each curve shaded, AUCs in the legend.
 *
 * Pure pixel drawing into an RGBA buffer (no canvas package is installed for Node) with a
 * built-in 5×7 bitmap font (upper-case letters, digits and a little punctuation; lower case is
 * drawn upper case, other characters as '?'). Colours are the colour-blind-safe matplotlib
 * "tab:blue" (insertion) and "tab:orange" (deletion).
 */
import { encodePng, type RgbaImage } from '@/lib/io/png';

export interface PlottedCurve {
  readonly curve: ArrayLike<number>;
  readonly auc: number;
}

export interface CurvePlotInput {
  readonly insertion?: PlottedCurve;
  readonly deletion?: PlottedCurve;
  /** Shown above the plot, e.g. "class 3: star". */
  readonly title?: string;
}

type Rgb = readonly [number, number, number];

export const INSERTION_COLOUR: Rgb = [31, 119, 180];
export const DELETION_COLOUR: Rgb = [255, 127, 14];
const AXIS: Rgb = [0, 0, 0];
const GRID: Rgb = [221, 221, 221];
const FILL_ALPHA = 0.2;
const TEXT_SCALE = 2;
const GLYPH_W = 5;
const GLYPH_H = 7;
const ADVANCE = (GLYPH_W + 1) * TEXT_SCALE;
const TICKS = [0, 0.25, 0.5, 0.75, 1];

/** 5×7 glyphs, rows top to bottom, '1' = ink. */
const FONT: Record<string, string> = {
  A: '01110 10001 10001 11111 10001 10001 10001', B: '11110 10001 10001 11110 10001 10001 11110',
  C: '01110 10001 10000 10000 10000 10001 01110', D: '11100 10010 10001 10001 10001 10010 11100',
  E: '11111 10000 10000 11110 10000 10000 11111', F: '11111 10000 10000 11110 10000 10000 10000',
  G: '01110 10001 10000 10111 10001 10001 01111', H: '10001 10001 10001 11111 10001 10001 10001',
  I: '01110 00100 00100 00100 00100 00100 01110', J: '00111 00010 00010 00010 00010 10010 01100',
  K: '10001 10010 10100 11000 10100 10010 10001', L: '10000 10000 10000 10000 10000 10000 11111',
  M: '10001 11011 10101 10101 10001 10001 10001', N: '10001 10001 11001 10101 10011 10001 10001',
  O: '01110 10001 10001 10001 10001 10001 01110', P: '11110 10001 10001 11110 10000 10000 10000',
  Q: '01110 10001 10001 10001 10101 10010 01101', R: '11110 10001 10001 11110 10100 10010 10001',
  S: '01111 10000 10000 01110 00001 00001 11110', T: '11111 00100 00100 00100 00100 00100 00100',
  U: '10001 10001 10001 10001 10001 10001 01110', V: '10001 10001 10001 10001 10001 01010 00100',
  W: '10001 10001 10001 10101 10101 10101 01010', X: '10001 10001 01010 00100 01010 10001 10001',
  Y: '10001 10001 10001 01010 00100 00100 00100', Z: '11111 00001 00010 00100 01000 10000 11111',
  '0': '01110 10001 10011 10101 11001 10001 01110', '1': '00100 01100 00100 00100 00100 00100 01110',
  '2': '01110 10001 00001 00010 00100 01000 11111', '3': '11111 00010 00100 00010 00001 10001 01110',
  '4': '00010 00110 01010 10010 11111 00010 00010', '5': '11111 10000 11110 00001 00001 10001 01110',
  '6': '00110 01000 10000 11110 10001 10001 01110', '7': '11111 00001 00010 00100 01000 01000 01000',
  '8': '01110 10001 10001 01110 10001 10001 01110', '9': '01110 10001 10001 01111 00001 00010 01100',
  '.': '00000 00000 00000 00000 00000 01100 01100', '=': '00000 00000 11111 00000 11111 00000 00000',
  '-': '00000 00000 00000 11111 00000 00000 00000', ':': '00000 01100 01100 00000 01100 01100 00000',
  '(': '00010 00100 01000 01000 01000 00100 00010', ')': '01000 00100 00010 00010 00010 00100 01000',
  '/': '00000 00001 00010 00100 01000 10000 00000', '_': '00000 00000 00000 00000 00000 00000 11111',
  '?': '01110 10001 00001 00010 00100 00000 00100', ' ': '00000 00000 00000 00000 00000 00000 00000',
};

class Canvas {
  readonly data: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.data = new Uint8Array(width * height * 4).fill(255);
  }

  /** Blends `colour` over pixel (x, y) with opacity `alpha`; outside pixels are ignored. */
  blend(x: number, y: number, colour: Rgb, alpha = 1): void {
    const xi = Math.round(x);
    const yi = Math.round(y);
    if (xi < 0 || yi < 0 || xi >= this.width || yi >= this.height) return;
    const o = (yi * this.width + xi) * 4;
    for (let c = 0; c < 3; c++) this.data[o + c] = Math.round((1 - alpha) * (this.data[o + c] as number) + alpha * (colour[c] as number));
  }

  rect(x0: number, y0: number, w: number, h: number, colour: Rgb, alpha = 1): void {
    for (let y = Math.round(y0); y < Math.round(y0 + h); y++) for (let x = Math.round(x0); x < Math.round(x0 + w); x++) this.blend(x, y, colour, alpha);
  }

  /** Line of the given thickness, stamped every half pixel. */
  line(x0: number, y0: number, x1: number, y1: number, colour: Rgb, thickness = 1): void {
    const steps = Math.max(1, Math.ceil(2 * Math.hypot(x1 - x0, y1 - y0)));
    const r = (thickness - 1) / 2;
    for (let s = 0; s <= steps; s++) {
      const x = x0 + ((x1 - x0) * s) / steps;
      const y = y0 + ((y1 - y0) * s) / steps;
      for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) this.blend(x + dx, y + dy, colour);
    }
  }

  /** Text with its top-left corner at (x, y); `vertical` reads bottom to top from (x, y). */
  text(x: number, y: number, value: string, colour: Rgb = AXIS, vertical = false): void {
    [...value.toUpperCase()].forEach((ch, k) => {
      const rows = (FONT[ch] ?? (FONT['?'] as string)).split(' ');
      rows.forEach((row, gy) => {
        for (let gx = 0; gx < GLYPH_W; gx++) {
          if (row[gx] !== '1') continue;
          const u = k * ADVANCE + gx * TEXT_SCALE;
          const v = gy * TEXT_SCALE;
          for (let sy = 0; sy < TEXT_SCALE; sy++) {
            for (let sx = 0; sx < TEXT_SCALE; sx++) {
              if (vertical) this.blend(x + v + sy, y - u - sx, colour);
              else this.blend(x + u + sx, y + v + sy, colour);
            }
          }
        }
      });
    });
  }
}

export function textWidth(value: string): number {
  return value.length * ADVANCE - TEXT_SCALE;
}

type Box = { x: number; y: number; w: number; h: number };

/** Shades the area under the curve (linear between steps) with the curve's colour. */
function fillUnder(canvas: Canvas, box: Box, curve: ArrayLike<number>, colour: Rgb): void {
  const n = curve.length - 1;
  if (n < 1) return;
  const bottom = box.y + box.h;
  for (let x = Math.ceil(box.x); x <= Math.floor(box.x + box.w); x++) {
    const t = ((x - box.x) / box.w) * n;
    const i = Math.min(n - 1, Math.floor(t));
    const v = (curve[i] as number) + ((curve[i + 1] as number) - (curve[i] as number)) * (t - i);
    for (let y = Math.ceil(box.y + box.h * (1 - Math.min(1, Math.max(0, v)))); y < bottom; y++) canvas.blend(x, y, colour, FILL_ALPHA);
  }
}

/** The curve itself, 2 px wide, values clamped to [0, 1]. */
function drawLine(canvas: Canvas, box: Box, curve: ArrayLike<number>, colour: Rgb): void {
  const n = curve.length - 1;
  const px = (i: number): number => box.x + (box.w * i) / n;
  const py = (v: number): number => box.y + box.h * (1 - Math.min(1, Math.max(0, v)));
  for (let i = 0; i < n; i++) canvas.line(px(i), py(curve[i] as number), px(i + 1), py(curve[i + 1] as number), colour, 2);
}

/** Pixel rectangle of the plot area: x = 0 at `x`, 1 at `x + w`; y = 1 at `y`, 0 at `y + h`. */
export function plotBox(width: number, height: number): Box {
  const box = { x: 100, y: 64, w: width - 130, h: height - 64 - 72 };
  if (box.w < 50 || box.h < 50) throw new Error(`renderCurvePlot: ${width}x${height} is too small (at least 180x186)`);
  return box;
}

/** The figure as an RGBA image (default 600×420). */
export function renderCurvePlot(input: CurvePlotInput, size: { width?: number; height?: number } = {}): RgbaImage {
  const width = size.width ?? 600;
  const height = size.height ?? 420;
  const box = plotBox(width, height);
  const canvas = new Canvas(width, height);

  for (const t of TICKS) {
    const gx = box.x + t * box.w;
    const gy = box.y + (1 - t) * box.h;
    canvas.line(gx, box.y, gx, box.y + box.h, GRID);
    canvas.line(box.x, gy, box.x + box.w, gy, GRID);
    canvas.line(gx, box.y + box.h, gx, box.y + box.h + 5, AXIS);
    canvas.line(box.x - 5, gy, box.x, gy, AXIS);
    const label = String(t);
    canvas.text(gx - textWidth(label) / 2, box.y + box.h + 10, label);
    canvas.text(box.x - 10 - textWidth(label), gy - GLYPH_H, label);
  }
  const curves: Array<[PlottedCurve | undefined, Rgb]> = [
    [input.deletion, DELETION_COLOUR],
    [input.insertion, INSERTION_COLOUR],
  ];
  for (const [c, colour] of curves) if (c !== undefined) fillUnder(canvas, box, c.curve, colour);
  for (const [c, colour] of curves) if (c !== undefined) drawLine(canvas, box, c.curve, colour);
  canvas.line(box.x, box.y + box.h, box.x + box.w, box.y + box.h, AXIS, 2);
  canvas.line(box.x, box.y, box.x, box.y + box.h, AXIS, 2);

  const xLabel = 'fraction of pixels';
  canvas.text(box.x + (box.w - textWidth(xLabel)) / 2, height - 28, xLabel);
  const yLabel = 'probability';
  canvas.text(14, box.y + (box.h + textWidth(yLabel)) / 2, yLabel, AXIS, true);
  if (input.title !== undefined) canvas.text((width - textWidth(input.title)) / 2, 8, input.title);

  let legendX = box.x - 40;
  const legend: Array<[string, PlottedCurve | undefined, Rgb]> = [
    ['insertion', input.insertion, INSERTION_COLOUR],
    ['deletion', input.deletion, DELETION_COLOUR],
  ];
  for (const [name, curve, colour] of legend) {
    if (curve === undefined) continue;
    canvas.rect(legendX, 34, 14, 14, colour);
    const text = `${name} AUC ${curve.auc.toFixed(3)}`;
    canvas.text(legendX + 20, 34, text);
    legendX += 20 + textWidth(text) + 30;
  }
  return { width, height, data: canvas.data };
}

export function curvePlotPng(input: CurvePlotInput, size?: { width?: number; height?: number }): Buffer {
  return encodePng(renderCurvePlot(input, size));
}
