import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle-core';
import { initTfNode } from '@/lib/models/tf-node';
import { EXPLAINERS } from './index';
import { randomizableLayers, SANITY_UNCHANGED_RHO, sanityCheck } from './sanity';
import { naiveTwin, randomImage, toyBundle } from './testing/toy-models';
import { ExplainerError, type Explainer } from './types';

/** Test-only "explainer" that ignores the model: Sobel gradient magnitude of the image's grey levels. */
const edgeDetector: Explainer = {
  name: 'edges',
  kind: 'perturbation',
  description: 'Sobel edges of the image (model-independent, for the sanity check test)',
  defaults: {},
  needsLayersModel: false,
  explain: async ({ image, bundle }) => {
    const { width: w, height: h, rgba } = image;
    const grey = (x: number, y: number): number => {
      const i = (Math.min(Math.max(y, 0), h - 1) * w + Math.min(Math.max(x, 0), w - 1)) * 4;
      return ((rgba[i] as number) + (rgba[i + 1] as number) + (rgba[i + 2] as number)) / 3;
    };
    const data = new Float32Array(w * h);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const gx = grey(x + 1, y - 1) + 2 * grey(x + 1, y) + grey(x + 1, y + 1) - grey(x - 1, y - 1) - 2 * grey(x - 1, y) - grey(x - 1, y + 1);
        const gy = grey(x - 1, y + 1) + 2 * grey(x, y + 1) + grey(x + 1, y + 1) - grey(x - 1, y - 1) - 2 * grey(x, y - 1) - grey(x + 1, y - 1);
        data[y * w + x] = Math.hypot(gx, gy);
      }
    }
    void bundle;
    return { method: 'edges', params: {}, classIndex: 0, score: 0, map: { width: w, height: h, data } };
  },
};

let bundle: ModelBundle;
const image = randomImage(5);

beforeAll(async () => {
  await initTfNode('wasm');
  bundle = toyBundle(naiveTwin(23).model, 'features');
});
afterAll(() => bundle.dispose());

describe('sanityCheck (Adebayo et al. 2018 cascading randomisation)', () => {
  it('lists the layers with kernels from the output down', () => {
    expect(randomizableLayers(bundle.layersModel as tf.LayersModel)).toEqual(['classes', 'head_conv', 'features', 'conv1']);
  });

  it('Grad-CAM changes when the top layers are randomised; the model itself is left as it was', async () => {
    const weightsBefore = (bundle.layersModel as tf.LayersModel).getWeights().map((w) => Array.from(w.dataSync()));
    const numTensors = tf.memory().numTensors;
    const steps: number[] = [];
    const result = await sanityCheck({ explainer: EXPLAINERS.gradcam!, bundle, image, target: { classIndex: 'predicted', output: 'logit' }, layers: 3, seed: 1, onStep: (s) => steps.push(s) });
    expect(steps).toEqual([0, 1, 2, 3]);
    expect(result.steps.map((s) => s.randomized)).toEqual([['classes'], ['classes', 'head_conv'], ['classes', 'head_conv', 'features']]);
    expect(result.flagged).toBe(false);
    expect(result.steps[2]!.spearman).toBeLessThan(SANITY_UNCHANGED_RHO);
    expect(tf.memory().numTensors).toBe(numTensors);
    expect((bundle.layersModel as tf.LayersModel).getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weightsBefore);
    // Same seed, same answer.
    const again = await sanityCheck({ explainer: EXPLAINERS.gradcam!, bundle, image, target: { classIndex: 'predicted', output: 'logit' }, layers: 3, seed: 1 });
    expect(again.steps.map((s) => s.spearman)).toEqual(result.steps.map((s) => s.spearman));
  });

  it('a model-independent edge detector is flagged: ρ = 1 at every step', async () => {
    const result = await sanityCheck({ explainer: edgeDetector, bundle, image, target: { classIndex: 0, output: 'logit' }, layers: 2 });
    expect(result.steps.map((s) => s.spearman)).toEqual([1, 1]);
    expect(result.flagged).toBe(true);
  });

  it('refuses a cascade longer than the layers with weights', async () => {
    const error = await sanityCheck({ explainer: EXPLAINERS.fem!, bundle, image, target: { classIndex: 0, output: 'logit' }, layers: 5 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExplainerError);
    expect((error as Error).message).toMatch(/fem: layers: must be an integer from 1 to 4 \(layers with weights in the model\), got 5/);
  });
});
