import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModelBundle, type ModelBundle } from './bundle-core';
import { fileSystemHandler } from './fs-io';
import { defaultFeatureLayer, featureLayerCandidates, layerPaths, ModelSplitError, resolveFeatureLayer, splitModel } from './split';
import {
  flatTeachableMachineModel, mobileNetV2Base, saveTeachableMachineExport, seedWeights, teachableMachineModel, TM_LABELS, TM_TARGET_PATH,
} from './testing/teachable-machine.test-util';
import { initTfNode } from './tf-node';

const SIZE = 32;
const CONFIG = { labels: TM_LABELS, preprocessing: 'inception' as const, inputSize: [SIZE, SIZE] as [number, number] };
const bundleOf = (model: tf.LayersModel, targetLayer?: string): ModelBundle => createModelBundle(model, { ...CONFIG, ...(targetLayer ? { targetLayer } : {}) });
const image = (seed: number, n = 1): tf.Tensor4D => tf.randomUniform([n, SIZE, SIZE, 3], -1, 1, 'float32', seed) as tf.Tensor4D;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

beforeAll(async () => {
  await initTfNode('wasm');
});

describe('layers inside nested models (Teachable-Machine-shaped Sequential of Sequentials)', () => {
  it('candidates are paths into the nested base; the automatic choice is its last activation out_relu', () => {
    const model = teachableMachineModel();
    const candidates = featureLayerCandidates(model);
    expect(candidates.at(-1)).toBe(TM_TARGET_PATH);
    expect(candidates).toContain('sequential_1/model1/block_1_depthwise');
    expect(candidates).toContain('sequential_1/model1/block_2_add');
    // Containers are not candidates themselves, nor are padding or pooling layers.
    expect(candidates.filter((c) => !c.startsWith('sequential_1/model1/'))).toEqual([]);
    expect(candidates).not.toContain('sequential_1/model1/block_1_pad');
    expect(resolveFeatureLayer(model)).toMatchObject({ path: TM_TARGET_PATH, automatic: true });
    expect(layerPaths(model).slice(0, 3)).toEqual(['sequential_1', 'sequential_1/model1', 'sequential_1/model1/input_1']);
    model.dispose();
  });

  it('the nested head is a softmax whose logits equal the flattened model`s (not a softmax of probabilities)', () => {
    const nested = bundleOf(teachableMachineModel({ seed: 4 }));
    const flat = bundleOf(flatTeachableMachineModel({ seed: 4 }));
    expect(nested.head).toBe('softmax');
    tf.tidy(() => {
      const x = image(5, 3);
      for (const output of ['logit', 'probability'] as const) {
        const d = maxAbsDiff(nested.forward(x, output).dataSync(), flat.forward(x, output).dataSync());
        expect(d, output).toBeLessThan(1e-6);
      }
      // Logits are not probabilities: some are negative or above 1.
      expect(Array.from(nested.forward(x, 'logit').dataSync()).some((v) => v < 0 || v > 1)).toBe(true);
    });
    nested.dispose();
    flat.dispose();
  });

  it('split at the automatic layer: same activations as the flattened model, head(features(x)) = model output, no leak', () => {
    const nested = bundleOf(teachableMachineModel({ seed: 6 }));
    const flat = bundleOf(flatTeachableMachineModel({ seed: 6 }));
    const s = splitModel(nested);
    const f = splitModel(flat);
    expect(s).toMatchObject({ layer: TM_TARGET_PATH, layerClass: 'ReLU', automatic: true });
    expect(f.layer).toBe('out_relu');
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = image(7, 2);
      const a = s.features(x);
      const b = f.features(x);
      expect(a.activations.shape).toEqual([2, SIZE / 4, SIZE / 4, 32]);
      expect(maxAbsDiff(a.activations.dataSync(), b.activations.dataSync())).toBeLessThan(1e-6);
      expect(Math.max(...Array.from(a.activations.dataSync()))).toBeGreaterThan(0.1);
      for (const output of ['logit', 'probability'] as const) {
        expect(maxAbsDiff(s.head(a.activations, a.bypass, output).dataSync(), nested.forward(x, output).dataSync()), output).toBeLessThan(1e-6);
      }
    });
    expect(tf.memory().numTensors).toBe(before);
    nested.dispose();
    flat.dispose();
  });

  it('split before the residual Add carries the skip connection as a bypass value', () => {
    const nested = bundleOf(teachableMachineModel({ seed: 8 }));
    const s = splitModel(nested, 'sequential_1/model1/block_2_project_BN');
    tf.tidy(() => {
      const x = image(9);
      const { activations, bypass } = s.features(x);
      // block_1_project_BN bypasses block_2 and is read by block_2_add.
      expect(bypass.map((t) => t.shape)).toEqual([[1, SIZE / 4, SIZE / 4, 12]]);
      const batch = tf.concat([activations, activations.mul(0.5)]) as tf.Tensor4D;
      const out = s.head(batch, bypass, 'logit').arraySync();
      expect(maxAbsDiff(out[0] as number[], nested.forward(x, 'logit').dataSync())).toBeLessThan(1e-6);
      expect(maxAbsDiff(out[0] as number[], out[1] as number[])).toBeGreaterThan(1e-4);
    });
    nested.dispose();
  });

  it('names: a bare unique name, a nested model (its output layer), gazebench.json targetLayer as a path', () => {
    const nested = bundleOf(teachableMachineModel(), TM_TARGET_PATH);
    expect(splitModel(nested).layer).toBe(TM_TARGET_PATH);
    expect(splitModel(nested).automatic).toBe(false);
    expect(splitModel(nested, 'out_relu').layer).toBe(TM_TARGET_PATH);
    expect(splitModel(nested, 'sequential_1/model1').layer).toBe(TM_TARGET_PATH);
    expect(splitModel(nested, 'sequential_1/model1/block_1_depthwise').layerClass).toBe('DepthwiseConv2D');
    nested.dispose();
    expect(() => bundleOf(teachableMachineModel(), 'sequential_1/model1/nope')).toThrow(/targetLayer: no layer named 'sequential_1\/model1\/nope'/);
  });

  it('errors: a wrong path lists candidate paths on one line; a 2-D layer inside a nested model is refused by path', () => {
    const nested = bundleOf(teachableMachineModel());
    let message = '';
    try {
      splitModel(nested, 'sequential_1/model1/out_relu6');
    } catch (error) {
      expect(error).toBeInstanceOf(ModelSplitError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/^no layer named 'sequential_1\/model1\/out_relu6' in the model \(layers with 4-D outputs near the output: …, .*sequential_1\/model1\/Conv_1_bn, sequential_1\/model1\/out_relu\)$/);
    expect(message).not.toContain('\n');
    expect(() => splitModel(nested, 'sequential_3/dense_Dense1')).toThrow(/^layer 'sequential_3\/dense_Dense1' \(Dense\) outputs shape \[null,16\], not a 4-D NHWC activation/);
    nested.dispose();
  });
});

describe('a functional model calling a nested base (Keras applications: x = base(inputs))', () => {
  it('inlines the call: the base is split at model1/out_relu, equal to the flattened model, called twice → shared', () => {
    const baseInput = tf.input({ shape: [SIZE, SIZE, 3], name: 'input_1' });
    const base = tf.model({ inputs: baseInput, outputs: mobileNetV2Base(baseInput), name: 'model1' });
    const input = tf.input({ shape: [SIZE, SIZE, 3], name: 'image' });
    const gap = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_GlobalAveragePooling2D1' }).apply(base.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
    const hidden = tf.layers.dense({ units: 16, activation: 'relu', name: 'dense_Dense1' }).apply(gap) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax', useBias: false, name: 'dense_Dense2' }).apply(hidden) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    seedWeights(model, 14);
    const called = bundleOf(model);
    const flat = bundleOf(flatTeachableMachineModel({ seed: 14 }));
    const s = splitModel(called);
    expect(s.layer).toBe('model1/out_relu');
    tf.tidy(() => {
      const x = image(15);
      const a = s.features(x);
      expect(maxAbsDiff(a.activations.dataSync(), splitModel(flat).features(x).activations.dataSync())).toBeLessThan(1e-6);
      expect(maxAbsDiff(s.head(a.activations, a.bypass, 'logit').dataSync(), flat.forward(x, 'logit').dataSync())).toBeLessThan(1e-6);
    });
    called.dispose();
    flat.dispose();

    const twiceInput = tf.input({ shape: [SIZE, SIZE, 3] });
    const sharedBase = tf.model({ inputs: twiceInput, outputs: mobileNetV2Base(twiceInput), name: 'shared_base' });
    const i2 = tf.input({ shape: [SIZE, SIZE, 3] });
    const sum = tf.layers.add({}).apply([sharedBase.apply(i2) as tf.SymbolicTensor, sharedBase.apply(i2) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    const twice = bundleOf(tf.model({ inputs: i2, outputs: tf.layers.dense({ units: 2, activation: 'softmax' }).apply(tf.layers.globalAveragePooling2d({}).apply(sum)) as tf.SymbolicTensor }));
    expect(() => splitModel(twice, 'shared_base/out_relu')).toThrow(/^layer 'shared_base\/out_relu' is used 2 times in the model \(shared layer\)/);
    twice.dispose();
  });
});

describe('Teachable Machine export fixture', () => {
  it('saves model.json + weights.bin + metadata.json that load back to the same nested model and outputs', async () => {
    const model = teachableMachineModel({ seed: 10 });
    const dir = await saveTeachableMachineExport(model);
    const metadata = JSON.parse(await readFile(path.join(dir, 'metadata.json'), 'utf8')) as Record<string, unknown>;
    expect(metadata).toMatchObject({ packageName: '@teachablemachine/image', modelName: 'tm-my-image-model', labels: TM_LABELS, imageSize: SIZE });
    expect(typeof metadata.tfjsVersion).toBe('string');
    expect(typeof metadata.tmVersion).toBe('string');
    expect(typeof metadata.timeStamp).toBe('string');
    const modelJson = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: { config: { layers: { class_name: string }[] } }; weightsManifest: { paths: string[] }[] };
    expect(modelJson.modelTopology.config.layers.map((l) => l.class_name)).toEqual(['Sequential', 'Sequential']);
    expect(modelJson.weightsManifest[0]?.paths).toEqual(['weights.bin']);
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    expect(featureLayerCandidates(loaded)).toEqual(featureLayerCandidates(model));
    tf.tidy(() => {
      const x = image(11);
      expect(maxAbsDiff((loaded.predict(x) as tf.Tensor).dataSync(), (model.predict(x) as tf.Tensor).dataSync())).toBe(0);
    });
    model.dispose();
    loaded.dispose();
  });
});

describe('the default CAM target layer (one decision for uploads and explainers)', () => {
  it('is the base`s last 4-D activation out_relu, not the last Conv2D Conv_1 before its BatchNorm and ReLU6', () => {
    const model = teachableMachineModel();
    expect(defaultFeatureLayer(model)).toBe(TM_TARGET_PATH);
    expect(resolveFeatureLayer(model).path).toBe(defaultFeatureLayer(model));
    model.dispose();
  });

  it('is null for a model without convolutions (CAM methods cannot be used)', () => {
    const dense = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [4, 4, 3] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    expect(defaultFeatureLayer(dense)).toBeNull();
    dense.dispose();
  });
});
