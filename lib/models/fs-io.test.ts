import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemHandler } from './fs-io';
import { initTfNode } from './tf-node';

let tf: Awaited<ReturnType<typeof initTfNode>>;
let root: string;

beforeAll(async () => {
  tf = await initTfNode('wasm');
  root = await mkdtemp(path.join(tmpdir(), 'fs-io-test-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function tinyModel(): LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  const conv = tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu', name: 'c', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }).apply(input);
  const pooled = tf.layers.globalAveragePooling2d({}).apply(conv);
  const out = tf.layers.dense({ units: 4, activation: 'softmax', name: 'd', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(pooled);
  return tf.model({ inputs: input, outputs: out as import('@tensorflow/tfjs').SymbolicTensor });
}

describe('fileSystemHandler', () => {
  it('save then load gives a model with identical predictions and weights', async () => {
    const dir = path.join(root, 'roundtrip');
    const model = tinyModel();
    const result = await model.save(fileSystemHandler(dir));
    expect(result.modelArtifactsInfo.weightDataBytes).toBe((3 * 3 * 2 * 3 + 3 + 3 * 4 + 4) * 4);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    const x = tf.randomUniform([5, 6, 6, 2], 0, 1, 'float32', 4);
    const a = Array.from((model.predict(x) as Tensor).dataSync());
    const b = Array.from((loaded.predict(x) as Tensor).dataSync());
    expect(b).toEqual(a);
    const wa = model.getWeights().map((w) => Array.from(w.dataSync()));
    const wb = loaded.getWeights().map((w) => Array.from(w.dataSync()));
    expect(wb).toEqual(wa);
    // No temporary folders are left beside the target.
    expect((await readdir(root)).filter((n) => n.includes('-tmp-'))).toEqual([]);
  });

  it('keeps other files in the folder and overwrites an earlier save', async () => {
    const dir = path.join(root, 'overwrite');
    await tinyModel().save(fileSystemHandler(dir));
    await writeFile(path.join(dir, 'gazebench.json'), '{"labels":[]}');
    const second = tinyModel();
    second.getLayer('d').setWeights([tf.ones([3, 4]), tf.zeros([4])]);
    await second.save(fileSystemHandler(dir));
    expect(await readFile(path.join(dir, 'gazebench.json'), 'utf8')).toBe('{"labels":[]}');
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    expect(Array.from(loaded.getLayer('d').getWeights()[0]?.dataSync() ?? [])).toEqual(new Array(12).fill(1));
  });

  it('loads a model whose weights are split over several shards, in manifest order', async () => {
    const dir = path.join(root, 'shards');
    const model = tinyModel();
    await model.save(fileSystemHandler(dir));
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as {
      weightsManifest: Array<{ paths: string[]; weights: unknown[] }>;
    };
    const bytes = await readFile(path.join(dir, 'weights.bin'));
    const cut = 100; // not on a tensor boundary: shards are plain byte ranges
    await writeFile(path.join(dir, 'group1-shard1of2.bin'), bytes.subarray(0, cut));
    await writeFile(path.join(dir, 'group1-shard2of2.bin'), bytes.subarray(cut));
    json.weightsManifest[0] = { paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: json.weightsManifest[0]?.weights ?? [] };
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await rm(path.join(dir, 'weights.bin'));
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    const x = tf.randomUniform([2, 6, 6, 2], 0, 1, 'float32', 5);
    expect(Array.from((loaded.predict(x) as Tensor).dataSync())).toEqual(Array.from((model.predict(x) as Tensor).dataSync()));
  });

  it('names the missing shard', async () => {
    const dir = path.join(root, 'missing');
    await tinyModel().save(fileSystemHandler(dir));
    await rm(path.join(dir, 'weights.bin'));
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/weight shard "weights\.bin" named in .*model\.json is missing/);
  });

  it('says when model.json is not a TF.js model, not JSON, or absent', async () => {
    const dir = path.join(root, 'not-a-model');
    await tinyModel().save(fileSystemHandler(dir));
    await writeFile(path.join(dir, 'model.json'), JSON.stringify({ labels: ['a'], preprocessing: 'unit' }));
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/is not a TF\.js model\.json/);
    await writeFile(path.join(dir, 'model.json'), '{"modelTopology": ');
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/is not valid JSON/);
    await expect(tf.loadLayersModel(fileSystemHandler(path.join(root, 'nowhere')))).rejects.toThrow(/cannot read .*nowhere.*model\.json/);
  });

  it('refuses shard paths that leave the model folder', async () => {
    const dir = path.join(root, 'escape');
    await tinyModel().save(fileSystemHandler(dir));
    const json = JSON.parse(await readFile(path.join(dir, 'model.json'), 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
    (json.weightsManifest[0] as { paths: string[] }).paths = ['../roundtrip/weights.bin'];
    await writeFile(path.join(dir, 'model.json'), JSON.stringify(json));
    await expect(tf.loadLayersModel(fileSystemHandler(dir))).rejects.toThrow(/outside the model folder/);
  });
});
