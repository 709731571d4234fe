/**
 * Test-only helpers: tiny TF.js models with hand-set weights whose outputs are known in closed
 * form, saved as model bundles in temporary folders.
 *
 * "Sum model": input [h, w, 3] → GlobalAveragePooling2D → Dense(2) with kernel [[a, 0]] × 3 and
 * bias 0, so the logits are [a·S, 0] with S = Σ_c mean_c(x) = Σ x / (h·w), and the softmax
 * probability of class 0 is σ(a·S) = 1 / (1 + e^(−a·S)).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from './fs-io';

export interface SumModelOptions {
  readonly height: number;
  readonly width: number;
  readonly a: number;
  /** Activation of the Dense layer (default softmax). */
  readonly activation?: 'softmax' | 'linear' | 'sigmoid';
  /** Add the softmax as a separate Activation layer after a linear Dense instead. */
  readonly separateSoftmax?: boolean;
  /** Append a shape-only Reshape layer after the head. */
  readonly reshapeAfter?: boolean;
}

/** σ(a·S) for the sum model: probability of class 0. */
export function sumModelProbability(a: number, s: number): number {
  return 1 / (1 + Math.exp(-a * s));
}

export function sumModel(options: SumModelOptions): tf.LayersModel {
  const { height, width, a } = options;
  const input = tf.input({ shape: [height, width, 3] });
  let x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(input) as tf.SymbolicTensor;
  const dense = tf.layers.dense({
    units: 2,
    name: 'head',
    activation: options.separateSoftmax === true ? 'linear' : (options.activation ?? 'softmax'),
  });
  x = dense.apply(x) as tf.SymbolicTensor;
  tf.tidy(() => dense.setWeights([tf.tensor2d([[a, 0], [a, 0], [a, 0]]), tf.tensor1d([0, 0])]));
  if (options.separateSoftmax === true) x = tf.layers.activation({ activation: 'softmax', name: 'probs' }).apply(x) as tf.SymbolicTensor;
  if (options.reshapeAfter === true) x = tf.layers.reshape({ targetShape: [2], name: 'reshape_out' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

/** Saves `model` (then disposes it) with an optional gazebench.json; returns the folder. */
export async function saveBundle(model: tf.LayersModel, config?: unknown): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gazebench-bundle-'));
  await model.save(fileSystemHandler(dir));
  model.dispose();
  if (config !== undefined) await writeFile(path.join(dir, 'gazebench.json'), JSON.stringify(config));
  return dir;
}
