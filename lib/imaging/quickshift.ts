/**
 * Quick shift superpixels: Vedaldi & Soatto (2008), "Quick shift and kernel methods for mode
 * seeking", ECCV. Matches scikit-image `segmentation.quickshift` (0.19–0.25, `_quickshift.py` and
 * `_quickshift_cy.pyx`) step by step:
 *   1. RGB in [0, 1] → CIE L*a*b* (`convertToLab`, default true; see color.ts), per-channel
 *      Gaussian blur `sigma` (default 0 = none), features = colour × `ratio`.
 *   2. Density of pixel p = Σ_q exp(−d²(p, q) / (2·kernelSize²)) over the square window
 *      |Δrow|, |Δcol| ≤ ceil(3·kernelSize) clipped to the image, with d² = ‖colour diff‖² +
 *      Δrow² + Δcol² (pixel units, unscaled).
 *   3. Ties broken by adding N(0, 1e-5²) noise per pixel, seeded.
 *   4. Parent of p = the nearest pixel of strictly higher density in the same window (first in
 *      row-major scan order on equal distance); none, or farther than `maxDist` → p is a root.
 *   5. Every pixel takes the label of its root; roots numbered in increasing pixel index.
 * Differences: the tie-breaking noise comes from lib/random (mulberry32 + Box–Muller), not
 * numpy's generator, so on images with exact density ties the labels can differ from
 * scikit-image's for the same seed; elsewhere they are identical. scikit-image's defaults are
 * kept here (ratio 1, kernelSize 5, maxDist 10); LIME passes kernel 4, maxDist 200, ratio 0.2.
 */
import { createRandom } from '@/lib/random';
import type { RgbImage } from './color';
import { checkAbove, prepareFeatures, relabelSequential, type Segmentation } from './segmentation';

export interface QuickshiftOptions {
  readonly ratio?: number;
  readonly kernelSize?: number;
  readonly maxDist?: number;
  readonly sigma?: number;
  readonly convertToLab?: boolean;
  /** Seed of the tie-breaking noise (scikit-image's default is 42). */
  readonly seed?: number;
}

/** Standard deviation of the tie-breaking noise added to the densities (scikit-image's). */
const TIE_NOISE = 1e-5;

export function quickshift(image: RgbImage, options: QuickshiftOptions = {}): Segmentation {
  const ratio = options.ratio ?? 1;
  const kernelSize = options.kernelSize ?? 5;
  const maxDist = options.maxDist ?? 10;
  checkAbove('quickshift', 'ratio', ratio, 0, true);
  checkAbove('quickshift', 'kernelSize', kernelSize, 1, true);
  checkAbove('quickshift', 'maxDist', maxDist, 0, true);
  const features = prepareFeatures('quickshift', image, options.convertToLab ?? true, options.sigma ?? 0, ratio);
  const { width, height } = image;
  const n = width * height;
  const inv = -0.5 / (kernelSize * kernelSize);
  const win = Math.ceil(3 * kernelSize);

  const sqDist = (p: number, q: number, dr: number, dc: number): number => {
    const a = p * 3;
    const b = q * 3;
    const t0 = (features[a] as number) - (features[b] as number);
    const t1 = (features[a + 1] as number) - (features[b + 1] as number);
    const t2 = (features[a + 2] as number) - (features[b + 2] as number);
    return t0 * t0 + t1 * t1 + t2 * t2 + dr * dr + dc * dc;
  };

  // Each pair is visited once and its kernel value added to both ends (the window is symmetric);
  // the order of summation differs from scikit-image's only in the last bits.
  const density = new Float64Array(n).fill(1);
  for (let r = 0; r < height; r++) {
    const r1 = Math.min(r + win + 1, height);
    for (let c = 0; c < width; c++) {
      const c0 = Math.max(c - win, 0);
      const c1 = Math.min(c + win + 1, width);
      const p = r * width + c;
      let sum = 0;
      for (let r2 = r; r2 < r1; r2++) {
        for (let c2 = r2 === r ? c + 1 : c0; c2 < c1; c2++) {
          const q = r2 * width + c2;
          const k = Math.exp(sqDist(p, q, r - r2, c - c2) * inv);
          sum += k;
          density[q] = (density[q] as number) + k;
        }
      }
      density[p] = (density[p] as number) + sum;
    }
  }
  const random = createRandom(options.seed ?? 42);
  for (let p = 0; p < n; p++) density[p] = (density[p] as number) + TIE_NOISE * random.normal();

  const parent = new Int32Array(n);
  for (let r = 0; r < height; r++) {
    const r0 = Math.max(r - win, 0);
    const r1 = Math.min(r + win + 1, height);
    for (let c = 0; c < width; c++) {
      const c0 = Math.max(c - win, 0);
      const c1 = Math.min(c + win + 1, width);
      const p = r * width + c;
      const own = density[p] as number;
      let closest = Infinity;
      let best = p;
      for (let r2 = r0; r2 < r1; r2++) {
        for (let c2 = c0; c2 < c1; c2++) {
          const q = r2 * width + c2;
          if ((density[q] as number) <= own) continue;
          const d = sqDist(p, q, r - r2, c - c2);
          if (d < closest) {
            closest = d;
            best = q;
          }
        }
      }
      parent[p] = Math.sqrt(closest) > maxDist ? p : best;
    }
  }
  // Flatten the forest: follow parents to the root (densities strictly increase, so no cycles).
  const root = new Int32Array(n);
  for (let p = 0; p < n; p++) {
    let q = p;
    while (parent[q] !== q) q = parent[q] as number;
    root[p] = q;
  }
  return relabelSequential(width, height, root);
}
