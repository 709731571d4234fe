import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelBundle, type ModelBundle } from './bundle';
import { predictClass, scoreBatchFor } from './predict';
import { initTfNode } from './tf-node';
import { saveBundle, sumModel, sumModelProbability } from './toy-bundle.test-util';

const A = 1.5;
const H = 2;
const W = 3;
let bundle: ModelBundle;
let dir: string;

/** HWC input whose values sum to `total` (S = total / (H·W)). */
function inputWithSum(total: number): Float32Array {
  const x = new Float32Array(H * W * 3);
  x[0] = total;
  return x;
}

beforeAll(async () => {
  await initTfNode('wasm');
  dir = await saveBundle(sumModel({ height: H, width: W, a: A }), { labels: ['up', 'down'], preprocessing: 'unit', inputSize: [H, W] });
  bundle = await loadModelBundle(dir);
});

afterAll(async () => {
  bundle.dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('scoreBatchFor', () => {
  const totals = [0, 1, -2, 3, 4.5, -6, 12];

  it('returns σ(a·S) (probability) and [a·S, 0] (logit) per input, in order', async () => {
    const probability = await scoreBatchFor(bundle, { output: 'probability' })(totals.map(inputWithSum));
    const logit = await scoreBatchFor(bundle, { output: 'logit' })(totals.map(inputWithSum));
    totals.forEach((t, i) => {
      const s = t / (H * W);
      expect(probability[i]?.[0]).toBeCloseTo(sumModelProbability(A, s), 6);
      expect(probability[i]?.[1]).toBeCloseTo(1 - sumModelProbability(A, s), 6);
      expect(logit[i]?.[0]).toBeCloseTo(A * s, 5);
      expect(logit[i]?.[1]).toBe(0);
    });
  });

  it('makes one forward pass per chunk of batchSize and gives the same scores as batch 1', async () => {
    const sizes: number[] = [];
    const spy: ModelBundle = {
      ...bundle,
      forwardAsync: (x, output) => {
        sizes.push(x.shape[0]);
        return bundle.forwardAsync(x, output);
      },
    };
    const batched = await scoreBatchFor(spy, { output: 'probability', batchSize: 3 })(totals.map(inputWithSum));
    expect(sizes).toEqual([3, 3, 1]);
    const single = await scoreBatchFor(bundle, { output: 'probability', batchSize: 1 })(totals.map(inputWithSum));
    expect(batched).toEqual(single);
  });

  it('leaves tf.memory().numTensors unchanged, and its inputs unmodified', async () => {
    const score = scoreBatchFor(bundle, { output: 'probability', batchSize: 2 });
    const logits = scoreBatchFor(bundle, { output: 'logit', batchSize: 4 });
    const inputs = totals.map(inputWithSum);
    const copies = inputs.map((x) => Float32Array.from(x));
    await score(inputs.slice(0, 1)); // first call may initialise backend state
    const before = tf.memory().numTensors;
    await score(inputs);
    await logits(inputs);
    expect(tf.memory().numTensors).toBe(before);
    expect(inputs).toEqual(copies);
  });

  it('returns [] for an empty batch and rejects inputs of the wrong size or a bad batchSize', async () => {
    const score = scoreBatchFor(bundle, { output: 'probability' });
    expect(await score([])).toEqual([]);
    await expect(score([inputWithSum(1), new Float32Array(5)])).rejects.toThrow(/input 1 has 5 values, expected 2x3x3 = 18/);
    expect(() => scoreBatchFor(bundle, { output: 'probability', batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});

describe('predictClass', () => {
  /** W×H RGBA image of one grey level. */
  const grey = (v: number) => ({ width: W, height: H, rgba: new Uint8Array(W * H * 4).fill(v) });

  it('arg-max class, its label and softmax probability on the preprocessed image', async () => {
    const p = await predictClass(bundle, grey(51)); // x = 0.2 everywhere → S = 0.6
    expect(p.classIndex).toBe(0);
    expect(p.label).toBe('up');
    expect(p.probability).toBeCloseTo(sumModelProbability(A, 0.6), 6);
    expect(p.probabilities[1]).toBeCloseTo(1 - p.probability, 6);
  });

  it('picks the other class when a·S < 0', async () => {
    const negative = await loadModelBundle(await saveBundle(sumModel({ height: H, width: W, a: -1 }), { labels: ['up', 'down'], preprocessing: 'unit', inputSize: [H, W] }));
    try {
      const p = await predictClass(negative, grey(255)); // S = 3 → logits [−3, 0]
      expect(p.classIndex).toBe(1);
      expect(p.label).toBe('down');
      expect(p.probability).toBeCloseTo(1 - sumModelProbability(-1, 3), 6);
    } finally {
      negative.dispose();
      await rm(negative.dir, { recursive: true, force: true });
    }
  });

  it('resizes the image to the input size first (a 6×4 image of one grey level gives the same answer)', async () => {
    const big = { width: 6, height: 4, rgba: new Uint8Array(6 * 4 * 4).fill(51) };
    const p = await predictClass(bundle, big);
    expect(p.probability).toBeCloseTo(sumModelProbability(A, 0.6), 6);
  });
});
