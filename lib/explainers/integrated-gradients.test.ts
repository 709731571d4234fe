import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { integratedGradients } from './integrated-gradients';
import { kernelFor, pixelLinearBundle, rejection, removeToyDirs, rgbaImage, smallCnnBundle } from './input-toys.test-util';
import { ExplainerError } from './types';

const H = 6;
const W = 5;
const WEIGHT = (y: number, x: number, c: number) => (y - x + c) / 10;
const image = rgbaImage(W, H, (x, y) => [x * 40, y * 30, 100]);
const rgb = (y: number, x: number, c: number) => image.rgba[(y * W + x) * 4 + c] as number;
let linear: ModelBundle;
let inception: ModelBundle;
let cnn: ModelBundle;

beforeAll(async () => {
  await initTfNode('wasm');
  linear = await pixelLinearBundle(H, W, kernelFor(H, W, WEIGHT), [0, 0]);
  inception = await pixelLinearBundle(H, W, kernelFor(H, W, WEIGHT), [0, 0], 'inception');
  cnn = await smallCnnBundle(8, 8, 11);
});

afterAll(async () => {
  linear.dispose();
  inception.dispose();
  cnn.dispose();
  await removeToyDirs();
});

describe('integratedgradients', () => {
  it('linear model, black baseline ("unit": x′ = 0): IG = x·w exactly, whatever the number of steps', async () => {
    for (const steps of [1, 50]) {
      const e = await integratedGradients.explain({ bundle: linear, image, target: { classIndex: 0, output: 'logit' }, params: { steps, reduce: 'sum' } });
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(e.map.data[y * W + x]).toBeCloseTo([0, 1, 2].reduce((a, c) => a + (rgb(y, x, c) / 255) * WEIGHT(y, x, c), 0), 5);
    }
  });

  it('the black baseline is the black picture preprocessed ("inception": −1), not a zero tensor: IG = (x + 1)·w', async () => {
    const e = await integratedGradients.explain({ bundle: inception, image, target: { classIndex: 0, output: 'logit' }, params: { reduce: 'sum' } });
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(e.map.data[y * W + x]).toBeCloseTo([0, 1, 2].reduce((a, c) => a + (rgb(y, x, c) / 127.5) * WEIGHT(y, x, c), 0), 4);
    expect(e.extras?.attributionSum as number).toBeCloseTo(e.extras?.scoreDifference as number, 4);
  });

  it('completeness on a small nonlinear CNN (tanh conv, softmax): Σ IG = S(x) − S(x′) to 1e-4', async () => {
    const img = rgbaImage(8, 8, (x, y) => [(x * 31 + y * 7) % 256, (x * y * 13) % 256, 255 - x * 20]);
    for (const baseline of ['black', 'blurred']) {
      const e = await integratedGradients.explain({ bundle: cnn, image: img, target: { classIndex: 1, output: 'probability' }, params: { steps: 100, baseline, blur_sigma: 2, reduce: 'sum' } });
      const sum = e.extras?.attributionSum as number;
      const delta = e.extras?.scoreDifference as number;
      expect(Math.abs(delta)).toBeGreaterThan(1e-3);
      expect(Math.abs(sum - delta)).toBeLessThan(1e-4);
      expect(e.map.data.reduce((a, b) => a + b, 0)).toBeCloseTo(sum, 4);
    }
  });

  it('blurred baseline on a constant image is the image itself: IG = 0 everywhere', async () => {
    const e = await integratedGradients.explain({ bundle: cnn, image: rgbaImage(8, 8, () => [90, 60, 30]), target: { classIndex: 0, output: 'logit' }, params: { baseline: 'blurred', steps: 4 } });
    e.map.data.forEach((v) => expect(Math.abs(v)).toBeLessThan(1e-6));
  });

  it('progress counts steps + 1 gradient evaluations; deterministic; no tensor leak; abort', async () => {
    const before = tf.memory().numTensors;
    const seen: Array<[number, number]> = [];
    const opts = { bundle: cnn, image: rgbaImage(8, 8, (x) => [x * 30, 0, 0]), target: { classIndex: 0 as const, output: 'logit' as const }, params: { steps: 20 }, batchSize: 8 };
    const a = await integratedGradients.explain({ ...opts, onProgress: (p) => seen.push([p.done, p.total]) });
    const b = await integratedGradients.explain(opts);
    expect(seen).toEqual([[8, 21], [16, 21], [21, 21]]);
    expect(b.map.data).toEqual(a.map.data);
    const controller = new AbortController();
    const error = await rejection(() => integratedGradients.explain({ ...opts, signal: controller.signal, onProgress: () => controller.abort() }));
    expect(error.name).toBe('AbortError');
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [{ steps: 0 }, 'params.steps'],
    [{ baseline: 'noise' }, 'params.baseline'],
    [{ blur_sigma: 0 }, 'params.blur_sigma'],
    [{ reduce: 'l2' }, 'params.reduce'],
  ])('bad params %j → ExplainerError on %s', async (params, field) => {
    const error = await rejection(() => integratedGradients.explain({ bundle: linear, image, target: { classIndex: 0, output: 'logit' }, params }));
    expect(error).toBeInstanceOf(ExplainerError);
    expect((error as ExplainerError).field).toBe(field);
  });
});
