/**
 * Exact answers on a toy CNN: x [4, 4, 3] → A = Conv2D 1×1 (A_0 = R/255, A_1 = G/255) → GAP →
 * logits z_k = Σ_c W[c, k]·mean(A_c), W = [[1, −1], [2, 0.5]] (testing/toy-models.ts linearCam).
 * Image: R = 255 at (x 2, y 1) (position 6); G = 255 at (0, 3) (position 12) and 51 at (0, 0).
 * So A_0 = e_6, A_1 = e_12 + 0.2·e_0, ΣA_0 = 1, ΣA_1 = 1.2, z = [3.4/16, −0.4/16], and
 * dz_k/dA_c(p) = W[c, k]/16 everywhere: every CAM below is derived by hand from these.
 * Feature and input resolution are both 4×4, so `map` equals `raw`.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle-core';
import { initTfNode } from '@/lib/models/tf-node';
import { EXPLAINERS } from './index';
import { LINEAR_CAM_W, linearCam, rgbaImage, toyBundle } from './testing/toy-models';
import type { Explanation, ExplainerTarget, ExplainProgress } from './types';

const W = LINEAR_CAM_W;
const image = rgbaImage(4, 4, (x, y) => [x === 2 && y === 1 ? 255 : 0, x === 0 && y === 3 ? 255 : x === 0 && y === 0 ? 51 : 0, 0]);
const A0 = (p: number): number => (p === 6 ? 1 : 0);
const A1 = (p: number): number => (p === 12 ? 1 : p === 0 ? 0.2 : 0);
const SUM = [1, 1.2];
const z = [3.4 / 16, -0.4 / 16];
const p0 = 1 / (1 + Math.exp(z[1]! - z[0]!));

let bundle: ModelBundle;

beforeAll(async () => {
  await initTfNode('wasm');
  bundle = toyBundle(linearCam());
});
afterAll(() => bundle.dispose());

async function run(method: string, target: ExplainerTarget, params?: Record<string, unknown>, img = image): Promise<Explanation> {
  const explainer = EXPLAINERS[method];
  if (explainer === undefined) throw new Error(`${method} is not registered`);
  return explainer.explain({ bundle, image: img, target, ...(params === undefined ? {} : { params }) });
}

/** ReLU(w_0·A_0 + w_1·A_1) over the 16 positions. */
const camOf = (w0: number, w1: number): number[] => Array.from({ length: 16 }, (_, p) => Math.max(w0 * A0(p) + w1 * A1(p), 0));

function expectMap(result: Explanation, expected: number[]): void {
  expect([result.raw?.width, result.raw?.height]).toEqual([4, 4]);
  expect(result.layer).toBe('conv');
  Array.from(result.raw?.data ?? []).forEach((v, i) => expect(v, `raw[${i}]`).toBeCloseTo(expected[i] as number, 6));
  Array.from(result.map.data).forEach((v, i) => expect(v, `map[${i}]`).toBeCloseTo(expected[i] as number, 6));
}

describe('CAM methods on the toy CNN match their hand-derived maps', () => {
  it('Grad-CAM, logit of class 0 (the prediction): w = W[:, 0]/16; class, score and params reported', async () => {
    const r = await run('gradcam', { classIndex: 'predicted', output: 'logit' });
    expect(r.classIndex).toBe(0);
    expect(r.score).toBeCloseTo(z[0]!, 6);
    expect(r.method).toBe('gradcam');
    expect(r.params).toEqual({});
    expectMap(r, camOf(W[0][0] / 16, W[1][0] / 16));
  });

  it('Grad-CAM, logit of class 1: the negative weight of channel 0 is cut by the ReLU', async () => {
    expectMap(await run('gradcam', { classIndex: 1, output: 'logit' }), camOf(W[0][1] / 16, W[1][1] / 16));
  });

  it('Grad-CAM, probability of class 0: dp0/dA_c = p0·p1·(W[c, 0] − W[c, 1])/16', async () => {
    const r = await run('gradcam', { classIndex: 0, output: 'probability' });
    expect(r.score).toBeCloseTo(p0, 6);
    const k = (p0 * (1 - p0)) / 16;
    expectMap(r, camOf(k * (W[0][0] - W[0][1]), k * (W[1][0] - W[1][1])));
  });

  it('Grad-CAM++ (eq. 19): w_c = 16·α_c·ReLU(g_c), α_c = g²/(2g² + ΣA_c·g³ + 1e-6), g_c = W[c, k]/16', async () => {
    const w = (c: number, k: number): number => {
      const g = (W[c]![k] as number) / 16;
      return g > 0 ? (16 * g * g * g) / (2 * g * g + SUM[c]! * g ** 3 + 1e-6) : 0;
    };
    expectMap(await run('gradcampp', { classIndex: 0, output: 'logit' }), camOf(w(0, 0), w(1, 0)));
    expectMap(await run('gradcampp', { classIndex: 1, output: 'logit' }), camOf(w(0, 1), w(1, 1)));
  });

  it('FEM, k = 2: only the peak of each channel exceeds μ + 2σ; weights are the channel means 1/16 and 1.2/16', async () => {
    const expected = Array.from({ length: 16 }, (_, p) => (p === 6 ? 1 / 16 : p === 12 ? 1.2 / 16 : 0));
    const r = await run('fem', { classIndex: 0, output: 'logit' });
    expect(r.params).toEqual({ k: 2 });
    expectMap(r, expected);
    // k = 0.5: μ_1 + 0.5σ_1 = 0.075 + 0.1218 < 0.2, so position 0 joins channel 1's binary map.
    const low = await run('fem', { classIndex: 0, output: 'logit' }, { k: '0.5' });
    expect(low.params).toEqual({ k: 0.5 });
    expectMap(low, expected.map((v, p) => (p === 0 ? 1.2 / 16 : v)));
  });

  it('Score-CAM: masks A_c/(1 + 1e-8) keep one or two pixels; weights are the softmax of the masked logits', async () => {
    const m = 1 / (1 + 1e-8);
    const s0 = (W[0][0] * m) / 16;
    const s1 = (W[1][0] * (m + 0.2 * 0.2 * m)) / 16;
    const e1 = Math.exp(s1 - s0);
    expectMap(await run('scorecam', { classIndex: 0, output: 'logit' }), camOf(1 / (1 + e1), e1 / (1 + e1)));
  });

  it('Ablation-CAM: min(A) = 0 so channels are zeroed; w_c = (z0 − z0 without c)/z0', async () => {
    const without0 = (W[1][0] * 1.2) / 16;
    const without1 = W[0][0] / 16;
    expectMap(await run('ablationcam', { classIndex: 0, output: 'logit' }), camOf((z[0]! - without0) / z[0]!, (z[0]! - without1) / z[0]!));
  });

  it('Eigen-CAM: with A_1 = 2·A_0 the first component is (1, 2)/√5 and the projection √5·(A_0 − mean)', async () => {
    const one = rgbaImage(4, 4, (x, y) => (x === 2 && y === 1 ? [100, 200, 0] : [0, 0, 0]));
    const a = 100 / 255;
    const expected = Array.from({ length: 16 }, (_, p) => (p === 6 ? Math.sqrt(5) * a * (15 / 16) : 0));
    expectMap(await run('eigencam', { classIndex: 0, output: 'logit' }, undefined, one), expected);
  });

  it('Score-CAM with constant channels: one zero-input pass stands for all of them', async () => {
    // Conv 1×1 with channels R, G, B and an all-zero kernel; Dense(1) with weights 1, 2, 3, 4.
    const input = tf.input({ shape: [4, 4, 3] });
    const conv = tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'rgb0' });
    const dense = tf.layers.dense({ units: 2, name: 'logits' });
    const model = tf.model({ inputs: input, outputs: dense.apply(tf.layers.globalAveragePooling2d({}).apply(conv.apply(input))) as tf.SymbolicTensor });
    tf.tidy(() => {
      conv.setWeights([tf.tensor4d([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], [1, 1, 3, 4]), tf.zeros([4])]);
      dense.setWeights([tf.tensor2d([[1, 0], [2, 0], [3, 0], [4, 0]]), tf.zeros([2])]);
    });
    const four = toyBundle(model);
    try {
      // Only R varies (one pixel of 255): G, B and the zero channel are constant.
      const progress: ExplainProgress[] = [];
      const red = rgbaImage(4, 4, (x, y) => [x === 2 && y === 1 ? 255 : 0, 0, 0]);
      const r = await EXPLAINERS.scorecam!.explain({ bundle: four, image: red, target: { classIndex: 0, output: 'logit' }, onProgress: (p) => progress.push(p) });
      expect(progress).toEqual([{ done: 2, total: 2 }]);
      const sR = 1 / (1 + 1e-8) / 16;
      const wR = Math.exp(sR) / (Math.exp(sR) + 3);
      Array.from(r.raw?.data ?? []).forEach((v, p) => expect(v).toBeCloseTo(p === 6 ? wR : 0, 6));
    } finally {
      four.dispose();
    }
  });
});
