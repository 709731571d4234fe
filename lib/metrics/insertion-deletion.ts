/**
 * Insertion and deletion: causal faithfulness curves of an explanation for a black-box classifier.
 *
 * Paper: Petsiuk, Das & Saenko (2018), "RISE: Randomized input sampling for explanation of
 * black-box models", BMVC, section 4.1.
 * Reference: RISE `evaluation.py` `CausalMetric.single_run` and `auc` (eclique/RISE), with
 * the substrates of its `Evaluation.ipynb`: deletion replaces pixels by zeros; insertion starts
 * from `blur(image)` = `conv2d(image, gkern(11, 5), padding=5)` and puts the original pixels back.
 * Conventions (RISE's, unless noted):
 *  - pixels are changed in order of decreasing saliency, `step` pixels (all channels) per step,
 *    n = ceil(H·W / step) steps; the curve has n + 1 scores, score i being the class probability
 *    after the first i·step pixels changed (score 0: nothing changed; score n: everything);
 *  - the class is `classIndex`, default the arg-max of the model on the original image;
 *  - AUC = `curveAuc` (trapezoid on a uniform grid, RISE `auc`);
 *  - ties: equal saliency values are taken in ascending pixel index (a stable order). RISE uses
 *    `np.flip(np.argsort(...))`, which reverses tied pixels (descending index for a stable argsort;
 *    numpy's default quicksort does not even guarantee that), so curves on maps with ties can
 *    differ from RISE's at the tied steps; maps without ties give RISE's order exactly;
 *  - no hard-coded 224×224 or 3 channels: any H, W, C; the image is HWC in model-input space
 *    (already preprocessed), so "zero" means zero in that space, as in RISE (normalised tensors);
 *  - `gkern` is scipy `gaussian_filter(delta_11x11, 5)` — mode 'reflect', truncate 4, radius 20 —
 *    so the tails fold back into the 11×11 window: it is NOT a truncated Gaussian (and is close to
 *    a box filter); cast to float32 as RISE does. The blur pads with zeros (conv2d padding=5).
 * The saliency map must have the image's size (callers resize with imaging `resizeBilinear`).
 * `curvePointsAt` scores chosen curve indices only, through the same loop as the full curves: the
 * server's spot checks of curves computed in a browser (issue 18).
 */
import { curveAuc } from './curve-auc';
import { MetricError } from './errors';
import { checkGrid } from './validate';
import type { Grid } from './types';

/** The model: HWC inputs in model space → one class-probability vector per input. */
export type ScoreBatch = (batch: Float32Array[]) => Promise<Float32Array[]>;

export interface ModelImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  /** HWC, index (y·width + x)·channels + c. */
  readonly data: Float32Array;
}

export interface CausalCurve {
  readonly curve: Float64Array;
  readonly auc: number;
}

export interface InsertionDeletionResult {
  readonly classIndex: number;
  readonly step: number;
  readonly insertion: CausalCurve;
  readonly deletion: CausalCurve;
}

export interface CurveOptions {
  /** Pixels changed per step (default: the image width, as RISE's 224 for 224×224 images). */
  readonly step?: number;
  readonly classIndex?: number;
  /** Images per scoreBatch call (default 16). */
  readonly batchSize?: number;
  /** Called after each batch with images scored so far and in total. */
  readonly onProgress?: (done: number, total: number) => void;
  readonly signal?: AbortSignal;
}

export interface InsertionDeletionOptions extends CurveOptions {
  /** Deletion target: a constant, or a full HWC image (default 0, RISE). */
  readonly deletionSubstrate?: number | Float32Array;
  /** Insertion start image, HWC (default `riseBlur(image)`). */
  readonly insertionSubstrate?: Float32Array;
}

const METRIC = 'insertionDeletion';
/** RISE `Evaluation.ipynb`: klen = 11, ksig = 5. */
const RISE_KERNEL_SIZE = 11;
const RISE_KERNEL_SIGMA = 5;
/** scipy `gaussian_filter` default truncate. */
const SCIPY_TRUNCATE = 4;

/** RISE `gkern(11, 5)` as float32, row-major 11×11 (see header: reflect-folded Gaussian). */
export function riseBlurKernel(): Float32Array {
  const n = RISE_KERNEL_SIZE;
  const radius = Math.floor(SCIPY_TRUNCATE * RISE_KERNEL_SIGMA + 0.5);
  const weights = new Float64Array(2 * radius + 1);
  let total = 0;
  for (let o = -radius; o <= radius; o++) {
    const w = Math.exp((-0.5 * o * o) / (RISE_KERNEL_SIGMA * RISE_KERNEL_SIGMA));
    weights[o + radius] = w;
    total += w;
  }
  // 1-D response at i to a delta at the centre, with scipy 'reflect' (d c b a | a b c d | d c b a).
  const centre = Math.floor(n / 2);
  const profile = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let o = -radius; o <= radius; o++) {
      const m = (((i + o) % (2 * n)) + 2 * n) % (2 * n);
      if ((m < n ? m : 2 * n - 1 - m) === centre) s += (weights[o + radius] as number) / total;
    }
    profile[i] = s;
  }
  const kernel = new Float32Array(n * n);
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) kernel[r * n + c] = (profile[r] as number) * (profile[c] as number);
  return kernel;
}

/** RISE insertion substrate: per-channel correlation with `riseBlurKernel()`, zero padding. */
export function riseBlur(image: ModelImage): Float32Array {
  checkImage(image);
  const { width, height, channels, data } = image;
  const kernel = riseBlurKernel();
  const n = RISE_KERNEL_SIZE;
  const half = Math.floor(n / 2);
  const out = new Float32Array(data.length);
  const acc = new Float64Array(channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      acc.fill(0);
      for (let ky = Math.max(0, half - y); ky < Math.min(n, height - y + half); ky++) {
        const row = (y + ky - half) * width;
        for (let kx = Math.max(0, half - x); kx < Math.min(n, width - x + half); kx++) {
          const w = kernel[ky * n + kx] as number;
          const base = (row + x + kx - half) * channels;
          for (let c = 0; c < channels; c++) acc[c] = (acc[c] as number) + w * (data[base + c] as number);
        }
      }
      const o = (y * width + x) * channels;
      for (let c = 0; c < channels; c++) out[o + c] = acc[c] as number;
    }
  }
  return out;
}

/** Pixel indices by decreasing saliency; equal values by ascending index. */
export function salientOrder(saliency: Grid): Uint32Array {
  const { data } = saliency;
  const order = new Uint32Array(data.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (data[b] as number) - (data[a] as number) || a - b);
}

function checkImage(image: ModelImage): void {
  const { width, height, channels, data } = image;
  if (![width, height, channels].every((v) => Number.isInteger(v) && v > 0)) {
    throw new MetricError(METRIC, 'image', `size must be positive integers, got ${width}x${height}x${channels}`);
  }
  if (data.length !== width * height * channels) {
    throw new MetricError(METRIC, 'image', `data has ${data.length} values, expected ${width}x${height}x${channels}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i] as number)) throw new MetricError(METRIC, 'image', `non-finite value at index ${i}`);
  }
}

interface Plan {
  readonly image: ModelImage;
  readonly order: Uint32Array;
  readonly step: number;
  readonly steps: number;
  readonly batchSize: number;
}

function plan(image: ModelImage, saliency: Grid, options: CurveOptions): Plan {
  checkImage(image);
  checkGrid(METRIC, 'saliency', saliency);
  if (saliency.width !== image.width || saliency.height !== image.height) {
    throw new MetricError(METRIC, 'saliency', `size ${saliency.width}x${saliency.height} does not match image ${image.width}x${image.height}; resize it first`);
  }
  const step = options.step ?? image.width;
  const batchSize = options.batchSize ?? 16;
  if (!Number.isInteger(step) || step < 1) throw new MetricError(METRIC, 'step', `must be a positive integer, got ${step}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new MetricError(METRIC, 'batchSize', `must be a positive integer, got ${batchSize}`);
  if (options.classIndex !== undefined && !(Number.isInteger(options.classIndex) && options.classIndex >= 0)) {
    throw new MetricError(METRIC, 'classIndex', `must be a non-negative integer, got ${options.classIndex}`);
  }
  const steps = Math.ceil((image.width * image.height) / step);
  return { image, order: salientOrder(saliency), step, steps, batchSize };
}

function pick(output: Float32Array | undefined, classIndex: number): number {
  if (output === undefined) throw new MetricError(METRIC, 'scoreBatch', 'returned fewer outputs than inputs');
  if (classIndex >= output.length) throw new MetricError(METRIC, 'classIndex', `${classIndex} is out of range for ${output.length} classes`);
  const v = output[classIndex] as number;
  if (!Number.isFinite(v)) throw new MetricError(METRIC, 'scoreBatch', `returned a non-finite score ${v}`);
  return v;
}

/** Index of the largest class probability (the first on ties). */
export function argmax(output: Float32Array | undefined, metric = METRIC): number {
  if (output === undefined || output.length === 0) throw new MetricError(metric, 'scoreBatch', 'returned an empty output');
  let best = 0;
  for (let i = 1; i < output.length; i++) if ((output[i] as number) > (output[best] as number)) best = i;
  return best;
}

async function score(scoreBatch: ScoreBatch, batch: Float32Array[], signal?: AbortSignal): Promise<Float32Array[]> {
  signal?.throwIfAborted();
  const outputs = await scoreBatch(batch);
  signal?.throwIfAborted();
  if (outputs.length !== batch.length) {
    throw new MetricError(METRIC, 'scoreBatch', `returned ${outputs.length} outputs for ${batch.length} inputs`);
  }
  return outputs;
}

interface Progress {
  done: number;
  readonly total: number;
  readonly report?: (done: number, total: number) => void;
}

/**
 * Scores of start, then start with the first step, 2·step, ... pixels (in `order`) replaced by
 * `finish`, at the curve indices `at` (ascending, distinct; null = every index 0..steps). The
 * substitution always walks the whole order up to the last wanted index, so a score at index i is
 * computed from exactly the image the full curve scores at i: the full curve and a sample of it
 * are this one loop. When `classIndex` is undefined, `start` must be the original image and index
 * 0 must be wanted: the class is the arg-max of its output.
 */
async function runCurve(
  p: Plan,
  start: Float32Array,
  finish: Float32Array,
  scoreBatch: ScoreBatch,
  classIndex: number | undefined,
  progress: Progress,
  signal?: AbortSignal,
  at: Uint32Array | null = null,
): Promise<{ curve: Float64Array; classIndex: number }> {
  const { channels } = p.image;
  const current = Float32Array.from(start);
  const wanted = at ?? Uint32Array.from({ length: p.steps + 1 }, (_, i) => i);
  const curve = new Float64Array(wanted.length);
  let resolved = classIndex;
  let batch: Float32Array[] = [];
  let first = 0; // slot in `curve` of batch[0]
  const flush = async (): Promise<void> => {
    const outputs = await score(scoreBatch, batch, signal);
    if (resolved === undefined) resolved = argmax(outputs[0]);
    for (let j = 0; j < batch.length; j++) curve[first + j] = pick(outputs[j], resolved);
    progress.done += batch.length;
    progress.report?.(progress.done, progress.total);
    first += batch.length;
    batch = [];
  };
  let next = 0; // position in `wanted` of the next index to score
  for (let i = 0; i <= p.steps && next < wanted.length; i++) {
    if (wanted[next] === i) {
      batch.push(Float32Array.from(current));
      next++;
      if (batch.length === p.batchSize) await flush();
    }
    if (i === p.steps || next === wanted.length) break;
    const end = Math.min(p.order.length, (i + 1) * p.step);
    for (let k = i * p.step; k < end; k++) {
      const base = (p.order[k] as number) * channels;
      for (let c = 0; c < channels; c++) current[base + c] = finish[base + c] as number;
    }
  }
  if (batch.length > 0) await flush();
  if (resolved === undefined) throw new MetricError(METRIC, 'scoreBatch', 'no output to choose a class from');
  return { curve, classIndex: resolved };
}

/** `indices` checked against a curve of steps + 1 scores and returned sorted, without repeats. */
function checkIndices(indices: readonly number[], steps: number): Uint32Array {
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i > steps) throw new MetricError(METRIC, 'indices', `${i} is not a curve index (0..${steps})`);
  }
  if (indices.length === 0) throw new MetricError(METRIC, 'indices', 'no index to score');
  return Uint32Array.from(new Set(indices)).sort();
}

function substrate(image: ModelImage, value: number | Float32Array | undefined, fallback: () => Float32Array, name: string): Float32Array {
  if (value === undefined) return fallback();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new MetricError(METRIC, name, `must be finite, got ${value}`);
    return new Float32Array(image.data.length).fill(value);
  }
  if (value.length !== image.data.length) {
    throw new MetricError(METRIC, name, `has ${value.length} values, expected ${image.data.length} (HWC like the image)`);
  }
  return value;
}

async function classOf(image: ModelImage, scoreBatch: ScoreBatch, options: CurveOptions): Promise<number> {
  if (options.classIndex !== undefined) return options.classIndex;
  return argmax((await score(scoreBatch, [Float32Array.from(image.data)], options.signal))[0]);
}

/** Deletion curve alone: pixels replaced by `substrate` (default 0) in decreasing saliency. */
export async function deletionCurve(
  image: ModelImage,
  saliency: Grid,
  scoreBatch: ScoreBatch,
  options: CurveOptions & { readonly substrate?: number | Float32Array } = {},
): Promise<CausalCurve & { classIndex: number }> {
  const p = plan(image, saliency, options);
  const finish = substrate(image, options.substrate, () => new Float32Array(image.data.length), 'deletionSubstrate');
  const progress = { done: 0, total: p.steps + 1, report: options.onProgress };
  const run = await runCurve(p, image.data, finish, scoreBatch, options.classIndex, progress, options.signal);
  return { curve: run.curve, auc: curveAuc(run.curve), classIndex: run.classIndex };
}

/**
 * Insertion curve alone: from `substrate` (default `riseBlur(image)`) back to the image. Without
 * `classIndex` the class comes from one extra forward pass on the original image.
 */
export async function insertionCurve(
  image: ModelImage,
  saliency: Grid,
  scoreBatch: ScoreBatch,
  options: CurveOptions & { readonly substrate?: Float32Array } = {},
): Promise<CausalCurve & { classIndex: number }> {
  const p = plan(image, saliency, options);
  const start = substrate(image, options.substrate, () => riseBlur(image), 'insertionSubstrate');
  const classIndex = await classOf(image, scoreBatch, options);
  const progress = { done: 0, total: p.steps + 1, report: options.onProgress };
  const run = await runCurve(p, start, image.data, scoreBatch, classIndex, progress, options.signal);
  return { curve: run.curve, auc: curveAuc(run.curve), classIndex };
}

/** Both curves for one image; the class is resolved once (from deletion's first, unmodified image). */
export async function insertionDeletion(
  image: ModelImage,
  saliency: Grid,
  scoreBatch: ScoreBatch,
  options: InsertionDeletionOptions = {},
): Promise<InsertionDeletionResult> {
  const p = plan(image, saliency, options);
  const deletionFinish = substrate(image, options.deletionSubstrate, () => new Float32Array(image.data.length), 'deletionSubstrate');
  const insertionStart = substrate(image, options.insertionSubstrate, () => riseBlur(image), 'insertionSubstrate');
  const progress = { done: 0, total: 2 * (p.steps + 1), report: options.onProgress };
  const deletion = await runCurve(p, image.data, deletionFinish, scoreBatch, options.classIndex, progress, options.signal);
  const insertion = await runCurve(p, insertionStart, image.data, scoreBatch, deletion.classIndex, progress, options.signal);
  return {
    classIndex: deletion.classIndex,
    step: p.step,
    insertion: { curve: insertion.curve, auc: curveAuc(insertion.curve) },
    deletion: { curve: deletion.curve, auc: curveAuc(deletion.curve) },
  };
}

export interface CurvePoints {
  /** The curve indices scored, ascending and distinct. */
  readonly indices: Uint32Array;
  /** scores[j] = the full curve's score at indices[j]. */
  readonly scores: Float64Array;
  readonly classIndex: number;
}

/**
 * Scores of one curve at some step indices only (spot checks of a curve computed elsewhere), with
 * the full curve's substitution order and substrates: `scores[j]` equals `deletionCurve(...)
 * .curve[indices[j]]` (or insertion's) for the same model, and costs indices.length forward
 * passes, batched by `batchSize`, plus one for the class when `classIndex` is not given.
 */
export async function curvePointsAt(
  kind: 'insertion' | 'deletion',
  image: ModelImage,
  saliency: Grid,
  scoreBatch: ScoreBatch,
  indices: readonly number[],
  options: CurveOptions & { readonly substrate?: number | Float32Array } = {},
): Promise<CurvePoints> {
  const p = plan(image, saliency, options);
  const at = checkIndices(indices, p.steps);
  const zeros = (): Float32Array => new Float32Array(image.data.length);
  const classIndex = await classOf(image, scoreBatch, options);
  const progress = { done: 0, total: at.length, report: options.onProgress };
  let run;
  if (kind === 'deletion') {
    const finish = substrate(image, options.substrate, zeros, 'deletionSubstrate');
    run = await runCurve(p, image.data, finish, scoreBatch, classIndex, progress, options.signal, at);
  } else {
    if (typeof options.substrate === 'number') throw new MetricError(METRIC, 'insertionSubstrate', 'must be an HWC image');
    const start = substrate(image, options.substrate, () => riseBlur(image), 'insertionSubstrate');
    run = await runCurve(p, start, image.data, scoreBatch, classIndex, progress, options.signal, at);
  }
  return { indices: at, scores: run.curve, classIndex };
}
