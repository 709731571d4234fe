import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { gradient } from './gradient';
import { graphBundle, kernelFor, pixelLinearBundle, rejection, removeToyDirs, rgbaImage } from './input-toys.test-util';
import { ExplainerError } from './types';

const H = 6;
const W = 5;
const WEIGHT = (y: number, x: number, c: number) => (y - x + c) / 10;
const image = rgbaImage(W, H, (x, y) => [x * 40, y * 30, 100]);
let linear: ModelBundle;

beforeAll(async () => {
  await initTfNode('wasm');
  linear = await pixelLinearBundle(H, W, kernelFor(H, W, WEIGHT), [0.5, 0]);
});

afterAll(async () => {
  linear.dispose();
  await removeToyDirs();
});

describe('gradient', () => {
  it('linear model, logit: the gradient is the weight vector; map = max over channels of |w| (and the other reductions)', async () => {
    const maxAbs = await gradient.explain({ bundle: linear, image, target: { classIndex: 0, output: 'logit' } });
    const sum = await gradient.explain({ bundle: linear, image, target: { classIndex: 0, output: 'logit' }, params: { reduce: 'sum' } });
    const sumAbs = await gradient.explain({ bundle: linear, image, target: { classIndex: 0, output: 'logit' }, params: { reduce: 'sum-abs' } });
    expect(maxAbs.params).toEqual({ reduce: 'max-abs' });
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const w = [0, 1, 2].map((c) => WEIGHT(y, x, c));
        expect(maxAbs.map.data[y * W + x]).toBeCloseTo(Math.max(...w.map(Math.abs)), 6);
        expect(sum.map.data[y * W + x]).toBeCloseTo(w[0]! + w[1]! + w[2]!, 6);
        expect(sumAbs.map.data[y * W + x]).toBeCloseTo(w.reduce((a, b) => a + Math.abs(b), 0), 6);
      }
    }
  });

  it('probability target: ∂σ(z0 − z1)/∂x = p(1 − p)·w for the two-class softmax', async () => {
    const e = await gradient.explain({ bundle: linear, image, target: { classIndex: 0, output: 'probability' }, params: { reduce: 'sum' } });
    const p = e.score;
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) expect(e.map.data[y * W + x]).toBeCloseTo(p * (1 - p) * [0, 1, 2].reduce((a, c) => a + WEIGHT(y, x, c), 0), 5);
  });

  it("'predicted' picks the arg-max class and the score is its output on the image; no tensor leak", async () => {
    const before = tf.memory().numTensors;
    const e = await gradient.explain({ bundle: linear, image, target: { classIndex: 'predicted', output: 'logit' } });
    // Class 0 logit = 0.5 + Σ w·x/255 vs class 1 logit 0.
    let z = 0.5;
    const rgba = image.rgba;
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) z += WEIGHT(y, x, c) * (rgba[(y * W + x) * 4 + c] as number) / 255;
    expect(e.classIndex).toBe(z > 0 ? 0 : 1);
    expect(e.score).toBeCloseTo(Math.max(z, 0), 5);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a GraphModel without control flow: tf.grad through model.execute gives the closed form a/(h·w) everywhere', async () => {
    // Logit of class 0 = a·Σ_c mean_HW(x_c), so ∂/∂x = a/(h·w) on every value of the input.
    const graph = await graphBundle(4, 1.5);
    try {
      const before = tf.memory().numTensors;
      const e = await gradient.explain({ bundle: graph, image: rgbaImage(4, 4, () => [1, 2, 3]), target: { classIndex: 0, output: 'logit' }, params: { reduce: 'sum' } });
      for (const v of e.map.data) expect(v).toBeCloseTo((3 * 1.5) / 16, 6);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      graph.dispose();
    }
  });

  it('bad params name the parameter', async () => {
    const e1 = await rejection(() => gradient.explain({ bundle: linear, image, target: { classIndex: 0, output: 'logit' }, params: { reduce: 'mean' } }));
    expect((e1 as ExplainerError).field).toBe('params.reduce');
    const e2 = await rejection(() => gradient.explain({ bundle: linear, image, target: { classIndex: 0, output: 'logit' }, params: { steps: 3 } }));
    expect((e2 as ExplainerError).field).toBe('params.steps');
  });
});
