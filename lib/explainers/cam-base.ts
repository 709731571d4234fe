/**
 * Shared plumbing of the class activation map (CAM) methods, after pytorch-grad-cam's `BaseCAM`
 * (jacobgil/pytorch-grad-cam, base_cam.py): each method file only says how channels are weighted
 * (`weights`, Σ_c w_c·A_c as `get_cam_weights`) or how the map is formed (`camImage`, as
 * `get_cam_image`).
 *
 * Steps: preprocess the image (bundle preset) → split the model at the target layer
 * (lib/models/split.ts: automatic last conv layer, or `options.layer`, or gazebench.json
 * targetLayer; graph models: lib/models/graph-split.ts, a node of the graph) → activations A [h, w, c] and, for gradient methods, dS/dA of the target score S
 * (the class's logit or probability, `target.output`; class 'predicted' = arg-max probability) →
 * the method's map at feature resolution → ReLU (BaseCAM `np.maximum(cam, 0)`) = `raw` →
 * bilinear upsampling with half-pixel centres to the model input size (cv2.resize in
 * `scale_cam_image`; lib/imaging resizeBilinear) = `map`. No min-max scaling here (types.ts):
 * pytorch-grad-cam's scale-then-resize-then-scale equals min-max of our map, because bilinear
 * resizing commutes with affine maps (up to its 1e-7 epsilon).
 * Weighting runs on typed arrays in float64 (pure, testable); tensors stay inside tf.tidy or are
 * disposed in `finally`, so tf.memory().numTensors is unchanged after a call, error or not.
 * Batched forward passes (Score-CAM, Ablation-CAM) go through `scoreInputs`/`scoreActivations`:
 * `batchSize` per pass, progress after each, AbortSignal checked between passes. With
 * `options.pool`, `scoreInputs` builds pool.size batches here and scores them at once on the pool
 * (same chunks, same order); `scoreActivations` (Ablation-CAM) stays in this thread: it runs only
 * the head after the target layer, which for a last-block layer is a pooling and a dense layer,
 * cheaper than copying the activations to a worker.
 */
import * as tf from '@tensorflow/tfjs';
import { resizeBilinear } from '@/lib/imaging/resize';
import type { ModelOutput } from '@/lib/models/bundle-core';
import { poolFor } from '@/lib/models/forward-pool-contract';
import { preprocess } from '@/lib/models/preprocess';
import { splitGraphModel } from '@/lib/models/graph-split';
import { ModelSplitError, splitModel, type FeatureSplit } from '@/lib/models/split';
import { assertCanRun } from './capability';
import { resolveBatchSize, resolveParams, throwIfAborted, yieldToEventLoop, type ParamValue, type Params } from './params';
import { ExplainerError, type Explainer, type ExplainOptions, type Explanation } from './types';

/** What a CAM method sees: A and dS/dA in HWC order (index (y·width + x)·channels + c). */
export interface CamContext {
  readonly method: string;
  readonly params: Readonly<Record<string, ParamValue>>;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly activations: Float32Array;
  /** dS/dA; null unless the method needs gradients. */
  readonly gradients: Float32Array | null;
  readonly classIndex: number;
  readonly output: ModelOutput;
  /** S on the unmodified image. */
  readonly score: number;
  /** S for `count` variants of A; `build(start, n, A)` makes variants start..start+n−1 (A is [1, h, w, c]). */
  scoreActivations(count: number, build: (start: number, n: number, activations: tf.Tensor4D) => tf.Tensor4D): Promise<Float64Array>;
  /** S for `count` model inputs; `build(start, n, x, A)` makes inputs start..start+n−1 (x is [1, H, W, 3]). */
  scoreInputs(count: number, build: (start: number, n: number, input: tf.Tensor4D, activations: tf.Tensor4D) => tf.Tensor4D): Promise<Float64Array>;
}

export interface CamMethod {
  readonly name: string;
  readonly description: string;
  readonly defaults: Params;
  readonly needsGradients: boolean;
  /** Checks of parameter values beyond their types. */
  readonly checkParams?: (params: Readonly<Record<string, ParamValue>>) => void;
  /** Channel weights w (length c); the map is Σ_c w_c·A_c. */
  readonly weights?: (ctx: CamContext) => Float64Array | Promise<Float64Array>;
  /** The map at feature resolution before the ReLU (length h·w), for methods that are not a weighted sum. */
  readonly camImage?: (ctx: CamContext) => Float64Array | Promise<Float64Array>;
}

/** Σ_c w_c·A[p, c] for every position p of an HWC array. */
export function weightedSum(activations: Float32Array, weights: ArrayLike<number>, channels: number): Float64Array {
  const positions = activations.length / channels;
  const out = new Float64Array(positions);
  for (let p = 0; p < positions; p++) {
    let s = 0;
    for (let c = 0; c < channels; c++) s += (weights[c] as number) * (activations[p * channels + c] as number);
    out[p] = s;
  }
  return out;
}

function split(name: string, options: ExplainOptions): FeatureSplit {
  assertCanRun(options.bundle, { name, kind: 'cam' });
  try {
    return options.bundle.format === 'graph-model' ? splitGraphModel(options.bundle, options.layer) : splitModel(options.bundle, options.layer);
  } catch (error) {
    if (!(error instanceof ModelSplitError)) throw error;
    throw new ExplainerError(name, 'layer', error.message);
  }
}

/**
 * The layer (path, or graph node) CAM method `name` would use on `bundle` with `layer`; checks
 * what can be checked before a run (capability, the name) and throws ExplainerError otherwise.
 */
export function resolveCamLayer(name: string, bundle: ExplainOptions['bundle'], layer?: string): string {
  return split(name, { bundle, layer, image: { width: 0, height: 0, rgba: new Uint8Array(0) }, target: { classIndex: 'predicted', output: 'logit' } }).layer;
}

/** The split's features; a node whose output is not 4-D (graph models) → ExplainerError naming the layer. */
function features(name: string, parts: FeatureSplit, x: tf.Tensor4D): tf.Tensor[] {
  try {
    return tf.tidy(() => {
      const f = parts.features(x);
      return [f.activations, ...f.bypass];
    });
  } catch (error) {
    if (!(error instanceof ModelSplitError)) throw error;
    throw new ExplainerError(name, 'layer', error.message);
  }
}

function checkTarget(name: string, options: ExplainOptions): void {
  const { classIndex, output } = options.target;
  if (output !== 'logit' && output !== 'probability') throw new ExplainerError(name, 'target.output', `expected 'logit' or 'probability', got ${JSON.stringify(output)}`);
  const n = options.bundle.numClasses;
  if (classIndex !== 'predicted' && !(Number.isInteger(classIndex) && classIndex >= 0 && classIndex < n)) {
    throw new ExplainerError(name, 'classIndex', `${String(classIndex)} is out of range for a model with ${n} classes`);
  }
}

/** The image preprocessed for the bundle (lib/models/preprocess.ts); a malformed image → ExplainerError. */
export function modelInput(method: string, options: ExplainOptions): Float32Array {
  const { image, bundle } = options;
  try {
    return preprocess(image.rgba, image.width, image.height, bundle.config.preprocessing, bundle.config.inputSize);
  } catch (error) {
    throw new ExplainerError(method, 'image', error instanceof Error ? error.message : String(error));
  }
}

function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if ((values[i] as number) > (values[best] as number)) best = i;
  return best;
}

async function readAndDispose(t: tf.Tensor): Promise<Float32Array> {
  try {
    return (await t.data()) as Float32Array;
  } finally {
    t.dispose();
  }
}

async function explainCam(method: CamMethod, options: ExplainOptions): Promise<Explanation> {
  const name = method.name;
  const params = resolveParams(name, method.defaults, options.params);
  method.checkParams?.(params);
  const batchSize = resolveBatchSize(name, options.batchSize);
  checkTarget(name, options);
  const parts = split(name, options);
  const { bundle, signal, onProgress } = options;
  const output = options.target.output;
  const [H, W] = bundle.config.inputSize;
  throwIfAborted(name, signal);
  const input = modelInput(name, options);
  const held: tf.Tensor[] = [];
  try {
    const x = tf.tensor4d(input, [1, H, W, bundle.channels]);
    held.push(x);
    const [a, ...bypass] = features(name, parts, x);
    const A = a as tf.Tensor4D;
    held.push(A, ...bypass);
    const [, h, w, c] = A.shape;
    const classIndex = options.target.classIndex === 'predicted'
      ? argMax(await readAndDispose(tf.tidy(() => parts.head(A, bypass, 'probability'))))
      : options.target.classIndex;
    const targetScore = (out: tf.Tensor2D): tf.Tensor1D => out.slice([0, classIndex], [-1, 1]).reshape([-1]);
    let score: number;
    let gradients: Float32Array | null = null;
    if (method.needsGradients) {
      const [value, grad] = tf.tidy(() => {
        const r = tf.valueAndGrad((act: tf.Tensor4D) => targetScore(parts.head(act, bypass, output)).sum())(A);
        return [r.value, r.grad];
      });
      score = (await readAndDispose(value as tf.Tensor))[0] as number;
      gradients = await readAndDispose(grad as tf.Tensor);
    } else {
      score = (await readAndDispose(tf.tidy(() => targetScore(parts.head(A, bypass, output)))))[0] as number;
    }
    let batchedProgress = false;
    const batched = async (count: number, stride: number, run: (start: number, n: number) => Promise<Float32Array>): Promise<Float64Array> => {
      const scores = new Float64Array(count);
      for (let start = 0; start < count; start += stride) {
        throwIfAborted(name, signal);
        await yieldToEventLoop();
        const n = Math.min(stride, count - start);
        scores.set(await run(start, n), start);
        onProgress?.({ done: start + n, total: count });
        batchedProgress = true;
      }
      return scores;
    };
    const here = (run: (start: number, n: number) => tf.Tensor1D) => (start: number, n: number) => readAndDispose(tf.tidy(() => run(start, n)));
    const pool = poolFor(options.pool, bundle.dir);
    const onPool = (build: (start: number, n: number, input: tf.Tensor4D, activations: tf.Tensor4D) => tf.Tensor4D) => async (start: number, n: number) => {
      const values = await (pool as NonNullable<typeof pool>).forward(await readAndDispose(tf.tidy(() => build(start, n, x, A))), n, batchSize, output);
      const k = values.length / n;
      return Float32Array.from({ length: n }, (_, i) => values[i * k + classIndex] as number);
    };
    const ctx: CamContext = {
      method: name, params, width: w, height: h, channels: c, activations: (await A.data()) as Float32Array, gradients, classIndex, output, score,
      scoreActivations: (count, build) => batched(count, batchSize, here((start, n) => targetScore(parts.head(build(start, n, A), bypass, output)))),
      scoreInputs: (count, build) => pool === null
        ? batched(count, batchSize, here((start, n) => targetScore(bundle.forward(build(start, n, x, A), output))))
        : batched(count, batchSize * pool.size, onPool(build)),
    };
    const cam = method.camImage !== undefined ? await method.camImage(ctx) : weightedSum(ctx.activations, await (method.weights as NonNullable<CamMethod['weights']>)(ctx), c);
    throwIfAborted(name, signal);
    const raw = new Float32Array(h * w);
    for (let i = 0; i < raw.length; i++) {
      const v = cam[i] as number;
      if (!Number.isFinite(v)) throw new ExplainerError(name, 'map', `non-finite value ${v} at feature position ${i} (layer '${parts.layer}')`);
      raw[i] = Math.max(v, 0);
    }
    const up = resizeBilinear({ width: w, height: h, data: raw }, W, H).data;
    if (!batchedProgress) onProgress?.({ done: 1, total: 1 });
    return {
      method: name, params, classIndex, score, layer: parts.layer,
      map: { width: W, height: H, data: Float32Array.from(up) },
      raw: { width: w, height: h, data: raw },
    };
  } finally {
    tf.dispose(held);
  }
}

/** The Explainer of a CAM method (kind 'cam': a LayersModel, or a graph model without control flow; capability.ts). */
export function camExplainer(method: CamMethod): Explainer {
  if ((method.weights === undefined) === (method.camImage === undefined)) throw new Error(`camExplainer ${method.name}: give exactly one of weights and camImage`);
  return {
    name: method.name,
    kind: 'cam',
    description: method.description,
    defaults: method.defaults,
    needsLayersModel: true,
    explain: (options) => explainCam(method, options),
  };
}
