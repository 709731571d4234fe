/**
 * Keras 3 conversions load (issue 16): fixtures/keras3-skip-cnn.model.json is a Keras 3
 * model.json written by hand from Keras 3's serialisation (serialization_lib.py
 * `serialize_keras_object`, functional.py `get_config`/`serialize_node`) of
 * Input → Conv2D → Conv2D → Add(skip) → GlobalAveragePooling2D → Dense(softmax). Its weights come
 * from a seeded TF.js model of the same architecture saved with fileSystemHandler; loaded through
 * the normaliser it must give that model's outputs.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { io, SymbolicTensor, Tensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelBundle, ModelBundleError } from './bundle';
import { fileSystemHandler } from './fs-io';
import { normalizeTopology } from './keras3';
import { writeKeras3Bundles } from './testing/keras3.test-util';
import { initTfNode } from './tf-node';

let tf: Awaited<ReturnType<typeof initTfNode>>;
let root: string;
/** Float32 outputs of two loads of the same weights; 1e-6 is the brief's tolerance. */
const TOLERANCE = 1e-6;

beforeAll(async () => {
  tf = await initTfNode('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'keras3-load-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const fixtures = (): Promise<{ direct: string; keras3: string }> => writeKeras3Bundles(root);

describe('Keras 3 model.json', () => {
  it('is rejected by tf.loadLayersModel as it is (the bug the normaliser fixes)', async () => {
    const { keras3 } = await fixtures();
    await expect(tf.loadLayersModel(fileSystemHandler(keras3))).rejects.toThrow();
  });

  it('loads through the normaliser and gives the directly built model\'s outputs to 1e-6', async () => {
    const { direct, keras3 } = await fixtures();
    const before = await readFile(path.join(keras3, 'model.json'), 'utf8');
    const a = await loadModelBundle(direct);
    const b = await loadModelBundle(keras3);
    try {
      expect(a.rewrites).toEqual([]);
      expect(b.rewrites.some((r) => r.startsWith('InputLayer batch_shape → batch_input_shape'))).toBe(true);
      expect(b.rewrites.some((r) => r.startsWith('inbound_nodes') && r.includes("'add'"))).toBe(true);
      expect(b.layersModel?.layers.map((l) => l.name)).toEqual(a.layersModel?.layers.map((l) => l.name));
      const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 7);
      for (const output of ['probability', 'logit'] as const) {
        const ya = Array.from(tf.tidy(() => a.forward(x as never, output)).dataSync());
        const yb = Array.from(tf.tidy(() => b.forward(x as never, output)).dataSync());
        expect(ya.length).toBe(12);
        ya.forEach((v, i) => expect(Math.abs(v - (yb[i] as number))).toBeLessThanOrEqual(TOLERANCE));
      }
      x.dispose();
    } finally {
      a.dispose();
      b.dispose();
    }
    expect(await readFile(path.join(keras3, 'model.json'), 'utf8')).toBe(before);
  });

  it('names an unknown layer class and its layer in one line', async () => {
    const { keras3 } = await fixtures();
    const json = JSON.parse(await readFile(path.join(keras3, 'model.json'), 'utf8')) as { modelTopology: { model_config: { config: { layers: { class_name: string }[] } } } };
    const layer = json.modelTopology.model_config.config.layers[3];
    if (layer === undefined) throw new Error('fixture has no layer 3');
    layer.class_name = 'FancyMerge';
    await writeFile(path.join(keras3, 'model.json'), JSON.stringify(json));
    const error = await loadModelBundle(keras3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as Error).message).toBe(`model bundle ${keras3}: model.json: layer class not supported by TF.js: FancyMerge (layer 'add')`);
  });
});

describe('Keras 3 nested Sequential', () => {
  it('shifts node indices of a nested Sequential by TF.js\'s built-in node and predicts like the TF.js model', async () => {
    const inner = tf.sequential({ name: 'sequential', layers: [tf.layers.dense({ units: 2, inputShape: [3], name: 'inner_dense', kernelInitializer: tf.initializers.randomNormal({ seed: 8 }) })] });
    const input = tf.input({ shape: [3], name: 'input_layer' });
    const mid = inner.apply(input) as SymbolicTensor;
    const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'head', kernelInitializer: tf.initializers.randomNormal({ seed: 9 }) }).apply(mid) as SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const tfjsTopology = model.toJSON(null, false) as unknown as { config: { layers: { name: string; inbound_nodes: unknown[][][] }[] } };
    // TF.js itself numbers the call of a nested Sequential as node 1.
    expect(tfjsTopology.config.layers.find((l) => l.name === 'head')?.inbound_nodes[0]?.[0]?.[1]).toBe(1);
    const dir = path.join(root, 'nested');
    await model.save(fileSystemHandler(dir));
    const saved = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: unknown };
    const kt = (layer: string, shape: (number | null)[]) => ({ class_name: '__keras_tensor__', config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] } });
    const policy = { module: 'keras', class_name: 'DTypePolicy', config: { name: 'float32' }, registered_name: null };
    const topology = {
      module: 'keras', class_name: 'Functional', registered_name: 'Functional',
      config: {
        name: 'functional', trainable: true, input_layers: ['input_layer', 0, 0], output_layers: ['head', 0, 0],
        layers: [
          { module: 'keras.layers', class_name: 'InputLayer', name: 'input_layer', inbound_nodes: [], config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer' } },
          {
            module: 'keras', class_name: 'Sequential', name: 'sequential', registered_name: null,
            config: { name: 'sequential', trainable: true, dtype: policy, layers: [
              { module: 'keras.layers', class_name: 'InputLayer', config: { batch_shape: [null, 3], dtype: 'float32', sparse: false, name: 'input_layer_1' } },
              { module: 'keras.layers', class_name: 'Dense', config: { name: 'inner_dense', trainable: true, dtype: policy, units: 2, activation: 'linear', use_bias: true } },
            ] },
            inbound_nodes: [{ args: [kt('input_layer', [null, 3])], kwargs: { training: null } }],
          },
          { module: 'keras.layers', class_name: 'Dense', name: 'head', config: { name: 'head', trainable: true, dtype: policy, units: 2, activation: 'softmax', use_bias: true }, inbound_nodes: [{ args: [kt('sequential', [null, 2])], kwargs: {} }] },
        ],
      },
    };
    const k3 = path.join(root, 'nested-k3');
    await mkdir(k3, { recursive: true });
    await writeFile(path.join(k3, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology: topology, weightsManifest: saved.weightsManifest }));
    await copyFile(path.join(dir, 'weights.bin'), path.join(k3, 'weights.bin'));
    const bundle = await loadModelBundle(k3).catch((e: unknown) => e);
    // Bundles take images; the vector model stops at the bundle's input check, after a successful load.
    expect((bundle as Error).message).toContain('model input must be an NHWC image batch');
    const { modelJson } = normalizeTopology({ modelTopology: topology, weightsManifest: saved.weightsManifest });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: modelJson.modelTopology as object, weightSpecs: (saved.weightsManifest as { weights: io.WeightsManifestEntry[] }[])[0]?.weights ?? [], weightData: new Uint8Array(await readFile(path.join(dir, 'weights.bin'))).buffer }));
    const x = tf.tensor2d([[0.1, -0.4, 2], [1, 1, 1]]);
    const want = Array.from((model.predict(x) as Tensor).dataSync());
    const got = Array.from((loaded.predict(x) as Tensor).dataSync());
    got.forEach((v, i) => expect(Math.abs(v - (want[i] as number))).toBeLessThanOrEqual(TOLERANCE));
    x.dispose();
    model.dispose();
    loaded.dispose();
  });
});

describe('TF.js-saved SeparableConv2D with a depth multiplier (TF.js 4.22 leaves it out of model.json)', () => {
  it('does not load as saved; through the normaliser it loads, says what it restored, and gives the saved model`s outputs', async () => {
    const { xceptionLikeModel } = await import('./testing/teachable-machine.test-util');
    const model = xceptionLikeModel({ seed: 4 });
    const dir = path.join(root, 'xception-like');
    await model.save(fileSystemHandler(dir));
    const saved = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { modelTopology: unknown };
    expect(JSON.stringify(saved.modelTopology)).not.toContain('depth_multiplier');
    // The bug: tf.loadLayersModel of the saved files fails on the depthwise kernel's shape.
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/Shape mismatch/);
    const bundle = await loadModelBundle(dir);
    try {
      expect(bundle.rewrites.join('\n')).toMatch(/SeparableConv2D depth_multiplier restored from the depthwise kernel's shape/);
      const x = tf.randomUniform([1, ...(model.inputs[0]!.shape.slice(1) as number[])], 0, 1, 'float32', 3);
      const a = (model.predict(x) as Tensor).dataSync();
      const b = (bundle.layersModel!.predict(x) as Tensor).dataSync();
      let diff = 0;
      a.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - (b[i] as number)))));
      expect(diff).toBeLessThanOrEqual(TOLERANCE);
      x.dispose();
    } finally {
      bundle.dispose();
      model.dispose();
    }
  });
});
