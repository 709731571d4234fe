/**
 * Server-side checking of browser curves (issue 18) on the toy sum model (lib/models/toy-bundle):
 * an honest client's curves (computed with evaluate.ts, as the browser worker does) are accepted
 * as sent; a forged point among the sampled ones gets the curve rejected and the server's own full
 * curve stored; a forged point outside the sample passes (the stated limit of sampling, which the
 * detection probability in docs/scoring.md quantifies); the check replays from its stored seed.
 */
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curveAuc } from '@/lib/metrics/curve-auc';
import type { Grid } from '@/lib/metrics/types';
import { loadModelBundle, type ModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { saveBundle, sumModel } from '@/lib/models/toy-bundle.test-util';
import type { ClientCurves } from '@/lib/scoring/client-curves';
import { CURVE_TOLERANCE, sampleCurveIndices } from '@/lib/scoring/curve-check';
import { evaluateWithoutGroundTruth } from './evaluate';
import { verifyClientCurves, type VerifyCurvesInput } from './verify-curves';

const N = 6;
const STEP = 2; // 18 steps, 19 scores, 17 interior points
const K = 4;
const SEED = 'c0ffee00c0ffee00c0ffee00c0ffee00';
let bundle: ModelBundle;
const image = { width: N, height: N, rgba: Uint8Array.from({ length: N * N * 4 }, (_, i) => (i % 4 === 3 ? 255 : 40 + ((i * 53) % 200))) };
const saliency: Grid = { width: N, height: N, data: Float64Array.from({ length: N * N }, (_, i) => (i * 7) % (N * N)) };
let honest: ClientCurves;

beforeAll(async () => {
  await initTfNode('wasm');
  const dir = await saveBundle(sumModel({ height: N, width: N, a: 1.5 }), { labels: ['bright', 'dark'], preprocessing: 'inception', inputSize: [N, N] });
  bundle = await loadModelBundle(dir);
  const r = await evaluateWithoutGroundTruth({ bundle, image, saliency, metrics: ['insertion', 'deletion'], step: STEP });
  honest = { classIndex: r.classIndex, step: STEP, insertion: r.insertion?.curve ?? [], deletion: r.deletion?.curve ?? [] };
});

afterAll(async () => {
  bundle.dispose();
  await rm(bundle.dir, { recursive: true, force: true });
});

const verify = (client: ClientCurves, extra: Partial<VerifyCurvesInput> = {}) =>
  verifyClientCurves({ bundle, image, saliency, client, step: STEP, samples: K, tolerance: CURVE_TOLERANCE, seed: SEED, ...extra });

/** The client's curve with point `i` moved by `by` (kept in [0, 1]). */
function forge(curve: readonly number[], i: number, by: number): number[] {
  return curve.map((v, j) => (j === i ? Math.min(1, Math.max(0, v + (v + by > 1 ? -by : by))) : v));
}

describe('verifyClientCurves', () => {
  it('accepts an honest client: the stored curves are the client\'s, the AUC the server\'s of them, checked at k + 2 points', async () => {
    const before = tf.memory().numTensors;
    const r = await verify(honest);
    expect(tf.memory().numTensors).toBe(before);
    for (const kind of ['insertion', 'deletion'] as const) {
      const c = r[kind];
      expect(c.source).toBe('client-verified');
      expect(c.curve).toEqual(honest[kind]);
      expect(c.auc).toBe(curveAuc(honest[kind]));
      expect(c.check.indices).toEqual(sampleCurveIndices(SEED, kind, 18, K));
      expect(c.check.indices.length).toBe(K + 2);
      expect(c.check.maxDiff).toBeLessThanOrEqual(CURVE_TOLERANCE);
      expect(c.check).toMatchObject({ seed: SEED, k: K, tolerance: CURVE_TOLERANCE });
      expect(c.check.reason).toBeUndefined();
      // Same backend, same code path: the sampled points are the honest curve's, exactly.
      c.check.indices.forEach((i, j) => expect(c.check.server[j]).toBe(honest[kind][i]));
    }
  });

  it('rejects a curve forged at a sampled point and stores the server\'s full curve', async () => {
    const sampled = sampleCurveIndices(SEED, 'insertion', 18, K);
    const target = sampled[2] as number;
    const forged = { ...honest, insertion: forge(honest.insertion, target, 0.3) };
    const r = await verify(forged);
    expect(r.insertion.source).toBe('client-rejected');
    expect(r.insertion.curve).toEqual(honest.insertion);
    expect(r.insertion.auc).toBe(curveAuc(honest.insertion));
    expect(r.insertion.check.worstIndex).toBe(target);
    expect(r.insertion.check.reason).toMatch(new RegExp(`point ${target} differs by 0\\.300 > τ = 0\\.001`));
    expect(r.deletion.source).toBe('client-verified');
  });

  it('a rejected deletion curve gets the insertion curve recomputed too; an endpoint is always checked', async () => {
    const r = await verify({ ...honest, deletion: forge(honest.deletion, 18, 0.01) });
    expect(r.deletion.source).toBe('client-rejected');
    expect(r.deletion.check.worstIndex).toBe(18);
    expect(r.insertion.source).toBe('client-rejected');
    expect(r.insertion.check.reason).toMatch(/deletion curve of this map was rejected/);
    expect(r.insertion.curve).toEqual(honest.insertion);
  });

  it('a point outside the sample is not seen (the limit that k buys down); the stored seed replays the same check', async () => {
    const sampled = new Set(sampleCurveIndices(SEED, 'deletion', 18, K));
    const unseen = Array.from({ length: 17 }, (_, i) => i + 1).find((i) => !sampled.has(i)) as number;
    const r = await verify({ ...honest, deletion: forge(honest.deletion, unseen, 0.3) });
    expect(r.deletion.source).toBe('client-verified');
    const again = await verify({ ...honest, deletion: forge(honest.deletion, unseen, 0.3) }, { seed: r.deletion.check.seed });
    expect(again.deletion.check).toEqual(r.deletion.check);
    // Checking every interior point (k ≥ n − 1) catches it.
    expect((await verify({ ...honest, deletion: forge(honest.deletion, unseen, 0.3) }, { samples: 17 })).deletion.source).toBe('client-rejected');
  });

  it('a client class or step other than the server\'s is rejected without sampling; both curves recomputed', async () => {
    const r = await verify({ ...honest, classIndex: 1 - honest.classIndex });
    for (const kind of ['insertion', 'deletion'] as const) {
      expect(r[kind]).toMatchObject({ source: 'client-rejected', curve: honest[kind] });
      expect(r[kind].check.reason).toMatch(/class 1 is not the server's 0|class 0 is not the server's 1/);
      expect(r[kind].check.indices).toEqual([]);
    }
    expect((await verify({ ...honest, step: 3 })).deletion.check.reason).toMatch(/step 3 is not the run's 2/);
  });
});
