import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelBundle, ModelBundleError, type ModelBundle } from './bundle';
import { initTfNode } from './tf-node';
import { saveBundle, sumModel, sumModelProbability, type SumModelOptions } from './toy-bundle.test-util';

const A = 2;
const CONFIG = { labels: ['zero', 'one'], preprocessing: 'unit', inputSize: [2, 3] };
const dirs: string[] = [];

/** A saved sum-model bundle; `config` null = no gazebench.json. */
async function bundleDir(options: Partial<SumModelOptions> = {}, config: unknown = CONFIG): Promise<string> {
  const dir = await saveBundle(sumModel({ height: 2, width: 3, a: A, ...options }), config === null ? undefined : config);
  dirs.push(dir);
  return dir;
}

/** Logits and probabilities of a bundle on a constant input of value v (S = 3v). */
function outputs(bundle: ModelBundle, v: number): { logit: number[]; probability: number[] } {
  const [h, w] = bundle.config.inputSize;
  return tf.tidy(() => {
    const x = tf.fill([1, h, w, 3], v) as tf.Tensor4D;
    return {
      logit: Array.from(bundle.forward(x, 'logit').dataSync()),
      probability: Array.from(bundle.forward(x, 'probability').dataSync()),
    };
  });
}

async function expectBundleError(dir: string, field: string, pattern: RegExp): Promise<void> {
  const error = await loadModelBundle(dir).then(
    (b) => {
      b.dispose();
      return null;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelBundleError);
  expect((error as ModelBundleError).field).toBe(field);
  expect((error as Error).message).toMatch(pattern);
}

beforeAll(async () => {
  await initTfNode('wasm');
});

afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('loadModelBundle: LayersModel heads (logit = last layer with a linear activation)', () => {
  const variants: Array<[string, Partial<SumModelOptions>]> = [
    ['Dense with softmax', {}],
    ['Dense then Activation(softmax)', { separateSoftmax: true }],
    ['Dense with softmax then Reshape', { reshapeAfter: true }],
    ['Dense without activation (logits model)', { activation: 'linear' }],
  ];
  it.each(variants)('%s: logits [a·S, 0], probability σ(a·S)', async (_name, options) => {
    const bundle = await loadModelBundle(await bundleDir(options));
    try {
      expect(bundle.head).toBe(options.activation ?? 'softmax');
      expect(bundle.numClasses).toBe(2);
      const v = 0.25;
      const { logit, probability } = outputs(bundle, v);
      expect(logit[0]).toBeCloseTo(A * 3 * v, 5);
      expect(logit[1]).toBeCloseTo(0, 6);
      expect(probability[0]).toBeCloseTo(sumModelProbability(A, 3 * v), 6);
      expect(probability[1]).toBeCloseTo(1 - sumModelProbability(A, 3 * v), 6);
    } finally {
      bundle.dispose();
    }
  });

  it('sigmoid head: probability is the sigmoid output, logit the pre-activation', async () => {
    const bundle = await loadModelBundle(await bundleDir({ activation: 'sigmoid' }));
    try {
      expect(bundle.head).toBe('sigmoid');
      const { logit, probability } = outputs(bundle, 0.5);
      expect(logit[0]).toBeCloseTo(3, 5);
      expect(probability[0]).toBeCloseTo(sumModelProbability(1, 3), 6);
      expect(probability[1]).toBeCloseTo(0.5, 6);
    } finally {
      bundle.dispose();
    }
  });

  it('keeps gazebench.json, finds the config source, and frees every tensor on dispose', async () => {
    const dir = await bundleDir();
    const before = tf.memory().numTensors;
    const bundle = await loadModelBundle(dir);
    expect(bundle.format).toBe('layers-model');
    expect(bundle.configSource).toBe('gazebench.json');
    expect(bundle.config).toEqual(CONFIG);
    expect(bundle.notes).toEqual([]);
    expect(bundle.layersModel?.getLayer('head').name).toBe('head');
    bundle.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('without gazebench.json: input size from the model, preprocessing "unit", and says so', async () => {
    const bundle = await loadModelBundle(await bundleDir({}, null));
    try {
      expect(bundle.configSource).toBe('inferred');
      expect(bundle.config).toEqual({ labels: ['0', '1'], preprocessing: 'unit', inputSize: [2, 3] });
      expect(bundle.notes.join(' ')).toMatch(/no gazebench\.json.*inputSize \[2, 3\].*"unit"/);
    } finally {
      bundle.dispose();
    }
  });
});

describe('loadModelBundle: GraphModel (forward only)', () => {
  /** Hand-written graph: mean over H, W → MatMul([[a, 0]] × 3) → Softmax → Identity. */
  async function graphDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'gazebench-graph-'));
    dirs.push(dir);
    const float = { type: 'DT_FLOAT' };
    const dims = (...sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s) })) });
    const node = [
      { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 2, 2, 3) } } },
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
    const bin = Buffer.concat([Buffer.from(new Int32Array([1, 2]).buffer), Buffer.from(new Float32Array([A, 0, A, 0, A, 0]).buffer)]);
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await writeFile(path.join(dir, 'weights.bin'), bin);
    return dir;
  }

  it('loads, infers the size, finds the Softmax behind Identity and evaluates its input as logits', async () => {
    const bundle = await loadModelBundle(await graphDir());
    try {
      expect(bundle.format).toBe('graph-model');
      expect(bundle.layersModel).toBeUndefined();
      expect(bundle.head).toBe('softmax');
      expect(bundle.numClasses).toBe(2);
      expect(bundle.config.inputSize).toEqual([2, 2]);
      const { logit, probability } = outputs(bundle, 0.5);
      expect(logit[0]).toBeCloseTo(A * 1.5, 5);
      expect(probability[0]).toBeCloseTo(sumModelProbability(A, 1.5), 6);
    } finally {
      bundle.dispose();
    }
  });
});

describe('loadModelBundle: bad bundles name what is wrong', () => {
  it('a folder that does not exist', async () => {
    await expectBundleError(path.join(tmpdir(), 'gazebench-no-such-bundle'), 'dir', /not a directory/);
  });

  it('model.json that is not JSON, and JSON that is not a TF.js model', async () => {
    const dir = await bundleDir();
    await writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
    await expectBundleError(dir, 'model.json', /not valid JSON/);
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ name: 'resnet', layers: [] }));
    await expectBundleError(dir, 'model.json', /not a TF\.js model/);
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ modelTopology: { foo: 1 }, weightsManifest: [] }));
    await expectBundleError(dir, 'model.json', /not a TF\.js model: unknown format/);
  });

  it('missing weight shards are named', async () => {
    const dir = await bundleDir();
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
    (json.weightsManifest[0] as { paths: string[] }).paths = ['weights.bin', 'group1-shard2of2.bin', 'group1-shard3of2.bin'];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await expectBundleError(dir, 'weights', /missing weight shards: group1-shard2of2\.bin, group1-shard3of2\.bin$/);
  });

  it.each([
    [{ ...CONFIG, preprocessing: 'zscore' }, 'gazebench.json', /preprocessing/],
    [{ ...CONFIG, inputSize: [2] }, 'gazebench.json', /inputSize/],
    [{ ...CONFIG, inputSize: [2, -3] }, 'gazebench.json', /inputSize\.1/],
    [{ preprocessing: 'unit', inputSize: [2, 3] }, 'gazebench.json', /labels/],
    [{ ...CONFIG, targetLayer: '' }, 'gazebench.json', /targetLayer/],
    [{ ...CONFIG, inputSize: [3, 3] }, 'gazebench.json inputSize', /\[3, 3\] does not match the model input \[2, 3\]/],
    [{ ...CONFIG, labels: ['a', 'b', 'c'] }, 'gazebench.json labels', /3 labels for a model with 2 outputs/],
    [{ ...CONFIG, targetLayer: 'conv9' }, 'gazebench.json targetLayer', /no layer named 'conv9'/],
  ])('bad gazebench.json %j → %s', async (config, field, pattern) => {
    await expectBundleError(await bundleDir({}, config), field, pattern);
  });

  it('gazebench.json that is not JSON', async () => {
    const dir = await bundleDir();
    await writeFile(path.join(dir, 'gazebench.json'), 'labels: [a, b]');
    await expectBundleError(dir, 'gazebench.json', /not valid JSON/);
  });

  it('a final activation that is not a classifier head', async () => {
    await expectBundleError(await bundleDir({ activation: 'relu' as 'linear' }), 'model.json', /final activation 'relu'.*not supported/);
  });
});

describe('loadModelBundle: Teachable Machine metadata.json', () => {
  const TM = { tfjsVersion: '1.3.1', tmVersion: '2.4.7', packageName: '@teachablemachine/image', packageVersion: '0.8.5', modelName: 'tm-my-image-model', timeStamp: '2024-01-01T00:00:00.000Z', labels: ['Class 1', 'Class 2'], userMetadata: {}, imageSize: 3 };

  async function tmDir(metadata: unknown, config: unknown = null): Promise<string> {
    const dir = await bundleDir({ height: 3, width: 3 }, config);
    await writeFile(path.join(dir, 'metadata.json'), JSON.stringify(metadata));
    return dir;
  }

  it('takes labels, input size and Teachable Machine`s own preprocessing (centre crop, x/127 − 1) from metadata.json', async () => {
    const bundle = await loadModelBundle(await tmDir(TM));
    try {
      expect(bundle.configSource).toBe('metadata.json');
      expect(bundle.config).toEqual({ labels: ['Class 1', 'Class 2'], preprocessing: 'teachable-machine', inputSize: [3, 3] });
      expect(bundle.notes.join(' ')).toContain('metadata.json (Teachable Machine)');
    } finally {
      bundle.dispose();
    }
  });

  it('gazebench.json wins over metadata.json; explicit overrides win over both', async () => {
    const config = { labels: ['a', 'b'], preprocessing: 'unit', inputSize: [3, 3] };
    const dir = await tmDir(TM, config);
    const fromConfig = await loadModelBundle(dir);
    const overridden = await loadModelBundle(dir, { labels: ['x', 'y'], preprocessing: 'imagenet-torch' });
    const tmOverridden = await loadModelBundle(await tmDir(TM), { preprocessing: 'unit' });
    try {
      expect([fromConfig.configSource, fromConfig.config.labels, fromConfig.config.preprocessing]).toEqual(['gazebench.json', ['a', 'b'], 'unit']);
      expect([overridden.config.labels, overridden.config.preprocessing]).toEqual([['x', 'y'], 'imagenet-torch']);
      expect([tmOverridden.config.labels, tmOverridden.config.preprocessing]).toEqual([['Class 1', 'Class 2'], 'unit']);
    } finally {
      fromConfig.dispose();
      overridden.dispose();
      tmOverridden.dispose();
    }
  });

  it('a bad metadata.json is a one-line error naming the field', async () => {
    const dir = await tmDir({ ...TM, labels: 'Class 1' });
    const error = await loadModelBundle(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelBundleError);
    expect((error as ModelBundleError).field).toBe('metadata.json');
    expect((error as Error).message).toMatch(/^model bundle .*: metadata\.json: labels: [^\n]+$/);
    const wrongSize = await loadModelBundle(await tmDir({ ...TM, imageSize: 224 })).catch((e: unknown) => e);
    expect((wrongSize as ModelBundleError).field).toBe('metadata.json imageSize');
    const wrongCount = await loadModelBundle(await tmDir({ ...TM, labels: ['only one'] })).catch((e: unknown) => e);
    expect((wrongCount as Error).message).toContain('metadata.json labels: 1 labels for a model with 2 outputs');
    const badOverride = await loadModelBundle(await tmDir(TM), { labels: ['a', 'b', 'c'] }).catch((e: unknown) => e);
    expect((badOverride as ModelBundleError).field).toBe('labels');
  });
});
