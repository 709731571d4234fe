/**
 * Test-only toy models for the input-space explainers (RISE, LIME, gradient methods), saved as
 * real bundles and loaded with loadModelBundle, so the explainers see what the CLI sees.
 *
 * "Pixel-linear model": input [h, w, 3] → Flatten → Dense(k, linear) with a hand-set kernel:
 * logit_k = Σ_i W[i, k]·x_i + b_k over the HWC-flattened input. Its input gradient is W[:, k]
 * exactly, its integrated gradients (x − x′)·W[:, k] exactly.
 * "Small CNN": Conv2D(4, 3×3, same, tanh) → Flatten → Dense(3, softmax), seeded random weights:
 * smooth and nonlinear, for completeness checks.
 * "Graph model": a hand-written TF.js graph (mean over H, W → MatMul [[a, 0]] × 3 → Softmax),
 * forward-only, as in lib/models/bundle.test.ts.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadModelBundle, type ModelBundle, type Preprocessing } from '@/lib/models/bundle';
import { saveBundle } from '@/lib/models/toy-bundle.test-util';
import type { RgbaImage } from './types';

const dirs: string[] = [];

/** Removes every folder the helpers made (call in afterAll). */
export async function removeToyDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

async function load(model: tf.LayersModel, h: number, w: number, classes: number, preprocessing: Preprocessing): Promise<ModelBundle> {
  const labels = Array.from({ length: classes }, (_, i) => `c${i}`);
  const dir = await saveBundle(model, { labels, preprocessing, inputSize: [h, w] });
  dirs.push(dir);
  return loadModelBundle(dir);
}

/** Flatten → Dense(k, linear); `kernel` is (h·w·3) × k row-major, `bias` length k. */
export async function pixelLinearBundle(
  h: number,
  w: number,
  kernel: Float32Array,
  bias: number[],
  preprocessing: Preprocessing = 'unit',
): Promise<ModelBundle> {
  const k = bias.length;
  if (kernel.length !== h * w * 3 * k) throw new Error(`pixelLinearBundle: kernel has ${kernel.length} values, expected ${h * w * 3 * k}`);
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [h, w, 3], name: 'flat' }));
  const dense = tf.layers.dense({ units: k, name: 'head' });
  model.add(dense);
  tf.tidy(() => dense.setWeights([tf.tensor2d(kernel, [h * w * 3, k]), tf.tensor1d(bias)]));
  return load(model, h, w, k, preprocessing);
}

/** Kernel for class 0 only (class 1 gets zeros): weight `value(y, x, c)` on input (y, x, c). */
export function kernelFor(h: number, w: number, value: (y: number, x: number, c: number) => number, classes = 2): Float32Array {
  const kernel = new Float32Array(h * w * 3 * classes);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let c = 0; c < 3; c++) kernel[((y * w + x) * 3 + c) * classes] = value(y, x, c);
  return kernel;
}

/** Conv2D(4, 3×3, same, tanh) → Flatten → Dense(3, softmax) with seeded Glorot weights. */
export async function smallCnnBundle(h: number, w: number, seed: number, preprocessing: Preprocessing = 'unit'): Promise<ModelBundle> {
  const model = tf.sequential();
  model.add(tf.layers.conv2d({ inputShape: [h, w, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', kernelInitializer: tf.initializers.glorotNormal({ seed }), biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }), name: 'conv' }));
  model.add(tf.layers.flatten({ name: 'flat' }));
  model.add(tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }), name: 'head' }));
  return load(model, h, w, 3, preprocessing);
}

/** Graph model on size×size inputs: softmax([a·Σ_c mean_HW(x_c), 0]) (class 0 has probability σ(a·S)). */
export async function graphBundle(size: number, a: number): Promise<ModelBundle> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gazebench-graph-'));
  dirs.push(dir);
  const float = { type: 'DT_FLOAT' };
  const dims = (...sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s) })) });
  const node = [
    { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, size, size, 3) } } },
    { name: 'axes', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: dims(2) } } } },
    { name: 'w', op: 'Const', attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(3, 2) } } } },
    { name: 'mean', op: 'Mean', input: ['x', 'axes'], attr: { keep_dims: { b: false }, T: float, Tidx: { type: 'DT_INT32' } } },
    { name: 'logits', op: 'MatMul', input: ['mean', 'w'], attr: { transpose_a: { b: false }, transpose_b: { b: false }, T: float } },
    { name: 'probs', op: 'Softmax', input: ['logits'], attr: { T: float } },
    { name: 'Identity', op: 'Identity', input: ['probs'], attr: { T: float } },
  ];
  const weights = [
    { name: 'axes', shape: [2], dtype: 'int32' },
    { name: 'w', shape: [3, 2], dtype: 'float32' },
  ];
  const json = { format: 'graph-model', modelTopology: { node, library: {}, versions: { producer: 1 } }, weightsManifest: [{ paths: ['weights.bin'], weights }] };
  const bin = Buffer.concat([Buffer.from(new Int32Array([1, 2]).buffer), Buffer.from(new Float32Array([a, 0, a, 0, a, 0]).buffer)]);
  await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(path.join(dir, 'weights.bin'), bin);
  await writeFile(path.join(dir, 'gazebench.json'), JSON.stringify({ labels: ['a', 'b'], preprocessing: 'unit', inputSize: [size, size] }));
  return loadModelBundle(dir);
}

/** An RGBA image from a colour function (0–255 per channel). */
export function rgbaImage(width: number, height: number, colour: (x: number, y: number) => readonly [number, number, number]): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = colour(x, y);
      rgba.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return { width, height, rgba };
}

/** Runs `fn` and returns the error it rejects with (fails the test if it resolves). */
export async function rejection(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Error || error instanceof DOMException) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}
