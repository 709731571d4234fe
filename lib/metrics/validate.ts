/**
 * Input checks shared by every metric. Each throws MetricError naming the
 * metric, the argument and the reason; none returns a value that could hide a
 * NaN. Kept in one place so the rules (finite values, same size, fixations
 * inside the map) are identical across metrics.
 */
import { MetricError } from './errors';
import type { Grid, Point } from './types';

/** The size rules of checkGrid without its value pass. */
export function checkShape(metric: string, argument: string, grid: Grid): void {
  const { width, height, data } = grid;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new MetricError(metric, argument, `size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height) {
    throw new MetricError(metric, argument, `data has ${data.length} values, expected ${width}x${height}=${width * height}`);
  }
}

export function checkGrid(metric: string, argument: string, grid: Grid): void {
  checkShape(metric, argument, grid);
  const { width, data } = grid;
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new MetricError(metric, argument, `non-finite value ${v} at index ${i} (x=${i % width}, y=${Math.floor(i / width)})`);
    }
  }
}

export function checkSameSize(metric: string, a: Grid, aName: string, b: Grid, bName: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new MetricError(metric, bName, `size ${b.width}x${b.height} does not match ${aName} ${a.width}x${a.height}`);
  }
}

/** Two maps of equal size with finite values. */
export function checkPair(metric: string, a: Grid, aName: string, b: Grid, bName: string): void {
  checkGrid(metric, aName, a);
  checkGrid(metric, bName, b);
  checkSameSize(metric, a, aName, b, bName);
}

/**
 * Fixations must be a non-empty list of finite points inside the map. Points
 * are used at integer pixel positions (floor), as pysaliency does for
 * integer-valued fixations.
 */
export function checkFixations(
  metric: string,
  argument: string,
  fixations: readonly Point[],
  width: number,
  height: number,
): void {
  if (fixations.length === 0) throw new MetricError(metric, argument, 'empty fixation list');
  for (let i = 0; i < fixations.length; i++) {
    const p = fixations[i] as Point;
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) {
      throw new MetricError(metric, argument, `fixation ${i} is not finite (${p.x}, ${p.y})`);
    }
    if (p.x < 0 || p.y < 0 || p.x >= width || p.y >= height) {
      throw new MetricError(metric, argument, `fixation ${i} (${p.x}, ${p.y}) is outside the ${width}x${height} map`);
    }
  }
}

/** Index of a fixation in a row-major map. */
export function fixationIndex(p: Point, width: number): number {
  return Math.floor(p.y) * width + Math.floor(p.x);
}
