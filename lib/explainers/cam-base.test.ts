/**
 * The CAM plumbing: no tensor leaks (success, error and abort), batching, progress, abort, the
 * layer choice, and bad input named by field.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle-core';
import { initTfNode } from '@/lib/models/tf-node';
import { sumModel } from '@/lib/models/toy-bundle.test-util';
import { EXPLAINERS, explainerNames, getExplainer } from './index';
import { naiveTwin, randomImage, toyBundle } from './testing/toy-models';
import { ExplainerError, type ExplainOptions, type ExplainProgress } from './types';

let bundle: ModelBundle;
const image = randomImage(3);
const CAMS = ['gradcam', 'gradcampp', 'scorecam', 'ablationcam', 'fem', 'eigencam'];

beforeAll(async () => {
  await initTfNode('wasm');
  bundle = toyBundle(naiveTwin(23).model, 'features');
});
afterAll(() => bundle.dispose());

const options = (extra: Partial<ExplainOptions> = {}): ExplainOptions => ({ bundle, image, target: { classIndex: 'predicted', output: 'logit' }, ...extra });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(() => null, (e: unknown) => e);
}

describe('registry', () => {
  it('has every CAM method; getExplainer names the registered methods for an unknown one', () => {
    for (const name of CAMS) {
      expect(getExplainer(name).name).toBe(name);
      expect(getExplainer(name).kind).toBe('cam');
      expect(getExplainer(name).needsLayersModel).toBe(true);
    }
    expect(explainerNames()).toEqual(expect.arrayContaining(CAMS));
    expect(() => getExplainer('gradcam2')).toThrow(ExplainerError);
    expect(() => getExplainer('gradcam2')).toThrow(/gradcam2: method: unknown method \(available: gradcam, gradcampp, scorecam/);
  });
});

describe('tensors, batches, progress, abort', () => {
  it.each(CAMS)('%s: tf.memory().numTensors is unchanged, and the same call gives the identical map', async (name) => {
    const explainer = EXPLAINERS[name]!;
    await explainer.explain(options()); // warm-up (kernels may cache constants)
    const before = tf.memory().numTensors;
    const a = await explainer.explain(options({ batchSize: 3 }));
    const b = await explainer.explain(options({ batchSize: 3 }));
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(a.map.data)).toEqual(Array.from(b.map.data));
  });

  it('Score-CAM and Ablation-CAM: batch size does not change the map; progress counts channels', async () => {
    for (const name of ['scorecam', 'ablationcam']) {
      const progress: ExplainProgress[] = [];
      const one = await EXPLAINERS[name]!.explain(options({ batchSize: 1 }));
      const batched = await EXPLAINERS[name]!.explain(options({ batchSize: 2, onProgress: (p) => progress.push(p) }));
      expect(progress).toEqual([{ done: 2, total: 5 }, { done: 4, total: 5 }, { done: 5, total: 5 }]);
      Array.from(one.map.data).forEach((v, i) => expect(batched.map.data[i]).toBeCloseTo(v, 6));
    }
  });

  it('gradient methods report one unit of progress', async () => {
    const progress: ExplainProgress[] = [];
    await EXPLAINERS.gradcam!.explain(options({ onProgress: (p) => progress.push(p) }));
    expect(progress).toEqual([{ done: 1, total: 1 }]);
  });

  it('an AbortSignal stops Score-CAM between batches with an AbortError, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const progress: number[] = [];
    const error = await rejection(
      EXPLAINERS.scorecam!.explain(options({ batchSize: 1, signal: controller.signal, onProgress: (p) => (progress.push(p.done), p.done === 2 && controller.abort()) })),
    );
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(progress).toEqual([1, 2]);
    expect(tf.memory().numTensors).toBe(before);
    const already = new AbortController();
    already.abort();
    expect(((await rejection(EXPLAINERS.gradcam!.explain(options({ signal: already.signal })))) as Error).name).toBe('AbortError');
  });
});

describe('the layer', () => {
  it('options.layer overrides gazebench.json targetLayer; without either the last conv-like layer is used', async () => {
    expect((await EXPLAINERS.gradcam!.explain(options())).layer).toBe('features');
    const r = await EXPLAINERS.gradcam!.explain(options({ layer: 'conv1' }));
    expect(r.layer).toBe('conv1');
    expect([r.raw?.width, r.raw?.height]).toEqual([8, 8]);
    const auto = toyBundle(naiveTwin(23).model);
    try {
      expect((await EXPLAINERS.fem!.explain({ ...options(), bundle: auto })).layer).toBe('head_relu');
    } finally {
      auto.dispose();
    }
  });
});

describe('bad input: an ExplainerError naming the field, no tensors left', () => {
  const cases: Array<[string, string, Partial<ExplainOptions>, RegExp]> = [
    ['gradcam', 'classIndex', { target: { classIndex: 3, output: 'logit' } }, /gradcam: classIndex: 3 is out of range for a model with 3 classes/],
    ['scorecam', 'classIndex', { target: { classIndex: -1, output: 'probability' } }, /-1 is out of range/],
    ['fem', 'classIndex', { target: { classIndex: 1.5, output: 'logit' } }, /1\.5 is out of range/],
    ['gradcam', 'target.output', { target: { classIndex: 0, output: 'softmax' as 'logit' } }, /expected 'logit' or 'probability', got "softmax"/],
    ['gradcam', 'layer', { layer: 'conv7' }, /no layer named 'conv7' in the model \(layers with 4-D outputs near the output: conv1, features, head_conv, head_add, head_relu\)/],
    ['ablationcam', 'layer', { layer: 'gap' }, /layer 'gap' \(GlobalAveragePooling2D\) outputs shape \[null,5\], not a 4-D NHWC activation/],
    ['gradcam', 'params.k', { params: { k: 2 } }, /gradcam: params\.k: unknown parameter \(this method takes none\)/],
    ['fem', 'params.sigma', { params: { sigma: 2 } }, /fem: params\.sigma: unknown parameter \(accepted: k\)/],
    ['fem', 'params.k', { params: { k: 'two' } }, /fem: params\.k: expected a finite number, got "two"/],
    ['fem', 'params.k', { params: { k: -1 } }, /fem: params\.k: must be non-negative, got -1/],
    ['scorecam', 'batchSize', { batchSize: 0 }, /scorecam: batchSize: must be a positive integer, got 0/],
    ['gradcam', 'image', { image: { width: 8, height: 8, rgba: new Uint8Array(10) } }, /gradcam: image: .*rgba has 10 bytes, expected 8x8x4 = 256/],
  ];
  it.each(cases)('%s %s', async (method, field, extra, pattern) => {
    const before = tf.memory().numTensors;
    const error = await rejection(EXPLAINERS[method]!.explain(options(extra)));
    expect(error).toBeInstanceOf(ExplainerError);
    expect((error as ExplainerError).field).toBe(field);
    expect((error as Error).message).toMatch(pattern);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a model without a conv layer, and a graph model without a convolution node, are refused by every CAM method', async () => {
    const flat = toyBundle(sumModel({ height: 8, width: 8, a: 1 }));
    const graph: ModelBundle = { ...bundle, format: 'graph-model', layersModel: undefined };
    try {
      for (const name of CAMS) {
        const noConv = (await rejection(EXPLAINERS[name]!.explain({ ...options(), bundle: flat }))) as ExplainerError;
        expect(noConv.field).toBe('layer');
        expect(noConv.message).toMatch(new RegExp(`^${name}: layer: the model has no convolutional layer with a 4-D \\(NHWC\\) output, so CAM methods cannot be used`));
        const forwardOnly = (await rejection(EXPLAINERS[name]!.explain({ ...options(), bundle: graph }))) as ExplainerError;
        expect(forwardOnly.field).toBe('layer');
        expect(forwardOnly.message).toMatch(new RegExp(`^${name}: layer: the graph has no convolution node with a 4-D \\(NHWC\\) output`));
      }
    } finally {
      flat.dispose();
    }
  });
});
