/**
 * createModelBundle: the browser's path (a LayersModel loaded by the caller, no files).
 * loadModelBundle's tests (bundle.test.ts) cover the same core through the Node loader.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createModelBundle, ModelBundleError } from './bundle-core';
import { initTfNode } from './tf-node';
import { sumModel, sumModelProbability } from './toy-bundle.test-util';

const CONFIG = { labels: ['zero', 'one'], preprocessing: 'unit' as const, inputSize: [2, 3] as [number, number] };

beforeAll(async () => {
  await initTfNode('wasm');
});

describe('createModelBundle', () => {
  it('wraps an in-memory model: logits via the linear copy (logitsModel), probabilities, and frees everything on dispose', () => {
    const before = tf.memory().numTensors;
    const bundle = createModelBundle(sumModel({ height: 2, width: 3, a: 2 }), CONFIG, { name: 'uploaded.json' });
    expect(bundle.dir).toBe('uploaded.json');
    expect(bundle.configSource).toBe('gazebench.json');
    expect(bundle.logitsModel).toBeDefined();
    tf.tidy(() => {
      const x = tf.fill([1, 2, 3, 3], 0.25) as tf.Tensor4D;
      expect(bundle.forward(x, 'logit').dataSync()[0]).toBeCloseTo(2 * 0.75, 5);
      expect(bundle.forward(x, 'probability').dataSync()[0]).toBeCloseTo(sumModelProbability(2, 0.75), 6);
      expect((bundle.logitsModel?.predict(x) as tf.Tensor).dataSync()[0]).toBeCloseTo(1.5, 5);
    });
    bundle.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a model that outputs logits has no logitsModel; without a config the defaults are inferred and noted', () => {
    const bundle = createModelBundle(sumModel({ height: 2, width: 3, a: 1, activation: 'linear' }), null);
    expect(bundle.dir).toBe('(in-memory model)');
    expect(bundle.logitsModel).toBeUndefined();
    expect(bundle.configSource).toBe('inferred');
    expect(bundle.notes.join(' ')).toMatch(/no gazebench\.json/);
    bundle.dispose();
  });

  it('errors name the field; the model stays usable by the caller', () => {
    const model = sumModel({ height: 2, width: 3, a: 1 });
    expect(() => createModelBundle(model, { ...CONFIG, labels: ['a', 'b', 'c'] }, { name: 'mine' })).toThrow(ModelBundleError);
    expect(() => createModelBundle(model, { ...CONFIG, labels: ['a', 'b', 'c'] }, { name: 'mine' })).toThrow(/model bundle mine: gazebench\.json labels: 3 labels for a model with 2 outputs/);
    expect(() => createModelBundle(model, { ...CONFIG, targetLayer: 'conv' })).toThrow(/targetLayer: no layer named 'conv'/);
    tf.tidy(() => {
      expect((model.predict(tf.zeros([1, 2, 3, 3])) as tf.Tensor).shape).toEqual([1, 2]);
    });
    model.dispose();
  });
});
