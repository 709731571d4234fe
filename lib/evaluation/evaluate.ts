/**
 * Evaluation of a saliency map without ground truth: insertion, deletion, ROAD and Average
 * Drop / Increase in Confidence for one (model, image, map). The single implementation behind
 * `npx gazebench evaluate` and the server's scoring worker (issue 8).
 *
 * Conventions (RISE, Petsiuk et al. 2018, BMVC; reference eclique/RISE `CausalMetric`):
 *  - the image is preprocessed with the bundle's preset at the model input size (lib/models);
 *    every substitution happens in that model-input space (deletion substrate = zeros after
 *    preprocessing; insertion substrate = RISE `gkern(11, 5)` blur of the preprocessed input);
 *  - the map is resized to the model input size first when it differs (bilinear, half-pixel
 *    centres, lib/imaging `resizeBilinear`);
 *  - class = arg-max on the original image unless given; score = softmax probability;
 *  - `step` pixels (all channels) per step, default the input width; curve of n + 1 scores;
 *    AUC = (Σs − s₀/2 − sₙ/2)/n (lib/metrics `curveAuc`);
 *  - ROAD (Rong et al. 2022, ICML) and ADIC (Chattopadhay et al. 2018, WACV) as in lib/metrics,
 *    with the same class and probability.
 * The metric arithmetic lives in lib/metrics; this file only prepares inputs and routes results.
 * With `pool` (lib/models/forward-pool.ts) the metrics are handed batches of batchSize × pool.size
 * images, which the scorer cuts into the same batchSize chunks as without it and runs at once on
 * the pool's workers: the same chunks in the same order, so the same curves (progress and the
 * abort checks come once per round of pool.size chunks).
 * Bad input throws MetricError('evaluate', argument, reason).
 */
import { averageDropIncrease } from '@/lib/metrics/adic';
import { MetricError } from '@/lib/metrics/errors';
import { deletionCurve, insertionCurve, insertionDeletion, type ModelImage } from '@/lib/metrics/insertion-deletion';
import { road } from '@/lib/metrics/road';
import type { Grid } from '@/lib/metrics/types';
import { checkGrid } from '@/lib/metrics/validate';
import type { ModelBundle } from '@/lib/models/bundle';
import { poolFor, type ForwardPool } from '@/lib/models/forward-pool-contract';
import { DEFAULT_BATCH_SIZE, pooledScoreBatch, scoreBatchFor } from '@/lib/models/predict';
import type { Preprocessing } from '@/lib/models/bundle-core';
import { imageMapInInputFrame, preprocess } from '@/lib/models/preprocess';

export const EVALUATION_METRICS = ['insertion', 'deletion', 'road', 'adic'] as const;
export type EvaluationMetric = (typeof EVALUATION_METRICS)[number];

/** Seed of ROAD's imputation noise when none is given, so results are reproducible. */
export const DEFAULT_ROAD_SEED = 0;

export interface EvaluationProgress {
  readonly metric: EvaluationMetric;
  /** Forward passes done and planned, over all requested metrics. */
  readonly done: number;
  readonly total: number;
}

export interface EvaluateInput {
  readonly bundle: ModelBundle;
  readonly image: { readonly rgba: Uint8Array; readonly width: number; readonly height: number };
  readonly saliency: Grid;
  readonly metrics: readonly EvaluationMetric[];
  readonly classIndex?: number | 'predicted';
  readonly step?: number;
  readonly batchSize?: number;
  readonly roadSeed?: number;
  /** ROAD removal percentiles (default 10, 20, ..., 90). */
  readonly roadPercentiles?: readonly number[];
  readonly onProgress?: (progress: EvaluationProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * Awaited before every batch of forward passes: a server worker running inside the web process
   * passes a macrotask yield so that HTTP requests are served between batches.
   */
  readonly pause?: () => Promise<void>;
  /** Worker threads with copies of this bundle for the forward passes; absent: this thread. */
  readonly pool?: ForwardPool | null;
}

export interface CurveResult {
  readonly curve: number[];
  readonly auc: number;
}

export interface EvaluationResult {
  readonly classIndex: number;
  readonly label: string;
  readonly step: number;
  readonly insertion?: CurveResult;
  readonly deletion?: CurveResult;
  readonly road?: {
    readonly percentiles: number[];
    readonly originalScore: number;
    readonly morf: number[];
    readonly lerf: number[];
    readonly combined: number;
  };
  readonly adic?: { readonly original: number; readonly explained: number; readonly drop: number; readonly increase: boolean };
}

const WHO = 'evaluate';

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new MetricError(WHO, name, `must be a positive integer, got ${value}`);
  return value;
}

/**
 * The map at the model input size, checked (non-empty, finite). A map at another size is taken to
 * cover the whole image and is put in the input's frame for `preset` (preprocess.ts
 * `imageMapInInputFrame`: Teachable Machine's centre crop is cut out of it, not squeezed into it).
 */
export function saliencyAtInputSize(saliency: Grid, width: number, height: number, preset: Preprocessing): Grid {
  if (saliency.width * saliency.height === 0 || saliency.data.length === 0) {
    throw new MetricError(WHO, 'saliency', `map has 0 pixels (${saliency.width}x${saliency.height}); it cannot be resized`);
  }
  checkGrid(WHO, 'saliency', saliency);
  return imageMapInInputFrame(saliency, preset, width, height);
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

export async function evaluateWithoutGroundTruth(input: EvaluateInput): Promise<EvaluationResult> {
  const { bundle, image, metrics, signal } = input;
  if (metrics.length === 0) throw new MetricError(WHO, 'metrics', `no metric requested (choose from ${EVALUATION_METRICS.join(', ')})`);
  for (const m of metrics) {
    if (!(EVALUATION_METRICS as readonly string[]).includes(m)) {
      throw new MetricError(WHO, 'metrics', `unknown metric '${m}' (choose from ${EVALUATION_METRICS.join(', ')})`);
    }
  }
  const wanted = new Set(metrics);
  const [height, width] = bundle.config.inputSize;
  const step = positiveInteger('step', input.step ?? width);
  const batchSize = positiveInteger('batchSize', input.batchSize ?? DEFAULT_BATCH_SIZE);
  const requested = input.classIndex ?? 'predicted';
  if (requested !== 'predicted' && !(Number.isInteger(requested) && requested >= 0 && requested < bundle.numClasses)) {
    throw new MetricError(WHO, 'classIndex', `${requested} is out of range for a model with ${bundle.numClasses} classes (0..${bundle.numClasses - 1})`);
  }
  const saliency = saliencyAtInputSize(input.saliency, width, height, bundle.config.preprocessing);
  const data = preprocess(image.rgba, image.width, image.height, bundle.config.preprocessing, bundle.config.inputSize);
  const modelImage: ModelImage = { width, height, channels: bundle.channels, data };
  const pool = poolFor(input.pool, bundle.dir);
  const forward = pool === null ? scoreBatchFor(bundle, { output: 'probability', batchSize }) : pooledScoreBatch(bundle, pool, { output: 'probability', batchSize });
  const metricBatch = pool === null ? batchSize : batchSize * pool.size;
  const { pause } = input;
  const scoreBatch: typeof forward = pause ? async (batch) => (await pause(), forward(batch)) : forward;

  const curveLength = Math.ceil((width * height) / step) + 1;
  const plan: Record<EvaluationMetric, number> = {
    deletion: wanted.has('deletion') ? curveLength : 0,
    insertion: wanted.has('insertion') ? curveLength : 0,
    road: wanted.has('road') ? 1 + 2 * (input.roadPercentiles?.length ?? 9) : 0,
    adic: wanted.has('adic') ? 2 : 0,
  };
  const total = 1 + plan.deletion + plan.insertion + plan.road + plan.adic;
  let base = 0;
  const report = (metric: EvaluationMetric) => (done: number) => input.onProgress?.({ metric, done: base + done, total });

  signal?.throwIfAborted();
  const classIndex = requested === 'predicted' ? argmax((await scoreBatch([data]))[0] as Float32Array) : requested;
  base = 1;
  const options = { step, classIndex, batchSize: metricBatch, signal };
  const result: { -readonly [K in keyof EvaluationResult]: EvaluationResult[K] } = {
    classIndex,
    label: bundle.config.labels[classIndex] ?? String(classIndex),
    step,
  };
  const asCurve = (c: { curve: Float64Array; auc: number }): CurveResult => ({ curve: Array.from(c.curve), auc: c.auc });

  if (wanted.has('insertion') && wanted.has('deletion')) {
    // insertionDeletion scores the deletion curve first, then the insertion curve.
    const onProgress = (done: number): void => report(done <= plan.deletion ? 'deletion' : 'insertion')(done);
    const both = await insertionDeletion(modelImage, saliency, scoreBatch, { ...options, onProgress });
    result.insertion = asCurve(both.insertion);
    result.deletion = asCurve(both.deletion);
  } else if (wanted.has('insertion')) {
    result.insertion = asCurve(await insertionCurve(modelImage, saliency, scoreBatch, { ...options, onProgress: report('insertion') }));
  } else if (wanted.has('deletion')) {
    result.deletion = asCurve(await deletionCurve(modelImage, saliency, scoreBatch, { ...options, onProgress: report('deletion') }));
  }
  base += plan.deletion + plan.insertion;
  if (wanted.has('road')) {
    const r = await road(modelImage, saliency, scoreBatch, {
      ...options,
      seed: input.roadSeed ?? DEFAULT_ROAD_SEED,
      ...(input.roadPercentiles === undefined ? {} : { percentiles: input.roadPercentiles }),
      onProgress: report('road'),
    });
    result.road = { percentiles: [...r.percentiles], originalScore: r.originalScore, morf: Array.from(r.morf), lerf: Array.from(r.lerf), combined: r.combined };
    base += plan.road;
  }
  if (wanted.has('adic')) {
    signal?.throwIfAborted();
    const a = await averageDropIncrease(modelImage, saliency, scoreBatch, { classIndex });
    result.adic = { original: a.original, explained: a.explained, drop: a.drop, increase: a.increase };
    report('adic')(2);
  }
  return result;
}
