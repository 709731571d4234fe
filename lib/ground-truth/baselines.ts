/**
 * Baseline saliency maps, scored like any run so that the leaderboard shows what "no explanation"
 * achieves (Judd, Durand & Torralba 2012, MIT tech report: centre and chance baselines; Kümmerer,
 * Wallis & Bethge 2015, PNAS: the centre bias as the reference of information gain; Borji, Sihite &
 * Itti 2013, IEEE TIP: other images' fixations as the shuffled-AUC negatives).
 *
 *  - centre: anisotropic Gaussian centred on the image, σx = 0.25·width, σy = 0.25·height
 *    (CENTRE_BIAS_SIGMA_FRACTION), evaluated at pixel centres — a blob stretched to the image's
 *    aspect ratio, as MIT's centre baseline. It is also the baseline of IG.
 *  - mean-fixations: the density map (same σ as the image's ground truth) of the fixations of every
 *    OTHER image of the dataset, each rescaled to this image's size (x·W/W′, y·H/H′) — the
 *    distribution sAUC draws its negatives from, so sAUC of this baseline is ≈ 0.5 by construction.
 *  - uniform: a constant map. CC and NSS are 0 by their constant-map rules; IG (MIT InfoGain.m
 *    min-max scales the map) is undefined and reported as such.
 *  - random: independent uniform values in [0, 1) per pixel from mulberry32 seeded with
 *    RANDOM_BASELINE_SEED + the image's position in the dataset (reproducible).
 */
import { densityMap } from '../imaging/density-map';
import type { Grid, Point } from '../metrics/types';
import { createRandom } from '../random';

export const CENTRE_BIAS_SIGMA_FRACTION = 0.25;
export const RANDOM_BASELINE_SEED = 12_345;

export const BASELINES = ['centre', 'mean-fixations', 'uniform', 'random'] as const;
export type BaselineName = (typeof BASELINES)[number];

export const BASELINE_LABELS: Readonly<Record<BaselineName, string>> = {
  centre: 'Centre-bias Gaussian (σ = ¼ of each side)',
  'mean-fixations': "Dataset mean fixation map (other images' fixations)",
  uniform: 'Uniform map',
  random: 'Random map (seeded)',
};

export function centreBiasMap(width: number, height: number): Grid<Float64Array> {
  const data = new Float64Array(width * height);
  const sx = CENTRE_BIAS_SIGMA_FRACTION * width;
  const sy = CENTRE_BIAS_SIGMA_FRACTION * height;
  const cx = width / 2;
  const cy = height / 2;
  let sum = 0;
  for (let y = 0; y < height; y++) {
    const dy = (y + 0.5 - cy) / sy;
    for (let x = 0; x < width; x++) {
      const dx = (x + 0.5 - cx) / sx;
      const v = Math.exp(-0.5 * (dx * dx + dy * dy));
      data[y * width + x] = v;
      sum += v;
    }
  }
  for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) / sum;
  return { width, height, data };
}

export function uniformMap(width: number, height: number): Grid<Float64Array> {
  return { width, height, data: new Float64Array(width * height).fill(1 / (width * height)) };
}

export function randomMap(width: number, height: number, position: number): Grid<Float64Array> {
  const random = createRandom(RANDOM_BASELINE_SEED + position);
  return { width, height, data: Float64Array.from({ length: width * height }, () => random.next()) };
}

export interface SizedFixations {
  readonly width: number;
  readonly height: number;
  readonly fixations: readonly Point[];
}

/** Other images' fixations mapped onto a width×height image (x·W/W′, y·H/H′). */
export function rescaleFixations(others: readonly SizedFixations[], width: number, height: number): Point[] {
  return others.flatMap((o) => o.fixations.map((p) => ({ x: (p.x * width) / o.width, y: (p.y * height) / o.height })));
}

/** Null when the other images have no fixations. */
export function meanFixationMap(others: readonly SizedFixations[], width: number, height: number, sigmaPx: number): Grid<Float64Array> | null {
  const points = rescaleFixations(others, width, height);
  return points.length === 0 ? null : densityMap(points, width, height, sigmaPx);
}
