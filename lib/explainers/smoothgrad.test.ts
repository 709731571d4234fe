import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { gradient } from './gradient';
import { kernelFor, pixelLinearBundle, rejection, removeToyDirs, rgbaImage, smallCnnBundle } from './input-toys.test-util';
import { smoothGrad } from './smoothgrad';
import { ExplainerError } from './types';

const H = 6;
const W = 5;
const WEIGHT = (y: number, x: number, c: number) => (y - x + c) / 10;
const image = rgbaImage(W, H, (x, y) => [x * 40, y * 30, 100]);
const cnnImage = rgbaImage(8, 8, (x, y) => [(x * 31 + y * 7) % 256, (x * y * 13) % 256, 255 - x * 20]);
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

describe('smoothgrad', () => {
  it('linear model: the gradient does not depend on the noise, so SmoothGrad = vanilla gradient = max_c |w|', async () => {
    const e = await smoothGrad.explain({ bundle: linear, image, target, params: { n: 7 } });
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(e.map.data[y * W + x]).toBeCloseTo(Math.max(...[0, 1, 2].map((c) => Math.abs(WEIGHT(y, x, c)))), 5);
    // σ = 0.15·(max − min) of the preprocessed input: red reaches 4·40 = 160, the minimum is 0.
    expect(e.extras?.sigma as number).toBeCloseTo(0.15 * (160 / 255), 6);
  });

  it('noise_level 0 on a nonlinear CNN equals the vanilla gradient', async () => {
    const s = await smoothGrad.explain({ bundle: cnn, image: cnnImage, target, params: { n: 3, noise_level: 0 } });
    const g = await gradient.explain({ bundle: cnn, image: cnnImage, target });
    s.map.data.forEach((v, i) => expect(v).toBeCloseTo(g.map.data[i] as number, 5));
  });

  it('averages noisy gradients: differs from the vanilla gradient on the CNN; same seed → same map, other seed → different; no leak', async () => {
    const before = tf.memory().numTensors;
    const a = await smoothGrad.explain({ bundle: cnn, image: cnnImage, target, params: { n: 10 }, seed: 3 });
    const b = await smoothGrad.explain({ bundle: cnn, image: cnnImage, target, params: { n: 10 }, seed: 3 });
    const c = await smoothGrad.explain({ bundle: cnn, image: cnnImage, target, params: { n: 10 }, seed: 4 });
    const g = await gradient.explain({ bundle: cnn, image: cnnImage, target });
    expect(b.map.data).toEqual(a.map.data);
    expect(c.map.data).not.toEqual(a.map.data);
    expect(a.map.data).not.toEqual(g.map.data);
    expect(tf.memory().numTensors).toBe(before);
  });

  it.each([
    [{ n: 0 }, 'params.n'],
    [{ noise_level: -0.1 }, 'params.noise_level'],
    [{ reduce: 'max' }, 'params.reduce'],
  ])('bad params %j → ExplainerError on %s', async (params, field) => {
    const error = await rejection(() => smoothGrad.explain({ bundle: linear, image, target, params }));
    expect(error).toBeInstanceOf(ExplainerError);
    expect((error as ExplainerError).field).toBe(field);
  });
});
