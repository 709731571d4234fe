import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initTfNode } from '@/lib/models/tf-node';
import type { ModelBundle } from '@/lib/models/bundle';
import { graphBundle, kernelFor, pixelLinearBundle, rejection, removeToyDirs, rgbaImage } from './input-toys.test-util';
import { rise } from './rise';
import { ExplainerError, type ExplainOptions } from './types';

const H = 16;
const W = 16;
/** Class 0 logit = mean of channel 0 over the top-left 4×4 block R (x/255 inputs). */
const REGION = (y: number, x: number, c: number) => (y < 4 && x < 4 && c === 0 ? 1 / 16 : 0);
const white = rgbaImage(W, H, () => [255, 255, 255]);
let linear: ModelBundle;
let constant: ModelBundle;

beforeAll(async () => {
  await initTfNode('wasm');
  linear = await pixelLinearBundle(H, W, kernelFor(H, W, REGION), [0, 0]);
  // Zero kernel, bias 3: the class-0 logit is 3 whatever the input.
  constant = await pixelLinearBundle(H, W, new Float32Array(H * W * 3 * 2), [3, 0]);
});

afterAll(async () => {
  linear.dispose();
  constant.dispose();
  await removeToyDirs();
});

const run = (bundle: ModelBundle, params: Record<string, unknown>, extra: Partial<ExplainOptions> = {}) =>
  rise.explain({ bundle, image: white, target: { classIndex: 0, output: 'logit' }, params, seed: 1, batchSize: 64, ...extra });

function mean(data: Float32Array, x0: number, x1: number, y0: number, y1: number): number {
  let s = 0;
  for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) s += data[y * W + x] as number;
  return s / ((x1 - x0) * (y1 - y0));
}

describe('rise', () => {
  it('p1 = 1 keeps every pixel: the map is f(x) everywhere, exactly', async () => {
    const e = await run(linear, { N: 10, s: 4, p1: 1 });
    expect(e.score).toBeCloseTo(1, 6);
    expect(e.map.width).toBe(W);
    expect(e.map.height).toBe(H);
    e.map.data.forEach((v) => expect(v).toBeCloseTo(1, 5));
  });

  it('a constant model: E[map] = f·E[M]/p1 = f; with score-sum normalisation the map is the mean mask ≈ p1', async () => {
    const e = await run(constant, { N: 2000, s: 4, p1: 0.4 });
    expect(mean(e.map.data, 0, W, 0, H)).toBeCloseTo(3, 1);
    const lab = await run(constant, { preset: 'seed-lab', N: 2000, s: 4 });
    expect(lab.params).toMatchObject({ preset: 'seed-lab', N: 2000, s: 4, p1: 0.4, normalization: 'score-sum' });
    expect(mean(lab.map.data, 0, W, 0, H)).toBeCloseTo(0.4, 1);
    // Same seed, same masks: Σf·M/(N·p1) versus Σf·M/Σf = ΣM/N, a factor f/p1 = 7.5 exactly.
    lab.map.data.forEach((v, i) => expect(v * 7.5).toBeCloseTo(e.map.data[i] as number, 4));
  });

  it('model = mean of a region R: saliency concentrates on R; far away it tends to p1·f(x), the value for independent mask pixels', async () => {
    // f(I ⊙ M) = mean_R(M); far from R, M(λ) is independent of M on R, so
    // E[f·M(λ)]/p1 = E[f]·E[M(λ)]/p1 = p1·f(x) (f(x) = 1 here).
    const p1 = 0.5;
    const e = await run(linear, { N: 3000, s: 4, p1 });
    const inside = mean(e.map.data, 0, 4, 0, 4);
    const far = mean(e.map.data, 10, 16, 10, 16);
    expect(far).toBeCloseTo(p1, 1);
    expect(inside).toBeGreaterThan(far + 0.15);
  });

  it('same seed → identical map; another seed → a different map', async () => {
    const a = await run(linear, { N: 50, s: 4 });
    const b = await run(linear, { N: 50, s: 4 });
    const c = await run(linear, { N: 50, s: 4 }, { seed: 2 });
    expect(b.map.data).toEqual(a.map.data);
    expect(c.map.data).not.toEqual(a.map.data);
  });

  it('fill black blends towards the black image: with unit preprocessing it is the same as zero', async () => {
    const a = await run(linear, { N: 20, s: 4, fill: 'black' });
    const b = await run(linear, { N: 20, s: 4, fill: 'zero' });
    expect(a.map.data).toEqual(b.map.data);
  });

  it('reports progress in model evaluations, batch by batch, and frees every tensor', async () => {
    const before = tf.memory().numTensors;
    const seen: Array<[number, number]> = [];
    await run(linear, { N: 130, s: 4 }, { onProgress: (p) => seen.push([p.done, p.total]) });
    expect(seen).toEqual([[64, 130], [128, 130], [130, 130]]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('scores the unmodified image with one forward pass unless a logit target needs the predicted class', async () => {
    const calls: string[] = [];
    const counting: ModelBundle = { ...linear, forwardAsync: (x, output) => (calls.push(output), linear.forwardAsync(x, output)) };
    const cases = [
      [{ classIndex: 'predicted', output: 'probability' }, ['probability', 'probability']],
      [{ classIndex: 0, output: 'logit' }, ['logit', 'logit']],
      [{ classIndex: 'predicted', output: 'logit' }, ['logit', 'probability', 'logit']],
    ] as const;
    for (const [target, expected] of cases) {
      calls.length = 0;
      const counted = await run(counting, { N: 64, s: 4 }, { target });
      expect(calls).toEqual(expected); // the image pass(es), then one batch of 64 masks
      const plain = await run(linear, { N: 64, s: 4 }, { target });
      expect([counted.classIndex, counted.score, counted.map.data]).toEqual([plain.classIndex, plain.score, plain.map.data]);
    }
  });

  it('aborts between batches with an AbortError and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const error = await rejection(() => run(linear, { N: 500, s: 4 }, { signal: controller.signal, onProgress: () => controller.abort() }));
    expect(error.name).toBe('AbortError');
    expect(tf.memory().numTensors).toBe(before);
  });

  it('works on a GraphModel (forward passes only); p1 = 1 gives its score everywhere', async () => {
    const graph = await graphBundle(8, 2);
    try {
      const e = await rise.explain({ bundle: graph, image: rgbaImage(8, 8, () => [255, 0, 0]), target: { classIndex: 0, output: 'probability' }, params: { N: 4, s: 2, p1: 1 } });
      const expected = 1 / (1 + Math.exp(-2));
      expect(e.score).toBeCloseTo(expected, 5);
      e.map.data.forEach((v) => expect(v).toBeCloseTo(expected, 5));
    } finally {
      graph.dispose();
    }
  });

  it.each([
    [{ N: 0 }, 'params.N'],
    [{ N: 2.5 }, 'params.N'],
    [{ s: 0 }, 'params.s'],
    [{ p1: 0 }, 'params.p1'],
    [{ p1: 1.5 }, 'params.p1'],
    [{ fill: 'grey' }, 'params.fill'],
    [{ normalization: 'max' }, 'params.normalization'],
    [{ preset: 'lab7' }, 'params.preset'],
    [{ masks: 10 }, 'params.masks'],
    [{ N: 'many' }, 'params.N'],
  ])('bad params %j → ExplainerError on %s', async (params, field) => {
    const error = await rejection(() => run(linear, params));
    expect(error).toBeInstanceOf(ExplainerError);
    expect((error as ExplainerError).field).toBe(field);
  });

  it('a model with a non-finite output → ExplainerError on "map", never a NaN map', async () => {
    const broken = await pixelLinearBundle(H, W, new Float32Array(H * W * 3 * 2), [NaN, 0]);
    try {
      const error = await rejection(() => run(broken, { N: 4, s: 4 }));
      expect(error).toBeInstanceOf(ExplainerError);
      expect((error as ExplainerError).field).toBe('map');
      expect(error.message).toMatch(/non-finite value NaN at x=0, y=0/);
    } finally {
      broken.dispose();
    }
  });

  it('bad target: class out of range, unknown output', async () => {
    const e1 = await rejection(() => rise.explain({ bundle: linear, image: white, target: { classIndex: 2, output: 'logit' } }));
    expect((e1 as ExplainerError).field).toBe('classIndex');
    const e2 = await rejection(() => rise.explain({ bundle: linear, image: white, target: { classIndex: 0, output: 'odds' as 'logit' } }));
    expect((e2 as ExplainerError).field).toBe('target.output');
  });
});
