/**
 * The "other images' fixations" of a dataset: the negatives of shuffled AUC (Zhang et al. 2008,
 * Journal of Vision; Borji, Sihite & Itti 2013, IEEE TIP) and the points of the mean-fixation
 * baseline.
 *
 * Every image's fixations are stored in normalised coordinates (x/W, y/H) in one pool, ordered by
 * image id; an image's negatives are the pool without its own contiguous range, mapped onto its
 * size (x·W, y·H, as pysaliency rescales negatives recorded on another image size). When the other
 * images hold more than SAUC_MAX_NEGATIVES fixations, a systematic sample of exactly that many is
 * taken (every (total/cap)-th fixation from an offset drawn with mulberry32 seeded by
 * SAUC_NEGATIVE_SEED + the image's index in the pool), which keeps sAUC O(cap·log cap) per map on
 * large datasets and is reproducible. MIT's AUC_shuffled.m samples too (as many negatives as
 * positives, 100 splits); pysaliency uses them all — below the cap, so do we.
 */
import type { Point } from '../metrics/types';
import { createRandom } from '../random';

export const SAUC_MAX_NEGATIVES = 10_000;
export const SAUC_NEGATIVE_SEED = 0;

export interface PoolImage {
  readonly imageId: string;
  readonly width: number;
  readonly height: number;
  readonly fixations: readonly Point[];
}

export interface NegativePool {
  readonly total: number;
  /** Negatives for an image of the pool (or any other image: then all fixations are others'). */
  negativesFor(imageId: string, width: number, height: number): Point[];
}

export function negativePool(images: readonly PoolImage[], maxNegatives = SAUC_MAX_NEGATIVES): NegativePool {
  const sorted = [...images].sort((a, b) => (a.imageId < b.imageId ? -1 : a.imageId > b.imageId ? 1 : 0));
  const total = sorted.reduce((n, i) => n + i.fixations.length, 0);
  const u = new Float64Array(total);
  const v = new Float64Array(total);
  const range = new Map<string, { start: number; end: number; index: number }>();
  let k = 0;
  sorted.forEach((image, index) => {
    const start = k;
    for (const p of image.fixations) {
      u[k] = p.x / image.width;
      v[k] = p.y / image.height;
      k++;
    }
    range.set(image.imageId, { start, end: k, index });
  });
  return {
    total,
    negativesFor(imageId, width, height) {
      const own = range.get(imageId) ?? { start: total, end: total, index: sorted.length };
      const others = total - (own.end - own.start);
      const at = (j: number): Point => {
        const i = j < own.start ? j : j + (own.end - own.start);
        // Clamp below the edge: x/W·W can round up to W for x just under W.
        return { x: Math.min((u[i] as number) * width, width - 1e-9), y: Math.min((v[i] as number) * height, height - 1e-9) };
      };
      if (others <= maxNegatives) return Array.from({ length: others }, (_, j) => at(j));
      const stride = others / maxNegatives;
      const offset = createRandom(SAUC_NEGATIVE_SEED + own.index).next();
      return Array.from({ length: maxNegatives }, (_, j) => at(Math.min(others - 1, Math.floor((j + offset) * stride))));
    },
  };
}
