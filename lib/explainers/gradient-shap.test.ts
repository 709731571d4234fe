import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { gradientShap } from './gradient-shap';
import { integratedGradients } from './integrated-gradients';
import { kernelFor, pixelLinearBundle, rejection, removeToyDirs, rgbaImage, smallCnnBundle } from './input-toys.test-util';
import { ExplainerError } from './types';

const H = 6;
const W = 5;
const WEIGHT = (y: number, x: number, c: number) => (y - x + c + 1) / 10;
const image = rgbaImage(W, H, (x, y) => [x * 40, y * 30, 100]);
const rgb = (y: number, x: number, c: number) => image.rgba[(y * W + x) * 4 + c] as number;
let linear: ModelBundle;
let cnn: ModelBundle;

beforeAll(async () => {
  await initTfNode('wasm');
  linear = await pixelLinearBundle(H, W, kernelFor(H, W, WEIGHT), [0, 0]);
  cnn = await smallCnnBundle(8, 8, 11);
});

afterAll(async () => {
  linear.dispose();
  cnn.dispose();
  await removeToyDirs();
});

const target = { classIndex: 0, output: 'logit' } as const;

describe('gradientshap', () => {
  it('linear model, black baselines only: φ = (x − x′)·w exactly (the gradient is constant, α does not matter)', async () => {
    const e = await gradientShap.explain({ bundle: linear, image, target, params: { baselines: 'black', n_samples: 5, reduce: 'sum' } });
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(e.map.data[y * W + x]).toBeCloseTo([0, 1, 2].reduce((a, c) => a + (rgb(y, x, c) / 255) * WEIGHT(y, x, c), 0), 5);
  });

  it('linear model, noise baselines: E[φ_i] = (x_i − E[x′_i])·w_i = (x_i − 1/2)·w_i up to sampling error', async () => {
    const n = 400;
    const e = await gradientShap.explain({ bundle: linear, image, target, params: { baselines: 'noise', n_samples: n, reduce: 'sum' }, batchSize: 100 });
    // Each term has the sd of a U(0, 1) value (0.29) times |w| ≤ 1, so sd of a pixel's 3-term sum over n ≈ 0.29·1.1/20.
    let worst = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const expected = [0, 1, 2].reduce((a, c) => a + (rgb(y, x, c) / 255 - 0.5) * WEIGHT(y, x, c), 0);
        worst = Math.max(worst, Math.abs((e.map.data[y * W + x] as number) - expected));
      }
    }
    expect(worst).toBeLessThan(0.06);
  });

  it('with the black baseline on a CNN it estimates Integrated Gradients (random α instead of a fixed grid)', async () => {
    const img = rgbaImage(8, 8, (x, y) => [(x * 31 + y * 7) % 256, (x * y * 13) % 256, 255 - x * 20]);
    const shap = await gradientShap.explain({ bundle: cnn, image: img, target, params: { baselines: 'black', n_samples: 300, reduce: 'sum' }, batchSize: 100 });
    const ig = await integratedGradients.explain({ bundle: cnn, image: img, target, params: { reduce: 'sum' } });
    const total = (d: Float32Array) => d.reduce((a, b) => a + b, 0);
    expect(total(shap.map.data)).toBeCloseTo(total(ig.map.data), 1);
  });

  it('seeded: same seed → same map, another seed → different; no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const run = (seed: number) => gradientShap.explain({ bundle: cnn, image: rgbaImage(8, 8, (x) => [x * 30, 50, 0]), target, params: { n_samples: 12 }, seed, batchSize: 5 });
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(b.map.data).toEqual(a.map.data);
    expect(c.map.data).not.toEqual(a.map.data);
    expect(a.params).toEqual({ n_samples: 12, baselines: 'black,blurred,noise', blur_sigma: 20, reduce: 'sum-abs' });
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [{ baselines: 'black,zeros' }, 'params.baselines'],
    [{ baselines: '' }, 'params.baselines'],
    [{ n_samples: 0 }, 'params.n_samples'],
    [{ reduce: 'abs' }, 'params.reduce'],
  ])('bad params %j → ExplainerError on %s', async (params, field) => {
    const error = await rejection(() => gradientShap.explain({ bundle: linear, image, target, params }));
    expect(error).toBeInstanceOf(ExplainerError);
    expect((error as ExplainerError).field).toBe(field);
  });
});
