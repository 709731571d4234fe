/**
 * Geometry of the SVG figures (pure): insertion/deletion curves in the layout of
 * lib/evaluation/curve-plot.ts (x = fraction of pixels changed, step i of n at i/n; y = class
 * probability on [0, 1]; area under the curve shaded) and metric histograms (Sturges' rule,
 * ⌈log₂ n⌉ + 1 equal bins between the minimum and the maximum, clamped to 5–20; the last bin
 * closed on the right).
 */
export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

function fmt(v: number): string {
  return Number(v.toFixed(2)).toString();
}

/** SVG path data of a curve on [0, 1]² and of the area under it. */
export function curvePaths(curve: ArrayLike<number>, box: Box): { line: string; area: string } {
  const n = curve.length - 1;
  if (n < 1) return { line: '', area: '' };
  const px = (i: number) => box.x + (i / n) * box.width;
  const py = (v: number) => box.y + (1 - Math.min(1, Math.max(0, v))) * box.height;
  const points = Array.from({ length: curve.length }, (_, i) => `${fmt(px(i))},${fmt(py(curve[i] as number))}`);
  const line = `M${points.join('L')}`;
  const area = `${line}L${fmt(px(n))},${fmt(box.y + box.height)}L${fmt(px(0))},${fmt(box.y + box.height)}Z`;
  return { line, area };
}

export interface Bin {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
}

export function histogram(values: readonly number[]): Bin[] {
  if (values.length === 0) return [];
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === max) return [{ lower: min, upper: max, count: values.length }];
  const bins = Math.min(20, Math.max(5, Math.ceil(Math.log2(values.length)) + 1));
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.floor((v - min) / width))]! += 1;
  return counts.map((count, i) => ({ lower: min + i * width, upper: i === bins - 1 ? max : min + (i + 1) * width, count }));
}
