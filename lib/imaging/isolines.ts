/**
 * Contour lines (isolines) of a map by marching squares (Lorensen & Cline 1987, "Marching cubes",
 * SIGGRAPH, in its 2-D form), e.g. a density map's contours at 25/50/75 % of its maximum.
 *
 * Conventions:
 * - Samples sit at pixel centres: pixel (i, j) is the point (i, j). Each cell joins the four
 *   centres (x, y), (x+1, y), (x+1, y+1), (x, y+1), so lines never reach beyond the outermost
 *   centres and a region touching the border stays open there (as skimage.measure.find_contours).
 * - A corner is "inside" when value >= level. Crossing points are linearly interpolated along the
 *   cell edge: t = (level − va)/(vb − va).
 * - Saddle rule (cases with two diagonal inside corners): the cell centre value is the mean of the
 *   four corners; if it is >= level the two inside corners are joined through the centre (the
 *   segments cut off the two outside corners), otherwise each inside corner is cut off on its own.
 * - Segments are packed x1, y1, x2, y2 in a Float64Array, in cell order (row-major), unjoined.
 * `isolineSvgPath` turns segments into an SVG path for an image drawn from (0, 0) to
 * (W·scale, H·scale): point (x, y) maps to ((x + 0.5)·scale, (y + 0.5)·scale).
 */
import { MetricError } from '../metrics/errors';
import type { Grid } from '../metrics/types';
import { checkGrid } from '../metrics/validate';

export interface Isoline {
  level: number;
  /** x1, y1, x2, y2 per segment, pixel-centre coordinates. */
  segments: Float64Array;
}

/** Edge pairs per case (bit k = corner k inside; corners TL, TR, BR, BL; edges top, right, bottom, left). */
const EDGE_PAIRS: ReadonlyArray<readonly number[]> = [
  [], [3, 0], [0, 1], [3, 1], [1, 2], [], [0, 2], [3, 2],
  [2, 3], [0, 2], [], [1, 2], [1, 3], [0, 1], [0, 3], [],
];
/** Saddles 5 (TL, BR inside) and 10 (TR, BL inside): [centre inside, centre outside]. */
const SADDLE_PAIRS: Readonly<Record<5 | 10, readonly [readonly number[], readonly number[]]>> = {
  5: [[0, 1, 2, 3], [3, 0, 1, 2]],
  10: [[3, 0, 1, 2], [0, 1, 2, 3]],
};

class SegmentBuffer {
  private data = new Float64Array(64);
  length = 0;

  push(x1: number, y1: number, x2: number, y2: number): void {
    if (this.length + 4 > this.data.length) {
      const grown = new Float64Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = x1;
    this.data[this.length++] = y1;
    this.data[this.length++] = x2;
    this.data[this.length++] = y2;
  }

  result(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** Isolines of `grid` at each level (see header for conventions). */
export function isolines(grid: Grid, levels: readonly number[]): Isoline[] {
  checkGrid('isolines', 'grid', grid);
  levels.forEach((level, i) => {
    if (!Number.isFinite(level)) throw new MetricError('isolines', 'levels', `level ${i} is not finite (${level})`);
  });
  const { width, height, data } = grid;
  const point = new Float64Array(8); // crossing point (x, y) on each of the 4 edges
  return levels.map((level) => {
    const out = new SegmentBuffer();
    for (let y = 0; y + 1 < height; y++) {
      for (let x = 0; x + 1 < width; x++) {
        const v0 = data[y * width + x] as number;
        const v1 = data[y * width + x + 1] as number;
        const v2 = data[(y + 1) * width + x + 1] as number;
        const v3 = data[(y + 1) * width + x] as number;
        const code = (v0 >= level ? 1 : 0) | (v1 >= level ? 2 : 0) | (v2 >= level ? 4 : 0) | (v3 >= level ? 8 : 0);
        if (code === 0 || code === 15) continue;
        point[0] = x + (level - v0) / (v1 - v0);
        point[1] = y;
        point[2] = x + 1;
        point[3] = y + (level - v1) / (v2 - v1);
        point[4] = x + (level - v3) / (v2 - v3);
        point[5] = y + 1;
        point[6] = x;
        point[7] = y + (level - v0) / (v3 - v0);
        let pairs = EDGE_PAIRS[code] as readonly number[];
        if (code === 5 || code === 10) {
          const centreInside = (v0 + v1 + v2 + v3) / 4 >= level;
          pairs = SADDLE_PAIRS[code][centreInside ? 0 : 1];
        }
        for (let k = 0; k < pairs.length; k += 2) {
          const a = 2 * (pairs[k] as number);
          const b = 2 * (pairs[k + 1] as number);
          out.push(point[a] as number, point[a + 1] as number, point[b] as number, point[b + 1] as number);
        }
      }
    }
    return { level, segments: out.result() };
  });
}

/** Levels at fractions of the map's maximum, e.g. [0.25, 0.5, 0.75]. */
export function isolineLevels(grid: Grid, fractions: readonly number[]): number[] {
  checkGrid('isolineLevels', 'grid', grid);
  let max = -Infinity;
  for (let i = 0; i < grid.data.length; i++) if ((grid.data[i] as number) > max) max = grid.data[i] as number;
  return fractions.map((f, i) => {
    if (!Number.isFinite(f)) throw new MetricError('isolineLevels', 'fractions', `fraction ${i} is not finite (${f})`);
    return f * max;
  });
}

function formatCoordinate(v: number): string {
  return String(Math.round(v * 1000) / 1000);
}

/** SVG path data ("M x1 y1L x2 y2" per segment) with pixel centres at (i + 0.5)·scale. */
export function isolineSvgPath(segments: Float64Array, scale = 1): string {
  if (segments.length % 4 !== 0) {
    throw new MetricError('isolineSvgPath', 'segments', `length ${segments.length} is not a multiple of 4`);
  }
  if (!Number.isFinite(scale) || scale <= 0) throw new MetricError('isolineSvgPath', 'scale', `must be positive, got ${scale}`);
  const parts: string[] = [];
  for (let i = 0; i < segments.length; i += 4) {
    const [x1, y1, x2, y2] = [0, 1, 2, 3].map((k) => formatCoordinate(((segments[i + k] as number) + 0.5) * scale));
    parts.push(`M${x1} ${y1}L${x2} ${y2}`);
  }
  return parts.join('');
}
