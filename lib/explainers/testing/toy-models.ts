/**
 * Test-only TF.js models for the explainer tests, built in memory and wrapped with
 * `createModelBundle` (the browser's path; no files):
 *  - `naiveTwin(seed)`: the network of naive-cnn.ts with seeded random weights, as a LayersModel
 *    and as the plain-TypeScript `NaiveNet` with the same weights;
 *  - `linearCam()`: x [4, 4, 3] → Conv2D 1×1 3→2 (kernel picks R and G, linear) → GAP →
 *    Dense(2, linear) with kernel [[1, −1], [2, 0.5]]: logits are Σ_c W[c, k]·mean(A_c), so every
 *    CAM has a closed form (cam-toy.test.ts);
 *  - `rgbaImage(width, height, pixel)`: an RGBA image from a per-pixel function.
 */
import * as tf from '@tensorflow/tfjs';
import { createModelBundle, type ModelBundle } from '@/lib/models/bundle-core';
import { createRandom } from '@/lib/random';
import type { Conv, NaiveNet, Volume } from './naive-cnn';
import type { RgbaImage } from '../types';

type T = tf.SymbolicTensor;

function randomConv(random: ReturnType<typeof createRandom>, k: number, stride: number, cin: number, cout: number, scale: number): Conv {
  return {
    k, stride, cin, cout,
    kernel: Float64Array.from({ length: k * k * cin * cout }, () => random.normal() * scale),
    bias: Float64Array.from({ length: cout }, () => 0.05 + random.normal() * 0.05),
  };
}

export const NAIVE_SIZE = 8;

export function naiveTwin(seed: number): { net: NaiveNet; model: tf.LayersModel } {
  const random = createRandom(seed);
  const net: NaiveNet = {
    conv1: randomConv(random, 3, 1, 3, 4, 0.4),
    conv2: randomConv(random, 3, 2, 4, 5, 0.35),
    conv3: randomConv(random, 1, 1, 5, 5, 0.5),
    dense: { units: 3, kernel: Float64Array.from({ length: 15 }, () => random.normal() * 3), bias: Float64Array.from({ length: 3 }, () => random.normal() * 0.1) },
  };
  const input = tf.input({ shape: [NAIVE_SIZE, NAIVE_SIZE, 3], name: 'image' });
  const conv = (c: Conv, name: string, activation: 'relu' | 'linear') =>
    tf.layers.conv2d({ filters: c.cout, kernelSize: c.k, strides: c.stride, padding: 'same', activation, name });
  const l1 = conv(net.conv1, 'conv1', 'relu');
  const l2 = conv(net.conv2, 'features', 'relu');
  const l3 = conv(net.conv3, 'head_conv', 'linear');
  const a = l2.apply(l1.apply(input)) as T;
  const u = tf.layers.add({ name: 'head_add' }).apply([l3.apply(a) as T, a]) as T;
  const r = tf.layers.activation({ activation: 'relu', name: 'head_relu' }).apply(u) as T;
  const g = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(r) as T;
  const dense = tf.layers.dense({ units: 3, activation: 'softmax', name: 'classes' });
  const model = tf.model({ inputs: input, outputs: dense.apply(g) as T });
  tf.tidy(() => {
    for (const [layer, c] of [[l1, net.conv1], [l2, net.conv2], [l3, net.conv3]] as const) {
      layer.setWeights([tf.tensor4d(Float32Array.from(c.kernel), [c.k, c.k, c.cin, c.cout]), tf.tensor1d(Float32Array.from(c.bias))]);
    }
    dense.setWeights([tf.tensor2d(Float32Array.from(net.dense.kernel), [5, 3]), tf.tensor1d(Float32Array.from(net.dense.bias))]);
  });
  return { net, model };
}

/** The image as the naive network's input (preset "unit": x / 255), HWC float64. */
export function naiveInput(image: RgbaImage): Volume {
  const data = new Float64Array(image.width * image.height * 3);
  for (let i = 0; i < image.width * image.height; i++) for (let c = 0; c < 3; c++) data[i * 3 + c] = (image.rgba[i * 4 + c] as number) / 255;
  return { h: image.height, w: image.width, c: 3, data };
}

export function rgbaImage(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): RgbaImage {
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rgba.set([...pixel(x, y), 255], (y * width + x) * 4);
  return { width, height, rgba };
}

/** Seeded random RGBA image. */
export function randomImage(seed: number, width = NAIVE_SIZE, height = NAIVE_SIZE): RgbaImage {
  const random = createRandom(seed);
  return rgbaImage(width, height, () => [random.int(256), random.int(256), random.int(256)]);
}

/** Dense kernel of `linearCam`, W[c][k]. */
export const LINEAR_CAM_W = [[1, -1], [2, 0.5]] as const;

export function linearCam(): tf.LayersModel {
  const input = tf.input({ shape: [4, 4, 3], name: 'image' });
  const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'linear', name: 'conv' });
  const dense = tf.layers.dense({ units: 2, activation: 'linear', name: 'logits' });
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' });
  const model = tf.model({ inputs: input, outputs: dense.apply(gap.apply(conv.apply(input))) as T });
  tf.tidy(() => {
    conv.setWeights([tf.tensor4d([1, 0, 0, 1, 0, 0], [1, 1, 3, 2]), tf.zeros([2])]);
    dense.setWeights([tf.tensor2d(LINEAR_CAM_W.map((row) => [...row])), tf.zeros([2])]);
  });
  return model;
}

/** Wraps a model with preset "unit" and labels c0.. (input size from the model). */
export function toyBundle(model: tf.LayersModel, targetLayer?: string): ModelBundle {
  const [, h, w] = (model.inputs[0] as T).shape as number[];
  const classes = ((model.outputs[0] as T).shape[1] as number);
  return createModelBundle(model, {
    labels: Array.from({ length: classes }, (_, i) => `c${i}`),
    preprocessing: 'unit',
    inputSize: [h as number, w as number],
    ...(targetLayer === undefined ? {} : { targetLayer }),
  }, { name: 'toy' });
}
