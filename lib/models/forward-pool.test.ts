/**
 * The forward pool gives the same results as this thread: same seed → the same RISE and LIME
 * map, the same Score-CAM map, the same insertion/deletion and ROAD curves, bit for bit (the
 * same chunks run on the same wasm binary in another thread). Also: progress still reaches its
 * total, an AbortSignal still stops a run, a pool for another bundle is refused, no tensors leak.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateWithoutGroundTruth } from '@/lib/evaluation/evaluate';
import { getExplainer, type ExplainOptions } from '@/lib/explainers/index';
import { rgbaImage, removeToyDirs, smallCnnBundle } from '@/lib/explainers/input-toys.test-util';
import type { ModelBundle } from './bundle';
import { createForwardPool, poolSizeFromEnv, type ForwardPool } from './forward-pool';
import { initTfNode } from './tf-node';

const SIZE = 24;
let bundle: ModelBundle;
let other: ModelBundle;
let pool: ForwardPool;
const image = rgbaImage(SIZE, SIZE, (x, y) => [(x * 37 + y * 11) % 256, (x * y * 5) % 256, (200 - 7 * y) & 255]);

beforeAll(async () => {
  await initTfNode('wasm');
  bundle = await smallCnnBundle(SIZE, SIZE, 7);
  other = await smallCnnBundle(SIZE, SIZE, 8);
  pool = await createForwardPool({ dir: bundle.dir, size: 2 });
}, 120_000);

afterAll(async () => {
  await pool?.close();
  bundle?.dispose();
  other?.dispose();
  await removeToyDirs();
});

const CASES: Array<{ method: string; options: Partial<ExplainOptions> }> = [
  { method: 'rise', options: { params: { N: 40, s: 4 }, seed: 3, batchSize: 4, target: { classIndex: 'predicted', output: 'probability' } } },
  { method: 'lime', options: { params: { num_samples: 30, segmentation: 'slic', n_segments: 12, map: 'weights' }, seed: 5, batchSize: 4 } },
  { method: 'scorecam', options: { batchSize: 1 } },
];

describe('forward pool', () => {
  it('GAZEBENCH_THREADS: default os.availableParallelism(), a positive integer otherwise', () => {
    expect(poolSizeFromEnv({})).toBeGreaterThanOrEqual(1);
    expect(poolSizeFromEnv({ GAZEBENCH_THREADS: '3' })).toBe(3);
    expect(() => poolSizeFromEnv({ GAZEBENCH_THREADS: '0' })).toThrow(/positive integer/);
  });

  it('forward: the same outputs as this thread, in input order, for a ragged last chunk', async () => {
    const n = 7;
    const packed = Float32Array.from({ length: n * SIZE * SIZE * 3 }, (_, i) => Math.sin(i * 0.01));
    const pooled = await pool.forward(packed.slice(), n, 3, 'logit');
    const chunks: number[] = [];
    for (let s = 0; s < n; s += 3) {
      const m = Math.min(3, n - s);
      const t = tf.tidy(() => bundle.forward(tf.tensor4d(packed.subarray(s * SIZE * SIZE * 3, (s + m) * SIZE * SIZE * 3), [m, SIZE, SIZE, 3]), 'logit'));
      chunks.push(...(await t.data()));
      t.dispose();
    }
    expect(Array.from(pooled)).toEqual(chunks);
  });

  it.each(CASES)('$method: pooled map identical to the in-thread map (same seed)', async ({ method, options }) => {
    const explainer = getExplainer(method);
    const base: ExplainOptions = { bundle, image, target: { classIndex: 'predicted', output: 'logit' }, ...options };
    const before = tf.memory().numTensors;
    const progress: Array<{ done: number; total: number }> = [];
    const alone = await explainer.explain(base);
    const pooled = await explainer.explain({ ...base, pool, onProgress: (p) => progress.push(p) });
    expect(tf.memory().numTensors).toBe(before);
    expect(pooled.classIndex).toBe(alone.classIndex);
    expect(Array.from(pooled.map.data)).toEqual(Array.from(alone.map.data));
    expect(pooled.extras).toEqual(alone.extras);
    expect(Array.from(pooled.map.data).some((v) => v !== 0)).toBe(true);
    expect(progress.at(-1)?.done).toBe(progress.at(-1)?.total);
  });

  it('insertion, deletion and ROAD: pooled curves identical to the in-thread curves', async () => {
    const saliency = { width: SIZE, height: SIZE, data: Float64Array.from({ length: SIZE * SIZE }, (_, i) => ((i * 7919) % 101) / 101) };
    const input = { bundle, image, saliency, metrics: ['insertion', 'deletion', 'road'] as const, step: 16, batchSize: 4, roadSeed: 2 };
    const alone = await evaluateWithoutGroundTruth(input);
    const seen: number[] = [];
    const pooled = await evaluateWithoutGroundTruth({ ...input, pool, onProgress: (p) => seen.push(p.done / p.total) });
    expect(pooled).toEqual(alone);
    expect(alone.insertion?.curve.length).toBe(37);
    expect(seen.at(-1)).toBe(1);
  });

  it('an AbortSignal stops a pooled run with an AbortError', async () => {
    const controller = new AbortController();
    const run = getExplainer('rise').explain({
      bundle, image, target: { classIndex: 0, output: 'logit' }, params: { N: 400, s: 4 }, batchSize: 4, pool, signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a pool loaded from another bundle is refused', async () => {
    await expect(getExplainer('rise').explain({ bundle: other, image, target: { classIndex: 0, output: 'logit' }, params: { N: 8 }, pool })).rejects.toThrow(/forward pool serves/);
  });
});
