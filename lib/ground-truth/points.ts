/**
 * The fixations a ground-truth version stands for, frozen with it (density_maps.points): float64
 * little-endian triples (observer ordinal, x, y) in image pixels. Grouped back into observers for
 * the human ceiling and flattened for the fixation metrics.
 */
import type { Point } from '../metrics/types';

export interface ObserverFixations {
  readonly label: string;
  readonly fixations: readonly Point[];
}

const TRIPLE = 24;

export function encodePoints(observers: readonly ObserverFixations[]): Uint8Array {
  const total = observers.reduce((n, o) => n + o.fixations.length, 0);
  const out = new Uint8Array(total * TRIPLE);
  const view = new DataView(out.buffer);
  let offset = 0;
  observers.forEach((o, ordinal) => {
    for (const p of o.fixations) {
      view.setFloat64(offset, ordinal, true);
      view.setFloat64(offset + 8, p.x, true);
      view.setFloat64(offset + 16, p.y, true);
      offset += TRIPLE;
    }
  });
  return out;
}

/** Observers in ordinal order with their labels; an ordinal without a label gets "observer-<k>". */
export function decodePoints(bytes: Uint8Array, labels: readonly string[]): ObserverFixations[] {
  if (bytes.byteLength % TRIPLE !== 0) throw new Error(`ground truth: points blob of ${bytes.byteLength} bytes is not a multiple of ${TRIPLE}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const groups: Point[][] = labels.map(() => []);
  for (let offset = 0; offset < bytes.byteLength; offset += TRIPLE) {
    const ordinal = view.getFloat64(offset, true);
    while (groups.length <= ordinal) groups.push([]);
    (groups[ordinal] as Point[]).push({ x: view.getFloat64(offset + 8, true), y: view.getFloat64(offset + 16, true) });
  }
  return groups.map((fixations, k) => ({ label: labels[k] ?? `observer-${k + 1}`, fixations }));
}

export function flattenFixations(observers: readonly ObserverFixations[]): Point[] {
  return observers.flatMap((o) => o.fixations);
}
