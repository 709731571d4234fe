/**
 * Shared plumbing of the methods that work on the model input rather than on a layer's
 * activations: the perturbation methods (RISE, LIME; forward passes only, so GraphModels work)
 * and the input-gradient methods (Gradient, Integrated Gradients, SmoothGrad, GradientSHAP;
 * LayersModels and graph models without control flow, capability.ts). Forward passes go through
 * bundle.forwardAsync, so graphs that TF.js runs only with executeAsync work for perturbations. cam-base.ts is the CAM counterpart.
 *
 * Conventions:
 * - The input x is the preprocessed image (lib/models/preprocess.ts: bilinear resize to the
 *   bundle's input size, then its normalisation preset), HWC float32. Perturbations, baselines
 *   and gradients live in that space; maps are at the input size [H, W].
 * - The target S is explicit: the class's logit or probability (`target.output`); class
 *   'predicted' = arg-max probability on x. `score` = S(x).
 * - Colours given as 0–255 grey levels are mapped into input space through the preset
 *   (`greyInInputSpace`): every preset is affine per channel, so this is exact.
 * - Batches of `batchSize` inputs per pass; the AbortSignal is checked and the event loop
 *   yielded before each pass; progress after each (units: model evaluations, forward or
 *   forward+backward). Every tensor is made and freed inside tf.tidy or disposed in `finally`.
 */
import * as tf from '@tensorflow/tfjs';
import type { Grid } from '@/lib/metrics/types';
import type { ModelBundle, ModelOutput } from '@/lib/models/bundle-core';
import { poolFor } from '@/lib/models/forward-pool-contract';
import { preprocess } from '@/lib/models/preprocess';
import { resolveBatchSize, resolveParams, throwIfAborted, yieldToEventLoop, type ParamValue, type Params } from './params';
import { assertCanRun } from './capability';
import { ExplainerError, type ExplainOptions } from './types';

export interface InputContext {
  readonly method: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly bundle: ModelBundle;
  readonly height: number;
  readonly width: number;
  /** Values per input: height·width·3. */
  readonly size: number;
  /** The preprocessed image, HWC. */
  readonly input: Float32Array;
  readonly classIndex: number;
  readonly output: ModelOutput;
  readonly score: number;
  readonly batchSize: number;
  readonly seed: number;
  /** S for `n` inputs packed in `packed` (NHWC). */
  evaluate(packed: Float32Array, n: number): Promise<Float32Array>;
  /** dS/dx for `n` inputs packed in `packed`; same layout. Needs a differentiable model (capability.ts). */
  gradients(packed: Float32Array, n: number): Promise<Float32Array>;
  /**
   * Runs `step(start, n)` over [0, count) in chunks of batchSize (of batchSize × pool size with a
   * pool: `evaluate` then cuts them into batchSize chunks again) with abort checks and progress.
   */
  batches(count: number, step: (start: number, n: number) => Promise<void>): Promise<void>;
}

export interface InputMethodSpec {
  readonly name: string;
  readonly defaults: Params;
  readonly presets?: Readonly<Record<string, Params>>;
  readonly needsLayersModel: boolean;
  /** Forward passes only, independent of each other: may run on options.pool. */
  readonly pooled?: boolean;
}

/** Seed used when ExplainOptions.seed is absent (so that a result is still reproducible). */
export const DEFAULT_SEED = 0;

function checkTarget(name: string, options: ExplainOptions): void {
  const { classIndex, output } = options.target;
  if (output !== 'logit' && output !== 'probability') throw new ExplainerError(name, 'target.output', `expected 'logit' or 'probability', got ${JSON.stringify(output)}`);
  const n = options.bundle.numClasses;
  if (classIndex !== 'predicted' && !(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < n)) {
    throw new ExplainerError(name, 'classIndex', `${String(classIndex)} is out of range for a model with ${n} classes`);
  }
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

/** The values of a grey level v (0–255) in input space, per output channel. */
export function greyInInputSpace(bundle: ModelBundle, v: number): Float32Array {
  return preprocess(new Uint8Array([v, v, v, 255]), 1, 1, bundle.config.preprocessing, [1, 1]);
}

/** Checks the request, resolves parameters and the target, and returns the context. */
export async function prepareInput(spec: InputMethodSpec, options: ExplainOptions): Promise<InputContext> {
  const { name } = spec;
  const params = resolveParams(name, spec.defaults, options.params, spec.presets);
  const batchSize = resolveBatchSize(name, options.batchSize);
  checkTarget(name, options);
  const seed = options.seed ?? DEFAULT_SEED;
  if (!Number.isInteger(seed)) throw new ExplainerError(name, 'seed', `must be an integer, got ${String(options.seed)}`);
  const { bundle, signal, onProgress } = options;
  if (spec.needsLayersModel) assertCanRun(bundle, { name, kind: 'gradient' });
  const output = options.target.output;
  const [height, width] = bundle.config.inputSize;
  const channels = bundle.channels;
  const size = height * width * channels;
  throwIfAborted(name, signal);
  const input = preprocess(options.image.rgba, options.image.width, options.image.height, bundle.config.preprocessing, bundle.config.inputSize);
  const shape = (n: number): [number, number, number, number] => [n, height, width, channels];
  // One forward pass when the target output is the probability or the class is given (a second,
  // for the probabilities, only to find the predicted class of a logit target).
  const predicted = options.target.classIndex === 'predicted';
  const x1 = tf.tensor4d(input, shape(1));
  let probabilities: Float32Array;
  let outputs: Float32Array;
  try {
    outputs = await readAndDispose(await bundle.forwardAsync(x1, output));
    probabilities = !predicted || output === 'probability' ? outputs : await readAndDispose(await bundle.forwardAsync(x1, 'probability'));
  } finally {
    x1.dispose();
  }
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if ((probabilities[i] as number) > (probabilities[best] as number)) best = i;
  const classIndex = predicted ? best : options.target.classIndex;
  const pool = spec.pooled === true ? poolFor(options.pool, bundle.dir) : null;
  const stride = pool === null ? batchSize : batchSize * pool.size;
  const column = (out: tf.Tensor2D): tf.Tensor1D => out.slice([0, classIndex], [-1, 1]).reshape([-1]);
  const check = (packed: Float32Array, n: number): void => {
    if (packed.length !== n * size) throw new Error(`${name}: packed batch has ${packed.length} values, expected ${n}x${size}`);
  };
  return {
    method: name, params, bundle, height, width, size, input, classIndex, output, batchSize, seed,
    score: outputs[classIndex] as number,
    evaluate: async (packed, n) => {
      check(packed, n);
      if (pool !== null) {
        const values = await pool.forward(packed, n, batchSize, output);
        const k = values.length / n;
        return Float32Array.from({ length: n }, (_, i) => values[i * k + classIndex] as number);
      }
      const x = tf.tensor4d(packed, shape(n));
      try {
        const out = await bundle.forwardAsync(x, output);
        try {
          return await readAndDispose(tf.tidy(() => column(out)));
        } finally {
          out.dispose();
        }
      } finally {
        x.dispose();
      }
    },
    gradients: async (packed, n) => {
      check(packed, n);
      // The inputs of a batch are independent, so the gradient of the summed targets is each
      // input's own gradient (BatchNorm runs in inference mode).
      return readAndDispose(tf.tidy(() => tf.grad((x: tf.Tensor) => column(bundle.forward(x as tf.Tensor4D, output)).sum())(tf.tensor4d(packed, shape(n)))));
    },
    batches: async (count, step) => {
      for (let start = 0; start < count; start += stride) {
        throwIfAborted(name, signal);
        await yieldToEventLoop();
        const n = Math.min(stride, count - start);
        await step(start, n);
        onProgress?.({ done: start + n, total: count });
      }
      throwIfAborted(name, signal);
    },
  };
}

/** The map as a Grid, after checking that every value is finite (a NaN must never be stored). */
export function finiteMap(ctx: InputContext, data: Float32Array): Grid<Float32Array> {
  for (let i = 0; i < data.length; i++) {
    const v = data[i] as number;
    if (!Number.isFinite(v)) {
      throw new ExplainerError(ctx.method, 'map', `non-finite value ${v} at x=${i % ctx.width}, y=${Math.floor(i / ctx.width)} (the model's output or gradient is not finite there)`);
    }
  }
  return { width: ctx.width, height: ctx.height, data };
}

/** Per-pixel reduction of an HWC attribution over its channels. */
export type ChannelReduce = 'max-abs' | 'sum-abs' | 'sum';
export const CHANNEL_REDUCES: readonly ChannelReduce[] = ['max-abs', 'sum-abs', 'sum'];

/** H·W map from an HWC array with `channels` values per pixel. */
export function reduceChannels(values: ArrayLike<number>, channels: number, reduce: ChannelReduce): Float32Array {
  const n = values.length / channels;
  const out = new Float32Array(n);
  for (let p = 0; p < n; p++) {
    let acc = 0;
    for (let c = 0; c < channels; c++) {
      const v = values[p * channels + c] as number;
      if (reduce === 'max-abs') acc = Math.max(acc, Math.abs(v));
      else acc += reduce === 'sum-abs' ? Math.abs(v) : v;
    }
    out[p] = acc;
  }
  return out;
}

/** Throws unless params[key] is a number in [min, max] (and an integer when asked). */
export function checkNumber(method: string, params: Readonly<Record<string, ParamValue>>, key: string, min: number, max: number, integer = false): number {
  const v = params[key];
  if (typeof v !== 'number' || !(v >= min && v <= max) || (integer && !Number.isInteger(v))) {
    throw new ExplainerError(method, `params.${key}`, `must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${JSON.stringify(v)}`);
  }
  return v;
}

/** Throws unless params[key] is one of `choices`. */
export function checkChoice<T extends string>(method: string, params: Readonly<Record<string, ParamValue>>, key: string, choices: readonly T[]): T {
  const v = params[key];
  const found = choices.find((c) => c === v);
  if (found === undefined) throw new ExplainerError(method, `params.${key}`, `expected one of ${choices.join(', ')}, got ${JSON.stringify(v)}`);
  return found;
}
