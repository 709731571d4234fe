/**
 * Forward passes of a model bundle behind the TF-free interface of lib/metrics:
 * `(batch: Float32Array[]) => Promise<Float32Array[]>`, HWC inputs already preprocessed to the
 * bundle's input size, one score vector per input.
 *
 * Each chunk of `batchSize` inputs is one forward pass (bundle.forwardAsync); the result is read back
 * and disposed, so `tf.memory().numTensors` is the same before and after a call. The target is
 * explicit (`probability`: softmax output, or softmax of the logits when the model outputs
 * logits; `logit`: the pre-softmax values — see bundle.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ScoreBatch } from '@/lib/metrics/insertion-deletion';
import type { ModelBundle, ModelOutput } from './bundle-core';
import type { ForwardPool } from './forward-pool-contract';
import { preprocess } from './preprocess';

export interface ScoreOptions {
  readonly output: ModelOutput;
  /** Inputs per forward pass (default 16). */
  readonly batchSize?: number;
}

export const DEFAULT_BATCH_SIZE = 16;

/** Forward pass on `count` inputs packed in `packed` (NHWC); returns one vector per input. */
async function forwardPacked(bundle: ModelBundle, packed: Float32Array, count: number, output: ModelOutput): Promise<Float32Array[]> {
  const [h, w] = bundle.config.inputSize;
  const x = tf.tensor4d(packed, [count, h, w, bundle.channels]);
  let result: tf.Tensor2D;
  let values: Float32Array;
  try {
    // forwardAsync: graphs with control flow run only with executeAsync.
    result = await bundle.forwardAsync(x, output);
    try {
      values = (await result.data()) as Float32Array;
    } finally {
      result.dispose();
    }
  } finally {
    x.dispose();
  }
  const k = result.shape[1];
  const out: Float32Array[] = [];
  for (let i = 0; i < count; i++) out.push(values.slice(i * k, (i + 1) * k));
  return out;
}

/** The scorer used by lib/metrics (insertion, deletion, ROAD, ADIC). */
export function scoreBatchFor(bundle: ModelBundle, options: ScoreOptions): ScoreBatch {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`scoreBatchFor: batchSize must be a positive integer, got ${batchSize}`);
  const [h, w] = bundle.config.inputSize;
  const size = h * w * bundle.channels;
  return async (batch) => {
    batch.forEach((x, i) => {
      if (x.length !== size) throw new Error(`scoreBatch: input ${i} has ${x.length} values, expected ${h}x${w}x${bundle.channels} = ${size}`);
    });
    const out: Float32Array[] = [];
    for (let start = 0; start < batch.length; start += batchSize) {
      const chunk = batch.slice(start, start + batchSize);
      const packed = new Float32Array(chunk.length * size);
      chunk.forEach((x, i) => packed.set(x, i * size));
      out.push(...(await forwardPacked(bundle, packed, chunk.length, options.output)));
    }
    return out;
  };
}

/**
 * scoreBatchFor's scorer on a forward pool: the same chunks of `batchSize`, run on the pool's
 * workers at once; outputs in input order.
 */
export function pooledScoreBatch(bundle: ModelBundle, pool: ForwardPool, options: ScoreOptions): ScoreBatch {
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`pooledScoreBatch: batchSize must be a positive integer, got ${batchSize}`);
  const [h, w] = bundle.config.inputSize;
  const size = h * w * bundle.channels;
  return async (batch) => {
    const packed = new Float32Array(batch.length * size);
    batch.forEach((x, i) => {
      if (x.length !== size) throw new Error(`scoreBatch: input ${i} has ${x.length} values, expected ${h}x${w}x${bundle.channels} = ${size}`);
      packed.set(x, i * size);
    });
    const values = await pool.forward(packed, batch.length, batchSize, options.output);
    const k = values.length / Math.max(batch.length, 1);
    return Array.from({ length: batch.length }, (_, i) => values.slice(i * k, (i + 1) * k));
  };
}

export interface Prediction {
  readonly classIndex: number;
  readonly label: string;
  /** Softmax probability of `classIndex`. */
  readonly probability: number;
  /** Probabilities of every class. */
  readonly probabilities: Float32Array;
}

/** Arg-max class of the bundle on an RGBA image (preprocessed with the bundle's preset). */
export async function predictClass(bundle: ModelBundle, image: { rgba: Uint8Array; width: number; height: number }): Promise<Prediction> {
  const input = preprocess(image.rgba, image.width, image.height, bundle.config.preprocessing, bundle.config.inputSize);
  const [probabilities] = await forwardPacked(bundle, input, 1, 'probability');
  if (probabilities === undefined || probabilities.length === 0) throw new Error('predictClass: the model returned no scores');
  let best = 0;
  for (let i = 1; i < probabilities.length; i++) if ((probabilities[i] as number) > (probabilities[best] as number)) best = i;
  return { classIndex: best, label: bundle.config.labels[best] ?? String(best), probability: probabilities[best] as number, probabilities };
}
