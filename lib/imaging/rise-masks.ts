/**
 * Random masks of RISE: Petsiuk, Das & Saenko (2018), "RISE: Randomized input sampling for
 * explanation of black-box models", BMVC. Same construction as the reference implementation
 * (github.com/eclique/RISE, `explanations.py`, `RISE.generate_masks`), for an H×W input:
 *   - a grid of s×s cells, each 1 with probability p1 (`rand < p1`), else 0;
 *   - cell size C = (ceil(H/s), ceil(W/s)); the grid is upsampled bilinearly to (s+1)·C and a
 *     window of H×W is cropped at a random shift (dy, dx), dy uniform in [0, C_h), dx in [0, C_w).
 * The upsampling is scikit-image `transform.resize(grid, (s+1)·C, order=1, mode='reflect',
 * anti_aliasing=False)` as the reference calls it: output pixel i samples the grid at
 * (i + 0.5)·s/((s+1)·C) − 0.5 (half-pixel centres; note each cell is stretched by (s+1)/s,
 * as in the reference), linear interpolation between the two nearest cells, and positions
 * beyond the first/last cell centre mirrored about it (scikit-image 'reflect' = scipy.ndimage
 * 'mirror': −t reads t, (s−1)+t reads (s−1)−t). lib/imaging/resize.ts clamps instead ('edge'), so
 * it is not used here.
 * Randomness: per mask, s·s uniforms (row-major) for the grid, then dy, then dx, from the given
 * generator; masks are made one at a time so N need not fit in memory. numpy's generator is not
 * reproduced, so masks equal the reference's in distribution, not draw by draw.
 */
import { MetricError } from '../metrics/errors';
import type { Random } from '@/lib/random';

export interface RiseMaskOptions {
  /** Mask size (the model input), pixels. */
  readonly width: number;
  readonly height: number;
  /** Cells per side of the random grid (the paper's s). */
  readonly s: number;
  /** Probability that a cell is kept (the paper's p1). */
  readonly p1: number;
}

interface Taps {
  readonly left: Int32Array;
  readonly right: Int32Array;
  readonly frac: Float64Array;
}

/** ndimage 'mirror' extension of index j on a line of n cells. */
function mirror(j: number, n: number): number {
  if (n === 1) return 0;
  if (j < 0) return -j;
  if (j > n - 1) return 2 * (n - 1) - j;
  return j;
}

/** Linear-interpolation taps of a resize from `cells` to `size` samples (half-pixel centres). */
function taps(cells: number, size: number): Taps {
  const left = new Int32Array(size);
  const right = new Int32Array(size);
  const frac = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    const c = ((i + 0.5) * cells) / size - 0.5;
    const i0 = Math.floor(c);
    left[i] = mirror(i0, cells);
    right[i] = mirror(i0 + 1, cells);
    frac[i] = c - i0;
  }
  return { left, right, frac };
}

/** Returns a function that draws the next mask (H·W values in [0, 1], row-major). */
export function riseMaskSampler(options: RiseMaskOptions, random: Random): () => Float32Array {
  const { width, height, s, p1 } = options;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new MetricError('riseMaskSampler', 'size', `must be positive integers, got ${width}x${height}`);
  }
  if (!Number.isInteger(s) || s < 1) throw new MetricError('riseMaskSampler', 's', `must be a positive integer, got ${s}`);
  if (!(p1 > 0 && p1 <= 1)) throw new MetricError('riseMaskSampler', 'p1', `must be in (0, 1], got ${p1}`);
  const cellH = Math.ceil(height / s);
  const cellW = Math.ceil(width / s);
  const rows = taps(s, (s + 1) * cellH);
  const cols = taps(s, (s + 1) * cellW);
  const grid = new Float64Array(s * s);
  const band = new Float64Array(s * width);
  return () => {
    for (let i = 0; i < grid.length; i++) grid[i] = random.next() < p1 ? 1 : 0;
    const dy = random.int(cellH);
    const dx = random.int(cellW);
    // Interpolate along x for every grid row (only the cropped columns), then along y.
    for (let gy = 0; gy < s; gy++) {
      for (let x = 0; x < width; x++) {
        const f = cols.frac[x + dx] as number;
        const l = grid[gy * s + (cols.left[x + dx] as number)] as number;
        const r = grid[gy * s + (cols.right[x + dx] as number)] as number;
        band[gy * width + x] = (1 - f) * l + f * r;
      }
    }
    const mask = new Float32Array(width * height);
    for (let y = 0; y < height; y++) {
      const f = rows.frac[y + dy] as number;
      const top = (rows.left[y + dy] as number) * width;
      const bottom = (rows.right[y + dy] as number) * width;
      for (let x = 0; x < width; x++) mask[y * width + x] = (1 - f) * (band[top + x] as number) + f * (band[bottom + x] as number);
    }
    return mask;
  };
}
