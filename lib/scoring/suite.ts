/**
 * One saliency map against one ground-truth version: every stored metric at once, each failure
 * recorded by name instead of stored (never a NaN).
 *
 * Conventions:
 *  - The map is first resized to the ground truth's (= the image's) size with bilinear
 *    interpolation at half-pixel centres (lib/imaging `resizeBilinear`; skimage order=1 / OpenCV
 *    INTER_LINEAR), as the MIT benchmark resizes maps to the fixation map's size.
 *  - Fixation metrics (NSS, AUC-Judd, sAUC, IG) use the fixations frozen with the version.
 *  - sAUC negatives: the fixations of the dataset's other images (current versions, same modality),
 *    already rescaled to this image's size.
 *  - IG is measured against the centre-bias baseline (lib/ground-truth/baselines `centreBiasMap`).
 *  - EMD at the MIT size: maps shrunk so the long side is 32 cells (lib/metrics/emd).
 * A MetricError (constant map for IG, no fixations, …) becomes a failure with its message; any
 * other exception is a bug and propagates.
 */
import { resizeBilinear } from '../imaging/resize';
import { MetricError } from '../metrics/errors';
import { GROUND_TRUTH_METRICS } from '../metrics/index';
import type { Grid, Point } from '../metrics/types';
import type { GroundTruthScoreMetric } from './metrics';

export interface SuiteInput {
  readonly saliency: Grid;
  readonly density: Grid;
  /** The version's fixations (image pixels); empty when a map was imported without fixations. */
  readonly fixations: readonly Point[];
  /** Other images' fixations rescaled to this image's size. */
  readonly negatives: readonly Point[];
  /** IG reference map at the density's size. */
  readonly baseline: Grid;
}

export interface SuiteResult {
  readonly values: Partial<Record<GroundTruthScoreMetric, number>>;
  readonly failures: Partial<Record<GroundTruthScoreMetric, string>>;
}

const NEEDS_FIXATIONS = new Set<GroundTruthScoreMetric>(['nss', 'aucJudd', 'aucShuffled', 'infoGain']);

export function atSize(map: Grid, width: number, height: number): Grid {
  return map.width === width && map.height === height ? map : resizeBilinear(map, width, height);
}

/**
 * The suite one metric at a time: yields after each metric so that a caller running in a web
 * process can give the event loop a turn (scoreSuiteAsync); returns the result when done.
 */
export function* scoreSuiteSteps(input: SuiteInput, metrics: readonly GroundTruthScoreMetric[]): Generator<void, SuiteResult, void> {
  const { density } = input;
  const values: Partial<Record<GroundTruthScoreMetric, number>> = {};
  const failures: Partial<Record<GroundTruthScoreMetric, string>> = {};
  let saliency: Grid;
  try {
    saliency = atSize(input.saliency, density.width, density.height);
  } catch (error) {
    if (!(error instanceof MetricError)) throw error;
    for (const m of metrics) failures[m] = error.message;
    return { values, failures };
  }
  for (const metric of metrics) {
    yield;
    if (NEEDS_FIXATIONS.has(metric) && input.fixations.length === 0) {
      failures[metric] = `${metric}: this ground-truth version has no fixations (map imported without fixations)`;
      continue;
    }
    if (metric === 'aucShuffled' && input.negatives.length === 0) {
      failures[metric] = 'aucShuffled: the other images of the dataset have no fixations to use as negatives';
      continue;
    }
    try {
      const value = GROUND_TRUTH_METRICS[metric].compute({
        saliency,
        density,
        fixations: input.fixations,
        baseline: input.baseline,
        negatives: { fixations: input.negatives },
      });
      if (Number.isFinite(value)) values[metric] = value;
      else failures[metric] = `${metric}: result is ${value}`;
    } catch (error) {
      if (!(error instanceof MetricError)) throw error;
      failures[metric] = error.message;
    }
  }
  return { values, failures };
}

/** Runs a step generator to its result. */
export function drain<T>(steps: Generator<void, T, void>): T {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** Runs a step generator, awaiting `pause` between steps (the event loop gets a turn). */
export async function drainAsync<T>(steps: Generator<void, T, void>, pause: () => Promise<void>): Promise<T> {
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
    await pause();
  }
}

export function scoreSuite(input: SuiteInput, metrics: readonly GroundTruthScoreMetric[]): SuiteResult {
  return drain(scoreSuiteSteps(input, metrics));
}

/** Lets pending I/O (HTTP requests of the web process that hosts the worker) run. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
