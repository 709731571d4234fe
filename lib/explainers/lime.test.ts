import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { graphBundle, kernelFor, pixelLinearBundle, rejection, removeToyDirs, rgbaImage } from './input-toys.test-util';
import { lime, limeSampleWeight, limeSegmentValues } from './lime';
import { ExplainerError, type ExplainOptions, type Explanation } from './types';

const S = 32;
/** Flat quadrants: red (top left), blue (top right), green (bottom left), yellow. */
const quadrants = rgbaImage(S, S, (x, y) => (x < 16 ? (y < 16 ? [255, 0, 0] : [0, 255, 0]) : y < 16 ? [0, 0, 255] : [255, 255, 0]));
/** Class-0 logit = mean blue value over the top-right quadrant (x/255 inputs). */
const TOP_RIGHT_BLUE = (y: number, x: number, c: number) => (y < 16 && x >= 16 && c === 2 ? 1 / 256 : 0);
let model: ModelBundle;

beforeAll(async () => {
  await initTfNode('wasm');
  model = await pixelLinearBundle(S, S, kernelFor(S, S, TOP_RIGHT_BLUE), [0, 0]);
});

afterAll(async () => {
  model.dispose();
  await removeToyDirs();
});

const run = (params: Record<string, unknown>, extra: Partial<ExplainOptions> = {}) =>
  lime.explain({ bundle: model, image: quadrants, target: { classIndex: 0, output: 'logit' }, params: { num_samples: 300, ...params }, seed: 5, batchSize: 50, ...extra });

const weightsOf = (e: Explanation) => e.extras?.weights as number[];
const segmentAt = (e: Explanation, x: number, y: number) => (e.extras?.segments as { labels: Int32Array }).labels[y * S + x] as number;

describe('limeSampleWeight (cosine distance to the all-ones row, kernel sqrt(exp(−d²/w²)))', () => {
  it('all on → 1; a quarter on → d = 1/2 → e^−2 at width 0.25; all off → d = 1 → e^−8', () => {
    expect(limeSampleWeight(8, 8, 0.25)).toBe(1);
    expect(limeSampleWeight(2, 8, 0.25)).toBeCloseTo(Math.exp(-2), 12);
    expect(limeSampleWeight(0, 8, 0.25)).toBeCloseTo(Math.exp(-8), 12);
  });
});

describe('limeSegmentValues (get_image_and_mask selection)', () => {
  const w = Float64Array.from([0.5, -2, 0.1, 0.3, 0]);
  it('positive_only: the num_features largest positive weights keep their value, the rest 0', () => {
    expect(Array.from(limeSegmentValues(w, 'top', true, 2))).toEqual([0.5, 0, 0, 0.3, 0]);
    expect(Array.from(limeSegmentValues(w, 'top', true, 15))).toEqual([0.5, 0, 0.1, 0.3, 0]);
  });
  it('positive_only false: the largest |weight| with their sign; map "weights": every weight', () => {
    expect(Array.from(limeSegmentValues(w, 'top', false, 2))).toEqual([0.5, -2, 0, 0, 0]);
    expect(Array.from(limeSegmentValues(w, 'weights', true, 1))).toEqual(Array.from(w));
  });
});

describe('lime', () => {
  it('the model reads one quadrant: that superpixel gets the top weight (≈ 1, shrunk by α), the others ≈ 0', async () => {
    const e = await run({ hide_color: 'constant', hide_value: 0 });
    expect(e.extras?.numSegments).toBe(4);
    const w = weightsOf(e);
    const target = segmentAt(e, 20, 4);
    expect(w[target]).toBeGreaterThan(0.95);
    w.forEach((v, s) => s !== target && expect(Math.abs(v)).toBeLessThan(0.05));
    // Row 0 is the unmodified image: the surrogate's prediction there is close to f(x) = 1.
    expect(e.score).toBeCloseTo(1, 5);
    expect(e.extras?.localPrediction as number).toBeCloseTo(1, 1);
    expect(e.extras?.r2 as number).toBeGreaterThan(0.99);
    // Map 'top' (positive_only, 15 features): every pixel shows its segment's positive weight or 0.
    const value = e.map.data[4 * S + 20] as number;
    expect(value).toBeCloseTo(w[target] as number, 5);
    e.map.data.forEach((v, p) => {
      const s = (e.extras?.segments as { labels: Int32Array }).labels[p] as number;
      expect(v).toBeCloseTo(Math.max(w[s] as number, 0), 6);
    });
  });

  it('SLIC superpixels (n_segments 4) find the same quadrant', async () => {
    const e = await run({ segmentation: 'slic', n_segments: 4, hide_color: 'constant' });
    expect(e.extras?.numSegments).toBe(4);
    const w = weightsOf(e);
    expect(w.indexOf(Math.max(...w))).toBe(segmentAt(e, 20, 4));
  });

  it('hide colour "mean" (default): the superpixel whose pixels differ from its mean where the model looks gets the top weight', async () => {
    // Top-right quadrant: blue with its left half brighter; the model reads only that half, so
    // replacing the superpixel by its mean colour lowers the score.
    const image = rgbaImage(S, S, (x, y) => (y < 16 && x >= 16 ? [0, 0, x < 24 ? 255 : 215] : x < 16 && y < 16 ? [255, 0, 0] : [0, 255, 0]));
    const half = await pixelLinearBundle(S, S, kernelFor(S, S, (y, x, c) => (y < 16 && x >= 16 && x < 24 && c === 2 ? 1 / 128 : 0)), [0, 0]);
    try {
      const e = await lime.explain({ bundle: half, image, target: { classIndex: 0, output: 'logit' }, params: { num_samples: 200 }, seed: 1 });
      expect(e.params.hide_color).toBe('mean');
      const w = weightsOf(e);
      const target = segmentAt(e, 18, 4);
      expect(w.indexOf(Math.max(...w))).toBe(target);
      expect(w[target]).toBeGreaterThan(0);
    } finally {
      half.dispose();
    }
  });

  it('map "weights" paints every superpixel with its signed weight', async () => {
    const e = await run({ hide_color: 'constant', map: 'weights' });
    const w = weightsOf(e);
    e.map.data.forEach((v, p) => expect(v).toBeCloseTo(w[(e.extras?.segments as { labels: Int32Array }).labels[p] as number] as number, 6));
  });

  it('same seed → identical map; another seed → different weights; no tensor leak', async () => {
    const before = tf.memory().numTensors;
    const a = await run({ hide_color: 'constant', map: 'weights' });
    const b = await run({ hide_color: 'constant', map: 'weights' });
    const c = await run({ hide_color: 'constant', map: 'weights' }, { seed: 6 });
    expect(b.map.data).toEqual(a.map.data);
    expect(weightsOf(c)).not.toEqual(weightsOf(a));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports progress per batch and aborts with an AbortError', async () => {
    const seen: number[] = [];
    await run({ hide_color: 'constant' }, { onProgress: (p) => seen.push(p.done) });
    expect(seen).toEqual([50, 100, 150, 200, 250, 300]);
    const controller = new AbortController();
    const error = await rejection(() => run({}, { signal: controller.signal, onProgress: () => controller.abort() }));
    expect(error.name).toBe('AbortError');
  });

  it('works on a GraphModel', async () => {
    const graph = await graphBundle(8, 2);
    try {
      const e = await lime.explain({ bundle: graph, image: rgbaImage(8, 8, (x) => (x < 4 ? [255, 0, 0] : [0, 0, 255])), target: { classIndex: 0, output: 'probability' }, params: { num_samples: 20, hide_color: 'constant' } });
      expect(e.map.data.every(Number.isFinite)).toBe(true);
      expect(weightsOf(e)).toHaveLength(e.extras?.numSegments as number);
    } finally {
      graph.dispose();
    }
  });

  it.each([
    [{ num_samples: 0 }, 'params.num_samples'],
    [{ segmentation: 'felzenszwalb' }, 'params.segmentation'],
    [{ kernel_size: 0 }, 'params.kernel_size'],
    [{ kernel_width: 0 }, 'params.kernel_width'],
    [{ hide_color: 'blue' }, 'params.hide_color'],
    [{ hide_color: 'constant', hide_value: 300 }, 'params.hide_value'],
    [{ map: 'mask' }, 'params.map'],
    [{ num_features: 0 }, 'params.num_features'],
    [{ positive_only: 'yes' }, 'params.positive_only'],
    [{ superpixels: 10 }, 'params.superpixels'],
  ])('bad params %j → ExplainerError on %s', async (params, field) => {
    const error = await rejection(() => run(params));
    expect(error).toBeInstanceOf(ExplainerError);
    expect((error as ExplainerError).field).toBe(field);
  });
});
