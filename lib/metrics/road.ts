/**
 * ROAD — Remove And Debias: faithfulness of an explanation measured by removing pixels with noisy
 * linear imputation, which leaks far less class information than filling with a constant.
 *
 * Paper: Rong, Leemann, Borisov, Kasneci & Kasneci (2022), "A consistent and efficient evaluation
 * strategy for attribution methods", ICML (PMLR 162).
 * Reference: tleemann/road_evaluation `road/imputations.py` `NoisyLinearImputer` and
 * `road/imputed_dataset.py`; the combined score of pytorch-grad-cam `metrics/road.py`
 * `ROADCombined` (jacobgil/pytorch-grad-cam).
 * Conventions:
 *  - imputation: each removed pixel equals the weighted mean of its in-image neighbours, weights
 *    1/6 for the 4 direct and 1/12 for the 4 diagonal ones (renormalised at the border, exactly the
 *    reference's system); all removed pixels of a channel are solved together. The reference uses a
 *    direct sparse solve (scipy `spsolve`); here conjugate gradients on the same symmetric positive
 *    definite system, preconditioned by an aggregation multigrid V-cycle (2×2 pixel blocks,
 *    Galerkin coarse levels, symmetric Gauss-Seidel), to a relative residual of 1e-10, in float64
 *    — large contiguous holes (smooth maps) need ~10-30 iterations instead of thousands;
 *  - noise: N(0, noiseSd²) added to every imputed value (default 0.01, the reference's), drawn from
 *    `createRandom(seed)` channel by channel in ascending pixel order;
 *  - removal at percentile p: count = floor(H·W·p/100) pixels (reference: `int(W·H·th_p)`).
 *    MoRF removes the `count` most relevant, LeRF the `count` least relevant (the paper's reading;
 *    pytorch-grad-cam's `percentile` argument is the share KEPT). Ranking: decreasing saliency,
 *    ties by ascending pixel index — deterministic, where the reference breaks ties with 1e-4 noise;
 *  - scores are the class probability returned by the model (reference `road_eval`: softmax
 *    probability), class = `classIndex`, default the arg-max on the original image;
 *  - combined = (mean LeRF − mean MoRF) / 2 over the percentiles (pytorch-grad-cam ROADCombined;
 *    its per-percentile "diff from the original score" cancels in this difference, and for the
 *    symmetric default percentiles 10…90 its kept-share reading gives the same averages). Higher is
 *    better. The road_evaluation repository itself reports the MoRF and LeRF curves only.
 */
import { MetricError } from './errors';
import { checkGrid } from './validate';
import type { Grid } from './types';
import { argmax, salientOrder, type ModelImage, type ScoreBatch } from './insertion-deletion';
import { createRandom } from '../random';
import { noisyLinearImpute } from './road-imputation';

export interface RoadOptions {
  readonly seed: number;
  /** Percent of pixels removed, each in [0, 100); default 10, 20, ..., 90. */
  readonly percentiles?: readonly number[];
  readonly classIndex?: number;
  /** Standard deviation of the imputation noise, in image units (default 0.01). */
  readonly noiseSd?: number;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (done: number, total: number) => void;
}

export interface RoadResult {
  readonly classIndex: number;
  readonly percentiles: readonly number[];
  /** Class probability on the unmodified image. */
  readonly originalScore: number;
  /** Probability after removing the most relevant p% (one value per percentile). */
  readonly morf: Float64Array;
  /** Probability after removing the least relevant p%. */
  readonly lerf: Float64Array;
  readonly combined: number;
}

const METRIC = 'road';
export const ROAD_DEFAULT_PERCENTILES: readonly number[] = [10, 20, 30, 40, 50, 60, 70, 80, 90];
/** Reference NoisyLinearImputer default noise. */
export const ROAD_NOISE_SD = 0.01;
export async function road(image: ModelImage, saliency: Grid, scoreBatch: ScoreBatch, options: RoadOptions): Promise<RoadResult> {
  const { seed, percentiles = ROAD_DEFAULT_PERCENTILES, noiseSd = ROAD_NOISE_SD, batchSize = 16, signal } = options;
  const { width, height, channels, data } = image;
  if (![width, height, channels].every((v) => Number.isInteger(v) && v > 0) || data.length !== width * height * channels) {
    throw new MetricError(METRIC, 'image', `expected positive integer size and ${width}x${height}x${channels} values, got ${data.length}`);
  }
  if (!data.every(Number.isFinite)) throw new MetricError(METRIC, 'image', 'contains a non-finite value');
  checkGrid(METRIC, 'saliency', saliency);
  if (saliency.width !== width || saliency.height !== height) {
    throw new MetricError(METRIC, 'saliency', `size ${saliency.width}x${saliency.height} does not match image ${width}x${height}; resize it first`);
  }
  if (percentiles.length === 0 || !percentiles.every((p) => p >= 0 && p < 100)) {
    throw new MetricError(METRIC, 'percentiles', `must be a non-empty list of values in [0, 100), got [${percentiles.join(', ')}]`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new MetricError(METRIC, 'batchSize', `must be a positive integer, got ${batchSize}`);
  if (!Number.isFinite(seed)) throw new MetricError(METRIC, 'seed', `must be finite, got ${seed}`);

  const n = width * height;
  const order = salientOrder(saliency);
  const random = createRandom(seed);
  // Image 0 is the original; then MoRF and LeRF for each percentile.
  const images: Float32Array[] = [Float32Array.from(data)];
  for (const leastFirst of [false, true]) {
    for (const p of percentiles) {
      const count = Math.floor((n * p) / 100);
      const removed = new Uint8Array(n);
      for (let k = 0; k < count; k++) removed[order[leastFirst ? n - 1 - k : k] as number] = 1;
      signal?.throwIfAborted(); // imputations take most of the time: stop between them
      images.push(noisyLinearImpute(image, removed, noiseSd, random));
    }
  }
  const outputs: Float32Array[] = [];
  for (let i = 0; i < images.length; i += batchSize) {
    signal?.throwIfAborted();
    const batch = images.slice(i, i + batchSize);
    const result = await scoreBatch(batch);
    signal?.throwIfAborted();
    if (result.length !== batch.length) throw new MetricError(METRIC, 'scoreBatch', `returned ${result.length} outputs for ${batch.length} inputs`);
    outputs.push(...result);
    options.onProgress?.(outputs.length, images.length);
  }
  const classIndex = options.classIndex ?? argmax(outputs[0], METRIC);
  const scores = outputs.map((o) => {
    if (!Number.isInteger(classIndex) || classIndex < 0 || classIndex >= o.length) {
      throw new MetricError(METRIC, 'classIndex', `${classIndex} is out of range for ${o.length} classes`);
    }
    const v = o[classIndex] as number;
    if (!Number.isFinite(v)) throw new MetricError(METRIC, 'scoreBatch', `returned a non-finite score ${v}`);
    return v;
  });
  const k = percentiles.length;
  const morf = Float64Array.from(scores.slice(1, 1 + k));
  const lerf = Float64Array.from(scores.slice(1 + k));
  return {
    classIndex,
    percentiles: [...percentiles],
    originalScore: scores[0] as number,
    morf,
    lerf,
    combined: (lerf.reduce((a, v) => a + v, 0) / k - morf.reduce((a, v) => a + v, 0) / k) / 2,
  };
}
