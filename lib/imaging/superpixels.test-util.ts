/** Test-only helpers for the superpixel tests: synthetic RGB images and segmentation checks. */
import type { RgbImage } from './color';
import type { Segmentation } from './segmentation';

export function rgbImage(width: number, height: number, colour: (x: number, y: number) => readonly [number, number, number]): RgbImage {
  const data = new Float64Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(colour(x, y), (y * width + x) * 3);
  return { width, height, data };
}

/** Four flat quadrants: red, blue (top right), green (bottom left), yellow. */
export function quadrants(size: number): RgbImage {
  const h = size / 2;
  return rgbImage(size, size, (x, y) => (x < h ? (y < h ? [1, 0, 0] : [0, 1, 0]) : y < h ? [0, 0, 1] : [1, 1, 0]));
}

/** Labels are exactly 0..count−1, each used at least once. */
export function labelsAreContiguous(s: Segmentation): boolean {
  const seen = new Set(s.labels);
  return seen.size === s.count && Array.from(seen).every((l) => l >= 0 && l < s.count);
}

/** The set of labels inside the rectangle [x0, x1) × [y0, y1). */
export function labelsIn(s: Segmentation, x0: number, x1: number, y0: number, y1: number): Set<number> {
  const out = new Set<number>();
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out.add(s.labels[y * s.width + x] as number);
  return out;
}

/** True when the pixels of every label form one 4-connected component. */
export function labelsAreConnected(s: Segmentation): boolean {
  const { width, height, labels } = s;
  const seen = new Uint8Array(labels.length);
  const components = new Map<number, number>();
  for (let start = 0; start < labels.length; start++) {
    if (seen[start] === 1) continue;
    const label = labels[start] as number;
    components.set(label, (components.get(label) ?? 0) + 1);
    const stack = [start];
    seen[start] = 1;
    while (stack.length > 0) {
      const p = stack.pop() as number;
      const x = p % width;
      const y = (p - x) / width;
      for (const [nx, ny] of [[x + 1, y], [x - 1, y], [x, y + 1], [x, y - 1]] as const) {
        if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
        const q = ny * width + nx;
        if (seen[q] === 0 && labels[q] === label) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
  }
  return Array.from(components.values()).every((n) => n === 1);
}
