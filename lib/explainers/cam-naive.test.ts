/**
 * The TF.js path (split, gradients, batched passes, upsampling) against the independent plain
 * TypeScript implementation of testing/naive-cnn.ts + naive-cams.ts, on a tiny random network
 * whose head has a 1×1 conv and a skip connection (Add) around the target layer. Agreement to
 * 1e-4 (absolute, maps of order 1) for every CAM method, logit and probability targets.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle-core';
import { initTfNode } from '@/lib/models/tf-node';
import { EXPLAINERS } from './index';
import { probabilities } from './testing/naive-cnn';
import {
  naiveAblationCam, naiveEigenCam, naiveFem, naiveGradCam, naiveGradCamPlusPlus, naiveResizeHalfPixel, naiveScoreCam,
} from './testing/naive-cams';
import { NAIVE_SIZE, naiveInput, naiveTwin, randomImage, toyBundle } from './testing/toy-models';
import type { NaiveNet, Output, Volume } from './testing/naive-cnn';
import type { ExplainerTarget } from './types';

const TOLERANCE = 1e-4;
const IMAGES = [11, 12, 13];

const NAIVE: Record<string, (net: NaiveNet, x: Volume, k: number, output: Output) => number[][]> = {
  gradcam: naiveGradCam,
  gradcampp: naiveGradCamPlusPlus,
  scorecam: naiveScoreCam,
  ablationcam: naiveAblationCam,
  fem: (net, x) => naiveFem(net, x, 2),
  eigencam: (net, x) => naiveEigenCam(net, x),
};

let bundle: ModelBundle;
let net: NaiveNet;

beforeAll(async () => {
  await initTfNode('wasm');
  const twin = naiveTwin(23);
  net = twin.net;
  bundle = toyBundle(twin.model, 'features');
});

afterAll(() => bundle.dispose());

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs((a[i] as number) - (b[i] as number)));
  return d;
}

describe('every CAM method agrees with the naive implementation to 1e-4', () => {
  it('the naive network is the TF.js network (probabilities)', () => {
    for (const seed of IMAGES) {
      const image = randomImage(seed);
      const tfProbs = tf.tidy(() => bundle.forward(tf.tensor4d(Float32Array.from(naiveInput(image).data), [1, 8, 8, 3]), 'probability').dataSync());
      expect(maxAbsDiff(tfProbs, probabilities(net, naiveInput(image)))).toBeLessThan(1e-6);
    }
  });

  const cases = Object.keys(NAIVE).flatMap((method) => (['logit', 'probability'] as const).map((output) => [method, output] as const));
  it.each(cases)('%s, target %s', async (method, output) => {
    const explainer = EXPLAINERS[method];
    if (explainer === undefined) throw new Error(`${method} is not registered`);
    const naive = NAIVE[method] as (typeof NAIVE)[string];
    let nonTrivial = 0;
    for (const seed of IMAGES) {
      const image = randomImage(seed);
      const x = naiveInput(image);
      for (const classIndex of [0, 1, 2]) {
        const target: ExplainerTarget = { classIndex, output };
        const result = await explainer.explain({ bundle, image, target, batchSize: 2 });
        const expectedRaw = naive(net, x, classIndex, output);
        expect(result.raw?.width).toBe(4);
        expect(result.raw?.height).toBe(4);
        expect(result.layer).toBe('features');
        expect(result.classIndex).toBe(classIndex);
        const raw = result.raw?.data ?? new Float32Array();
        expect(maxAbsDiff(raw, expectedRaw.flat())).toBeLessThan(TOLERANCE);
        const expectedMap = naiveResizeHalfPixel(expectedRaw, NAIVE_SIZE, NAIVE_SIZE).flat();
        expect([result.map.width, result.map.height]).toEqual([NAIVE_SIZE, NAIVE_SIZE]);
        expect(maxAbsDiff(result.map.data, expectedMap)).toBeLessThan(TOLERANCE);
        if (Math.max(...expectedRaw.flat()) > 1e-2) nonTrivial++;
      }
    }
    // The comparison means something: most of the 9 maps are not all zero (ReLU) but of order 1e-2 or more.
    expect(nonTrivial).toBeGreaterThanOrEqual(6);
  });

});
