/**
 * Explainers on real-model shapes (issue 16): a Teachable-Machine-shaped nested Sequential with a
 * MobileNetV2-like base (depthwise convolutions, ReLU6) and an Xception-like model (separable
 * convolutions). CAMs of the nested model must equal CAMs of the same layers flattened into one
 * graph; every gradient method on the wasm backend (composite depthwise gradient kernels) must
 * equal the cpu backend's.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelBundle } from '@/lib/models/bundle';
import { createModelBundle, type ModelBundle } from '@/lib/models/bundle-core';
import {
  flatTeachableMachineModel, saveTeachableMachineExport, teachableMachineModel, TM_LABELS, TM_TARGET_PATH, xceptionLikeModel,
} from '@/lib/models/testing/teachable-machine.test-util';
import { initTfNode } from '@/lib/models/tf-node';
import { EXPLAINERS, type ExplainOptions, type Explanation } from './index';
import { randomImage } from './testing/toy-models';

const SIZE = 32;
/** Maps agree when max |a − b| ≤ this × max(1, max |b|): float32 sums reordered (XNNPACK vs reference loops). */
const RELATIVE_TOLERANCE = 1e-5;
const image = randomImage(31, SIZE, SIZE);
const tmBundle = (model: tf.LayersModel): ModelBundle => createModelBundle(model, { labels: TM_LABELS, preprocessing: 'inception', inputSize: [SIZE, SIZE] });

const measured: Record<string, number> = {};
function relativeDiff(label: string, a: Explanation, b: Explanation): number {
  expect(a.map.data.length).toBe(b.map.data.length);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.map.data.length; i++) {
    diff = Math.max(diff, Math.abs((a.map.data[i] as number) - (b.map.data[i] as number)));
    scale = Math.max(scale, Math.abs(b.map.data[i] as number));
  }
  // A map of zeros would agree trivially.
  expect(scale, label).toBeGreaterThan(0);
  const relative = diff / Math.max(1, scale);
  measured[label] = relative;
  return relative;
}

const run = (method: string, bundle: ModelBundle, extra: Partial<ExplainOptions> = {}): Promise<Explanation> =>
  (EXPLAINERS[method] as NonNullable<(typeof EXPLAINERS)[string]>).explain({ bundle, image, target: { classIndex: 1, output: 'logit' }, seed: 5, ...extra });

afterAll(() => {
  console.log(`nested-models: max relative map differences ${JSON.stringify(measured)}`);
});

describe('CAMs of a nested Teachable-Machine-shaped model equal those of the same model flattened', () => {
  it.each(['gradcam', 'eigencam', 'scorecam'])('%s', async (method) => {
    await initTfNode('wasm');
    const nested = tmBundle(teachableMachineModel({ seed: 3 }));
    const flat = tmBundle(flatTeachableMachineModel({ seed: 3 }));
    const before = tf.memory().numTensors;
    for (const output of ['logit', 'probability'] as const) {
      const a = await run(method, nested, { target: { classIndex: 1, output } });
      const b = await run(method, flat, { target: { classIndex: 1, output } });
      expect(a.layer).toBe(TM_TARGET_PATH);
      expect(b.layer).toBe('out_relu');
      expect(a.raw?.width).toBe(SIZE / 4);
      expect(Math.abs(a.score - b.score)).toBeLessThan(1e-6);
      expect(relativeDiff(`${method} ${output}`, a, b)).toBeLessThan(RELATIVE_TOLERANCE);
    }
    expect(tf.memory().numTensors).toBe(before);
    nested.dispose();
    flat.dispose();
  });
});

const GRADIENT_METHODS: [string, Record<string, unknown>][] = [
  ['gradcam', {}],
  ['gradcampp', {}],
  ['gradient', {}],
  ['integratedgradients', { steps: 6 }],
  ['smoothgrad', { n: 4 }],
  ['gradientshap', { n_samples: 4 }],
];

describe('gradient methods through depthwise and separable convolutions: wasm equals cpu', () => {
  const models: [string, () => ModelBundle][] = [
    ['Teachable Machine (MobileNetV2-like, nested)', () => tmBundle(teachableMachineModel({ seed: 12 }))],
    ['Xception-like (SeparableConv2D)', () => createModelBundle(xceptionLikeModel({ size: SIZE, seed: 13 }), { labels: ['a', 'b', 'c'], preprocessing: 'inception', inputSize: [SIZE, SIZE] })],
  ];
  it.each(models)('%s', async (name, build) => {
    const maps: Record<string, Explanation[]> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      await initTfNode(backend);
      const bundle = build();
      for (const [method, params] of GRADIENT_METHODS) (maps[method] ??= []).push(await run(method, bundle, { params }));
      bundle.dispose();
    }
    await initTfNode('wasm');
    for (const [method] of GRADIENT_METHODS) {
      const [cpu, wasm] = maps[method] as [Explanation, Explanation];
      expect(relativeDiff(`${name} ${method}`, wasm, cpu), method).toBeLessThan(RELATIVE_TOLERANCE * 10);
    }
  });
});

describe('a saved Teachable Machine export, loaded from its folder as the CLI does', () => {
  it('Grad-CAM finds sequential_1/model1/out_relu and Grad-CAM and the input gradient equal the in-memory model`s', async () => {
    await initTfNode('wasm');
    const model = teachableMachineModel({ seed: 21 });
    const loaded = await loadModelBundle(await saveTeachableMachineExport(model));
    // No gazebench.json: the bundle infers "unit" preprocessing; compare against the same config.
    const memory = createModelBundle(model, loaded.config);
    expect(loaded.head).toBe('softmax');
    for (const method of ['gradcam', 'gradient']) {
      const a = await run(method, loaded);
      const b = await run(method, memory);
      if (method === 'gradcam') expect(a.layer).toBe(TM_TARGET_PATH);
      expect(a.map.data.every(Number.isFinite)).toBe(true);
      expect(relativeDiff(`loaded export ${method}`, a, b)).toBe(0);
    }
    loaded.dispose();
    memory.dispose();
  });
});

describe('"teachable-machine" preset on a non-square image: LIME and insertion/deletion see the centre crop', () => {
  // 48×32 into a 32×32 input: scale 1, crop = columns 8..39 (preprocess.ts teachableMachineCrop).
  // The wide image's margins are other noise; the model never sees them, so every result on the
  // wide image must equal the result on the crop itself. Before, LIME segmented the squeezed image
  // and the curves squeezed an image-size map into the input.
  const WIDE = 48;
  const X0 = 8;
  const wide = randomImage(41, WIDE, SIZE);
  const crop = { width: SIZE, height: SIZE, rgba: new Uint8Array(SIZE * SIZE * 4) };
  for (let y = 0; y < SIZE; y++) crop.rgba.set(wide.rgba.subarray((y * WIDE + X0) * 4, (y * WIDE + X0 + SIZE) * 4), y * SIZE * 4);
  const tm = (): ModelBundle => createModelBundle(teachableMachineModel({ seed: 3 }), { labels: TM_LABELS, preprocessing: 'teachable-machine', inputSize: [SIZE, SIZE] });

  it('LIME: the same superpixels and map as on the crop', async () => {
    await initTfNode('wasm');
    const bundle = tm();
    const params = { num_samples: 64, kernel_size: 2, max_dist: 20 };
    const a = await run('lime', bundle, { image: wide, params });
    const b = await run('lime', bundle, { image: crop, params });
    expect((a.extras?.segments as { labels: Int32Array }).labels).toEqual((b.extras?.segments as { labels: Int32Array }).labels);
    expect(a.map.data).toEqual(b.map.data);
    bundle.dispose();
  });

  it('insertion/deletion of an image-size map: the curves of its crop on the crop', async () => {
    await initTfNode('wasm');
    const bundle = tm();
    const { evaluateWithoutGroundTruth } = await import('@/lib/evaluation/evaluate');
    const full = { width: WIDE, height: SIZE, data: Float64Array.from({ length: WIDE * SIZE }, (_, i) => Math.sin(i * 0.37) + (i % WIDE) / WIDE) };
    const cut = { width: SIZE, height: SIZE, data: new Float64Array(SIZE * SIZE) };
    for (let y = 0; y < SIZE; y++) for (let x = 0; x < SIZE; x++) cut.data[y * SIZE + x] = full.data[y * WIDE + x + X0] as number;
    const metrics = ['insertion', 'deletion'] as const;
    const a = await evaluateWithoutGroundTruth({ bundle, image: wide, saliency: full, metrics: [...metrics], step: 8 });
    const b = await evaluateWithoutGroundTruth({ bundle, image: crop, saliency: cut, metrics: [...metrics], step: 8 });
    expect(a.insertion?.auc).toBeDefined();
    expect(a.insertion).toEqual(b.insertion);
    expect(a.deletion).toEqual(b.deletion);
    bundle.dispose();
  });
});
