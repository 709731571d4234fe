import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '@/lib/random';
import { createModelBundle, type ModelBundle } from './bundle-core';
import { featureLayerCandidates, ModelSplitError, resolveFeatureLayer, splitModel } from './split';
import { initTfNode } from './tf-node';
import { sumModel } from './toy-bundle.test-util';

type T = tf.SymbolicTensor;
const N = 6;

/**
 * input → c1 (3×3 relu) → t (3×3 relu) ─┬───────────────┐
 *          └→ side (1×1, bypasses t) → cat = concat(t, side) → mix (1×1 linear) → sum = mix + t → GAP → out (softmax)
 * The head is linear in A = t: logits are an affine function of A.
 */
function branched(seed: number): tf.LayersModel {
  const input = tf.input({ shape: [N, N, 3], name: 'image' });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c1' }).apply(input) as T;
  const t = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 't' }).apply(c1) as T;
  const side = tf.layers.conv2d({ filters: 2, kernelSize: 1, name: 'side' }).apply(c1) as T;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([t, side]) as T;
  const mix = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'mix' }).apply(cat) as T;
  const sum = tf.layers.add({ name: 'sum' }).apply([mix, t]) as T;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(sum) as T;
  const out = tf.layers.dense({ units: 4, activation: 'softmax', name: 'out' }).apply(gap) as T;
  const model = tf.model({ inputs: input, outputs: out });
  const random = createRandom(seed);
  tf.tidy(() => {
    for (const layer of model.layers) {
      const weights = layer.getWeights().map((w) => tf.tensor(Float32Array.from({ length: w.size }, () => 0.1 + random.normal() * 0.5), w.shape));
      if (weights.length > 0) layer.setWeights(weights);
    }
  });
  return model;
}

function bundleOf(model: tf.LayersModel): ModelBundle {
  const [, h, w] = (model.inputs[0] as T).shape as number[];
  const classes = (model.outputs[0] as T).shape[1] as number;
  return createModelBundle(model, { labels: Array.from({ length: classes }, (_, i) => `c${i}`), preprocessing: 'unit', inputSize: [h as number, w as number] });
}

const image = (seed: number): tf.Tensor4D => {
  const random = createRandom(seed);
  return tf.tensor4d(Float32Array.from({ length: N * N * 3 }, () => random.next()), [1, N, N, 3]);
};

beforeAll(async () => {
  await initTfNode('wasm');
});

describe('splitModel on a graph with a concat, an add and a branch that bypasses the layer', () => {
  it('head(features(x)) is the model output, for logits and probabilities, without leaking tensors', () => {
    const bundle = bundleOf(branched(1));
    const before = tf.memory().numTensors;
    const s = splitModel(bundle, 't');
    tf.tidy(() => {
      const x = image(2);
      const { activations, bypass } = s.features(x);
      expect(activations.shape).toEqual([1, N, N, 3]);
      // The side branch and nothing else bypasses t.
      expect(bypass.map((b) => b.shape)).toEqual([[1, N, N, 2]]);
      for (const output of ['logit', 'probability'] as const) {
        const viaSplit = s.head(activations, bypass, output).dataSync();
        const direct = bundle.forward(x, output).dataSync();
        for (let i = 0; i < direct.length; i++) expect(viaSplit[i]).toBeCloseTo(direct[i] as number, 6);
      }
    });
    expect(tf.memory().numTensors).toBe(before);
    bundle.dispose();
  });

  it('at every candidate layer (before, inside and after the branches) head(features(x)) is the model output', () => {
    const bundle = bundleOf(branched(7));
    const bypassShapes: Record<string, number[][]> = {};
    for (const layer of ['c1', 't', 'side', 'cat', 'mix', 'sum']) {
      const s = splitModel(bundle, layer);
      tf.tidy(() => {
        const x = image(8);
        const { activations, bypass } = s.features(x);
        bypassShapes[layer] = bypass.map((b) => b.shape);
        const viaSplit = s.head(activations, bypass, 'probability').dataSync();
        const direct = bundle.forward(x, 'probability').dataSync();
        direct.forEach((v, i) => expect(viaSplit[i], layer).toBeCloseTo(v, 6));
      });
    }
    // What bypasses each layer: `side` bypasses t and cat reads it; t bypasses side, cat and mix (the add reads it).
    expect(bypassShapes).toEqual({ c1: [], t: [[1, N, N, 2]], side: [[1, N, N, 3]], cat: [[1, N, N, 3]], mix: [[1, N, N, 3]], sum: [] });
    bundle.dispose();
  });

  it('dLogit/dA from tf.grad equals central differences (the head is affine in A)', () => {
    const bundle = bundleOf(branched(3));
    const s = splitModel(bundle, 't');
    tf.tidy(() => {
      const { activations, bypass } = s.features(image(4));
      const k = 2;
      const logit = (a: tf.Tensor): tf.Scalar => s.head(a as tf.Tensor4D, bypass, 'logit').slice([0, k], [1, 1]).sum();
      const grad = tf.grad(logit)(activations).dataSync();
      const eps = 0.5;
      for (const index of [0, 7, 40, N * N * 3 - 1]) {
        const e = tf.oneHot([index], N * N * 3).reshape([1, N, N, 3]).mul(eps) as tf.Tensor4D;
        const fd = (logit(activations.add(e)).dataSync()[0]! - logit(activations.sub(e)).dataSync()[0]!) / (2 * eps);
        expect(grad[index]).toBeCloseTo(fd, 4);
      }
      // The gradient is not trivially zero.
      expect(Math.max(...Array.from(grad, Math.abs))).toBeGreaterThan(1e-3);
    });
    bundle.dispose();
  });

  it('a batch of modified activations broadcasts the bypass values of the one image', () => {
    const bundle = bundleOf(branched(5));
    const s = splitModel(bundle, 't');
    tf.tidy(() => {
      const { activations, bypass } = s.features(image(6));
      const batch = tf.concat([activations, activations.mul(0.5), activations.add(1)]) as tf.Tensor4D;
      const together = s.head(batch, bypass, 'logit').arraySync();
      const one = (a: tf.Tensor4D) => s.head(a, bypass, 'logit').arraySync()[0] as number[];
      const separately = [one(activations), one(activations.mul(0.5) as tf.Tensor4D), one(activations.add(1) as tf.Tensor4D)];
      together.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo((separately[i] as number[])[j] as number, 5)));
    });
    bundle.dispose();
  });
});

describe('choosing the layer', () => {
  it('automatic: the last conv-like layer or a layer transforming one (here the Add), pooling excluded', () => {
    const model = branched(1);
    expect(featureLayerCandidates(model)).toEqual(['c1', 't', 'side', 'cat', 'mix', 'sum']);
    expect(resolveFeatureLayer(model).layer.name).toBe('sum');
    const bundle = bundleOf(model);
    expect(splitModel(bundle).automatic).toBe(true);
    expect(splitModel(bundle, 'cat').layer).toBe('cat');
    bundle.dispose();
  });

  it('a Sequential model and a VGG-like conv → relu → max-pool stack pick the activation, not the pool', () => {
    const seq = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [N, N, 3], filters: 2, kernelSize: 3, name: 'block_conv' }),
        tf.layers.activation({ activation: 'relu', name: 'block_relu' }),
        tf.layers.maxPooling2d({ poolSize: 2, name: 'block_pool' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dense({ units: 2, activation: 'softmax', name: 'probs' }),
      ],
    });
    const bundle = bundleOf(seq);
    const s = splitModel(bundle);
    expect(s.layer).toBe('block_relu');
    tf.tidy(() => {
      const x = image(9);
      const { activations, bypass } = s.features(x);
      expect(Array.from(s.head(activations, bypass, 'logit').dataSync())).toEqual(Array.from(bundle.forward(x, 'logit').dataSync()));
    });
    bundle.dispose();
  });

  it('errors: unknown name (lists valid layers), a layer without a 4-D output, no conv layer, a shared layer', () => {
    const bundle = bundleOf(branched(1));
    expect(() => splitModel(bundle, 'conv99')).toThrow(ModelSplitError);
    expect(() => splitModel(bundle, 'conv99')).toThrow(/no layer named 'conv99' in the model \(layers with 4-D outputs near the output: c1, t, side, cat, mix, sum\)/);
    expect(() => splitModel(bundle, 'gap')).toThrow(/layer 'gap' \(GlobalAveragePooling2D\) outputs shape \[null,3\], not a 4-D NHWC activation/);
    bundle.dispose();
    const flat = bundleOf(sumModel({ height: 2, width: 2, a: 1 }));
    expect(() => splitModel(flat)).toThrow(/the model has no convolutional layer with a 4-D \(NHWC\) output, so CAM methods cannot be used/);
    flat.dispose();
    const input = tf.input({ shape: [N, N, 3] });
    const shared = tf.layers.conv2d({ filters: 3, kernelSize: 1, name: 'shared' });
    const twice = shared.apply(shared.apply(input)) as T;
    const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(tf.layers.globalAveragePooling2d({}).apply(twice)) as T });
    const sharedBundle = bundleOf(model);
    expect(() => splitModel(sharedBundle, 'shared')).toThrow(/used 2 times in the model \(shared layer\)/);
    sharedBundle.dispose();
  });
});
