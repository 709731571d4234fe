/**
 * Pins the conventions of issue 8 on a toy model whose probability is a closed-form function of
 * the input: p(class 0) = σ(a·Σx / (H·W)) (see lib/models/toy-bundle.test-util.ts). Expected
 * curves are computed here from that formula, independently of lib/metrics' loops.
 */
import { rm } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricError } from '@/lib/metrics/errors';
import { riseBlurKernel } from '@/lib/metrics/insertion-deletion';
import { road } from '@/lib/metrics/road';
import type { Grid } from '@/lib/metrics/types';
import { loadModelBundle, type ModelBundle } from '@/lib/models/bundle';
import { scoreBatchFor } from '@/lib/models/predict';
import { initTfNode } from '@/lib/models/tf-node';
import { saveBundle, sumModel, sumModelProbability } from '@/lib/models/toy-bundle.test-util';
import { evaluateWithoutGroundTruth, type EvaluateInput, type EvaluationProgress } from './evaluate';

const A = 1.5;
const N = 4; // model input N×N
let bundle: ModelBundle;

/** 4×4 RGBA image with distinct, mostly bright values (Σx > 0 after inception scaling). */
const image = {
  width: N,
  height: N,
  rgba: Uint8Array.from({ length: N * N * 4 }, (_, i) => (i % 4 === 3 ? 255 : 60 + ((i * 37) % 190))),
};
/** Model-space input: inception preset, x/127.5 − 1 (no resize: the image is 4×4). */
const x = Float64Array.from({ length: N * N * 3 }, (_, i) => Math.fround((image.rgba[Math.floor(i / 3) * 4 + (i % 3)] as number) / 127.5 - 1));
/** Saliency with distinct values: pixel order 5, 10, 0, 15, ... by a fixed permutation. */
const ranks = [13, 2, 7, 11, 0, 15, 4, 9, 14, 6, 1, 12, 8, 3, 10, 5];
const saliency: Grid = { width: N, height: N, data: Float64Array.from(ranks, (r) => 100 - r) };
const order = ranks.map((r, i) => [r, i] as const).sort((p, q) => p[0] - q[0]).map(([, i]) => i);

/** RISE blur of the model-space input: correlation with gkern(11, 5), zero padding (written out). */
function blurred(): Float64Array {
  const k = riseBlurKernel();
  const out = new Float64Array(x.length);
  for (let y = 0; y < N; y++) for (let xx = 0; xx < N; xx++) for (let c = 0; c < 3; c++) {
    let s = 0;
    for (let v = 0; v < N; v++) for (let u = 0; u < N; u++) s += (k[(v - y + 5) * 11 + (u - xx + 5)] as number) * (x[(v * N + u) * 3 + c] as number);
    out[(y * N + xx) * 3 + c] = Math.fround(s);
  }
  return out;
}

/** Score after the first `changed` pixels of `order` are taken from `to`, the rest from `from`. */
function hand(from: Float64Array, to: Float64Array, step: number, classIndex = 0): number[] {
  const steps = Math.ceil((N * N) / step);
  return Array.from({ length: steps + 1 }, (_, k) => {
    const changed = new Set(order.slice(0, k * step));
    let total = 0;
    for (let p = 0; p < N * N; p++) for (let c = 0; c < 3; c++) total += ((changed.has(p) ? to : from)[p * 3 + c] as number);
    const p0 = sumModelProbability(A, total / (N * N));
    return classIndex === 0 ? p0 : 1 - p0;
  });
}

const auc = (s: number[]): number => (s.reduce((a, b) => a + b, 0) - (s[0] as number) / 2 - (s[s.length - 1] as number) / 2) / (s.length - 1);

function expectCurve(actual: { curve: number[]; auc: number } | undefined, expected: number[]): void {
  expect(actual).toBeDefined();
  expect(actual?.curve.length).toBe(expected.length);
  expected.forEach((v, i) => expect(actual?.curve[i]).toBeCloseTo(v, 5));
  expect(actual?.auc).toBeCloseTo(auc(expected), 5);
  expect(actual?.auc).toBeCloseTo(auc(actual?.curve ?? []), 12);
}

const run = (extra: Partial<EvaluateInput> = {}) =>
  evaluateWithoutGroundTruth({ bundle, image, saliency, metrics: ['insertion', 'deletion'], ...extra });

beforeAll(async () => {
  await initTfNode('wasm');
  const dir = await saveBundle(sumModel({ height: N, width: N, a: A }), { labels: ['bright', 'dark'], preprocessing: 'inception', inputSize: [N, N] });
  bundle = await loadModelBundle(dir);
});

afterAll(async () => {
  bundle.dispose();
  await rm(bundle.dir, { recursive: true, force: true });
});

describe('evaluateWithoutGroundTruth: insertion and deletion conventions on the toy model', () => {
  const zeros = new Float64Array(x.length);

  it('default step = input width, predicted class, deletion to model-space zeros, insertion from the blurred input', async () => {
    const r = await run();
    expect(r.step).toBe(N);
    expect(r.classIndex).toBe(0);
    expect(r.label).toBe('bright');
    expectCurve(r.deletion, hand(x, zeros, N));
    expectCurve(r.insertion, hand(blurred(), x, N));
    // Zeros in model space are mid-grey for "inception", not black (x = −1): the last deletion
    // score is σ(0) = 1/2 exactly.
    expect(r.deletion?.curve[N]).toBeCloseTo(0.5, 6);
  });

  it('a step that does not divide H·W gives n = ceil(H·W / step) steps and a partial last step', async () => {
    const r = await run({ step: 3 });
    expect(r.deletion?.curve.length).toBe(7);
    expectCurve(r.deletion, hand(x, zeros, 3));
    expectCurve(r.insertion, hand(blurred(), x, 3));
  });

  it('an explicit class scores that class (1 − σ for class 1)', async () => {
    const r = await run({ classIndex: 1, step: 5 });
    expect(r.classIndex).toBe(1);
    expect(r.label).toBe('dark');
    expectCurve(r.deletion, hand(x, zeros, 5, 1));
    expectCurve(r.insertion, hand(blurred(), x, 5, 1));
  });

  it('one curve alone equals the same curve computed together', async () => {
    const both = await run({ step: 2 });
    const insertion = await run({ step: 2, metrics: ['insertion'] });
    const deletion = await run({ step: 2, metrics: ['deletion'] });
    expect(insertion.deletion).toBeUndefined();
    expect(insertion.insertion).toEqual(both.insertion);
    expect(deletion.insertion).toBeUndefined();
    expect(deletion.deletion).toEqual(both.deletion);
  });

  it('resizes a map of another size to the input size first (bilinear, half-pixel)', async () => {
    // 8×8 map made of 2×2 constant blocks: half-pixel sampling at 2i + 0.5 returns the block value.
    const big: Grid = { width: 2 * N, height: 2 * N, data: Float64Array.from({ length: 64 }, (_, i) => saliency.data[Math.floor(Math.floor(i / 8) / 2) * N + Math.floor((i % 8) / 2)] as number) };
    expect(await run({ saliency: big })).toEqual(await run());
  });

  it('reports progress up to the planned number of forward passes and leaks no tensors', async () => {
    await run(); // warm-up
    const before = tf.memory().numTensors;
    const seen: EvaluationProgress[] = [];
    await run({ metrics: ['insertion', 'deletion', 'road', 'adic'], onProgress: (p) => seen.push(p), batchSize: 3 });
    expect(tf.memory().numTensors).toBe(before);
    const total = 1 + 2 * 5 + (1 + 2 * 9) + 2;
    expect(seen.every((p) => p.total === total)).toBe(true);
    expect(seen.at(-1)?.done).toBe(total);
    for (let i = 1; i < seen.length; i++) expect((seen[i] as EvaluationProgress).done).toBeGreaterThan((seen[i - 1] as EvaluationProgress).done);
    expect(seen.map((p) => p.metric).filter((m, i, all) => all.indexOf(m) === i)).toEqual(['deletion', 'insertion', 'road', 'adic']);
  });
});

describe('evaluateWithoutGroundTruth: ROAD and ADIC', () => {
  it('ADIC: Y on the image, O on the image times the min-max scaled map (model space)', async () => {
    const r = await run({ metrics: ['adic'] });
    const m = Array.from(saliency.data, (v) => (v - 85) / 15); // min 85, max 100
    let total = 0;
    let masked = 0;
    for (let p = 0; p < N * N; p++) for (let c = 0; c < 3; c++) {
      total += x[p * 3 + c] as number;
      masked += Math.fround((x[p * 3 + c] as number) * (m[p] as number));
    }
    const y = sumModelProbability(A, total / 16);
    const o = sumModelProbability(A, masked / 16);
    expect(r.adic?.original).toBeCloseTo(y, 6);
    expect(r.adic?.explained).toBeCloseTo(o, 6);
    expect(r.adic?.drop).toBeCloseTo(Math.max(0, y - o) / y, 6);
    expect(r.adic?.increase).toBe(y < o);
    expect(r.insertion).toBeUndefined();
  });

  it('ROAD: lib/metrics road on the model-space image with the same class, seed 0 by default', async () => {
    const r = await run({ metrics: ['road'], roadPercentiles: [25, 50] });
    const data = Float32Array.from(x);
    const direct = await road({ width: N, height: N, channels: 3, data }, saliency, scoreBatchFor(bundle, { output: 'probability' }), {
      seed: 0,
      percentiles: [25, 50],
      classIndex: 0,
    });
    expect(r.road).toEqual({ percentiles: [25, 50], originalScore: direct.originalScore, morf: Array.from(direct.morf), lerf: Array.from(direct.lerf), combined: direct.combined });
    const seeded = await run({ metrics: ['road'], roadPercentiles: [25, 50], roadSeed: 7 });
    expect(seeded.road?.morf).not.toEqual(r.road?.morf);
  });
});

describe('evaluateWithoutGroundTruth: bad input throws MetricError naming the argument', () => {
  const cases: Array<[string, Partial<EvaluateInput>, string, RegExp]> = [
    ['a map with 0 pixels', { saliency: { width: 0, height: 0, data: new Float64Array(0) } }, 'saliency', /0 pixels/],
    ['NaN in the map', { saliency: { ...saliency, data: Float64Array.from(saliency.data, (v, i) => (i === 6 ? NaN : v)) } }, 'saliency', /non-finite value NaN at index 6/],
    ['step 0', { step: 0 }, 'step', /positive integer, got 0/],
    ['step −4', { step: -4 }, 'step', /positive integer, got -4/],
    ['class out of range', { classIndex: 2 }, 'classIndex', /2 is out of range for a model with 2 classes/],
    ['negative class', { classIndex: -1 }, 'classIndex', /out of range/],
    ['unknown metric', { metrics: ['insertion', 'pointing'] as unknown as EvaluateInput['metrics'] }, 'metrics', /unknown metric 'pointing'/],
    ['no metric', { metrics: [] }, 'metrics', /no metric requested/],
    ['batch size 0', { batchSize: 0 }, 'batchSize', /positive integer/],
  ];
  it.each(cases)('%s', async (_name, extra, argument, pattern) => {
    const error = await run(extra).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(MetricError);
    expect((error as MetricError).argument).toBe(argument);
    expect((error as MetricError).message).toMatch(pattern);
  });

  it('an aborted signal stops the run', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(run({ signal: controller.signal })).rejects.toThrow('stop');
  });
});
