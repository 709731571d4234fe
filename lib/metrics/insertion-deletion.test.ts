import { describe, expect, it } from 'vitest';
import {
  deletionCurve,
  insertionCurve,
  insertionDeletion,
  riseBlur,
  riseBlurKernel,
  salientOrder,
  type ModelImage,
  type ScoreBatch,
} from './insertion-deletion';
import type { Grid } from './types';

/** W×H×1 image with values 1..N (all non-zero, all distinct). */
function ramp(width: number, height: number, channels = 1): ModelImage {
  const data = Float32Array.from({ length: width * height * channels }, (_, i) => i + 1);
  return { width, height, channels, data };
}

/**
 * Toy model: p = Σ w over pixels still equal (all channels) to the original, divided by Σ w.
 * Output [p, 1 − p]. With w = 1 the curve is the kept-pixel fraction.
 */
function keptModel(original: ModelImage, w?: Float64Array): { model: ScoreBatch; calls: number[]; seen: Float32Array[] } {
  const n = original.width * original.height;
  const weights = w ?? new Float64Array(n).fill(1);
  const total = weights.reduce((a, b) => a + b, 0);
  const calls: number[] = [];
  const seen: Float32Array[] = [];
  const model: ScoreBatch = async (batch) => {
    calls.push(batch.length);
    return batch.map((img) => {
      seen.push(img);
      let kept = 0;
      for (let i = 0; i < n; i++) {
        let same = true;
        for (let c = 0; c < original.channels; c++) same &&= img[i * original.channels + c] === original.data[i * original.channels + c];
        if (same) kept += weights[i] as number;
      }
      const p = kept / total;
      return Float32Array.from([p, 1 - p]);
    });
  };
  return { model, calls, seen };
}

const grid = (width: number, values: number[]): Grid => ({ width, height: values.length / width, data: Float64Array.from(values) });

describe('riseBlurKernel (RISE gkern(11, 5): scipy gaussian_filter of a delta, mode reflect)', () => {
  // Independent derivation: w(o) = exp(-o²/50) / Σ_{|o|<=20} exp(-o²/50). With 'reflect' on 11
  // samples, the centre (5) receives taps o = 0, ±11; the border sample (0) receives o = 5, 6, 16, 17
  // (5+o or o ≡ 5, 16 mod 22). The 2-D kernel is the outer product of that 1-D response.
  const z = Array.from({ length: 41 }, (_, i) => Math.exp(-((i - 20) ** 2) / 50)).reduce((a, b) => a + b, 0);
  const w = (o: number) => Math.exp(-(o * o) / 50) / z;
  const centre = w(0) + 2 * w(11);
  const border = w(5) + w(6) + w(16) + w(17);
  const k = riseBlurKernel();

  it('matches the hand-derived folded Gaussian', () => {
    expect(k.length).toBe(121);
    expect(k[5 * 11 + 5]).toBe(Math.fround(centre * centre));
    expect(k[0]).toBe(Math.fround(border * border));
    expect(k[5]).toBe(Math.fround(border * centre));
  });

  it('matches scipy 1.17.1 (python: gaussian_filter(delta11, 5)[5,5] = 0.008832628216191647)', () => {
    expect(Math.abs((k[60] as number) - 0.008832628216191647)).toBeLessThan(1e-9);
    expect(Math.abs((k[0] as number) - 0.007736635408576913)).toBeLessThan(1e-9);
  });

  it('sums to 1 (reflect keeps the mass), is symmetric, and is NOT a truncated Gaussian', () => {
    expect(k.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    for (let r = 0; r < 11; r++) for (let c = 0; c < 11; c++) expect(k[r * 11 + c]).toBe(k[c * 11 + r]);
    // A plain σ=5 Gaussian truncated to 11×11 has centre/corner ratio exp(50/50) = e; gkern's is ~1.14.
    expect((k[60] as number) / (k[0] as number)).toBeLessThan(1.2);
  });
});

describe('riseBlur', () => {
  it('is a zero-padded correlation with the kernel', () => {
    const data = new Float32Array(15 * 15);
    data[7 * 15 + 7] = 1;
    const out = riseBlur({ width: 15, height: 15, channels: 1, data });
    const k = riseBlurKernel();
    expect(out[7 * 15 + 7]).toBe(k[60]);
    expect(out[2 * 15 + 2]).toBe(k[0]);
    expect(out[1 * 15 + 7]).toBe(0); // 6 rows away: outside the 11×11 window
    // Constant image: interior keeps the value, a corner sees only a 6×6 quarter of the kernel.
    const flat = riseBlur({ width: 15, height: 15, channels: 2, data: new Float32Array(450).fill(2) });
    expect(flat[(7 * 15 + 7) * 2 + 1]).toBeCloseTo(2, 5);
    let quarter = 0;
    for (let r = 5; r < 11; r++) for (let c = 5; c < 11; c++) quarter += k[r * 11 + c] as number;
    expect(flat[0]).toBeCloseTo(2 * quarter, 6);
  });
});

describe('salientOrder', () => {
  it('descending saliency, ties by ascending pixel index (RISE np.flip(argsort) would reverse them)', () => {
    expect(Array.from(salientOrder(grid(5, [1, 3, 3, 0, 3])))).toEqual([1, 2, 4, 0, 3]);
  });
});

describe('deletion and insertion with a toy model', () => {
  it('deletion curve is the kept fraction; step 5 does not divide 12 pixels', async () => {
    const image = ramp(4, 3);
    const { model } = keptModel(image);
    const r = await deletionCurve(image, grid(4, Array.from({ length: 12 }, (_, i) => 12 - i)), model, { step: 5 });
    // n = ceil(12/5) = 3 steps, 4 scores: 12, 7, 2, 0 pixels kept.
    expect(Array.from(r.curve)).toEqual([1, 7 / 12, 2 / 12, 0].map(Math.fround));
    expect(r.auc).toBeCloseTo((Math.fround(1) / 2 + Math.fround(7 / 12) + Math.fround(2 / 12)) / 3, 7);
    expect(r.classIndex).toBe(0);
  });

  it('the order follows the saliency and ties go by ascending index', async () => {
    const image = ramp(4, 1);
    const w = Float64Array.from([0.1, 0.2, 0.3, 0.4]);
    const { model } = keptModel(image, w);
    // Saliency ties pixels 0 and 1 (first) and 2 and 3: the stable order is 0, 1, 2, 3.
    const r = await deletionCurve(image, grid(4, [1, 1, 0, 0]), model, { step: 1 });
    expect(Array.from(r.curve)).toEqual([1, 0.9, 0.7, 0.4, 0].map((v) => Math.fround(v)));
    // RISE's reversed ties (1, 0, 3, 2) would give 1, 0.8, 0.7, 0.3, 0.
  });

  it('deletion substrate: a constant or an image replaces the deleted pixels', async () => {
    const image = ramp(3, 1, 2);
    const { model, seen } = keptModel(image);
    await deletionCurve(image, grid(3, [3, 2, 1]), model, { step: 1, substrate: -7 });
    expect(Array.from(seen[1] as Float32Array)).toEqual([-7, -7, 3, 4, 5, 6]);
    const zero = keptModel(image);
    await deletionCurve(image, grid(3, [3, 2, 1]), zero.model, { step: 2 });
    expect(Array.from(zero.seen[1] as Float32Array)).toEqual([0, 0, 0, 0, 5, 6]);
  });

  it('insertion starts from the RISE blur by default and ends on the image', async () => {
    const image = ramp(6, 5);
    const { model, seen } = keptModel(image);
    const r = await insertionCurve(image, grid(6, Array.from({ length: 30 }, (_, i) => i)), model, { classIndex: 0 });
    expect(Array.from(seen[0] as Float32Array)).toEqual(Array.from(riseBlur(image)));
    expect(r.curve.length).toBe(6); // step = width = 6, 30 pixels
    expect(r.curve[5]).toBe(1);
    // Pixels inserted highest saliency first: the last row (indices 24..29) first.
    expect(Array.from((seen[1] as Float32Array).slice(24))).toEqual([25, 26, 27, 28, 29, 30]);
  });

  it('insertionDeletion: class from the original image, batching does not change the curves', async () => {
    const image = ramp(4, 3);
    const saliency = grid(4, Array.from({ length: 12 }, (_, i) => (i * 5) % 12));
    const insertionSubstrate = new Float32Array(12).fill(-1);
    const a = keptModel(image);
    const r = await insertionDeletion(image, saliency, a.model, { step: 3, batchSize: 3, insertionSubstrate });
    expect(r.classIndex).toBe(0);
    expect(r.step).toBe(3);
    expect(Array.from(r.deletion.curve)).toEqual([1, 0.75, 0.5, 0.25, 0]);
    expect(Array.from(r.insertion.curve)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(r.deletion.auc).toBeCloseTo(0.5, 12);
    expect(r.insertion.auc).toBeCloseTo(0.5, 12);
    expect(a.calls).toEqual([3, 2, 3, 2]);
    const b = keptModel(image);
    const one = await insertionDeletion(image, saliency, b.model, { step: 3, batchSize: 16, insertionSubstrate });
    expect(b.calls).toEqual([5, 5]);
    expect(one).toEqual(r);
    // The other class scores 1 − p.
    const c = await insertionDeletion(image, saliency, keptModel(image).model, { step: 3, classIndex: 1, insertionSubstrate });
    expect(Array.from(c.deletion.curve)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('reports progress and does not modify its inputs', async () => {
    const image = ramp(4, 2);
    const saliency = grid(4, [8, 7, 6, 5, 4, 3, 2, 1]);
    const before = Float32Array.from(image.data);
    const progress: [number, number][] = [];
    await insertionDeletion(image, saliency, keptModel(image).model, { step: 4, batchSize: 2, onProgress: (d, t) => progress.push([d, t]) });
    expect(progress).toEqual([[2, 6], [3, 6], [5, 6], [6, 6]]);
    expect(image.data).toEqual(before);
    expect(Array.from(saliency.data)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it('AbortSignal stops between batches', async () => {
    const image = ramp(4, 4);
    const saliency = grid(4, Array.from({ length: 16 }, (_, i) => i));
    const controller = new AbortController();
    const { model, calls } = keptModel(image);
    const aborting: ScoreBatch = async (batch) => {
      const out = await model(batch);
      controller.abort();
      return out;
    };
    await expect(insertionDeletion(image, saliency, aborting, { step: 1, batchSize: 2, signal: controller.signal })).rejects.toThrow(/abort/i);
    expect(calls).toEqual([2]);
    const pre = keptModel(image);
    await expect(deletionCurve(image, saliency, pre.model, { signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
    expect(pre.calls).toEqual([]);
  });

  it('bad input names the argument', async () => {
    const image = ramp(4, 2);
    const { model } = keptModel(image);
    await expect(insertionDeletion(image, grid(2, [1, 2]), model)).rejects.toThrow(/insertionDeletion: saliency: size 2x1 does not match/);
    await expect(insertionDeletion(image, grid(4, new Array<number>(8).fill(1)), model, { step: 0 })).rejects.toThrow(/insertionDeletion: step/);
    await expect(insertionDeletion(image, grid(4, new Array<number>(8).fill(1)), model, { classIndex: 5 })).rejects.toThrow(/insertionDeletion: classIndex/);
    const short: ScoreBatch = async (batch) => batch.slice(1).map(() => Float32Array.from([1]));
    await expect(insertionDeletion(image, grid(4, new Array<number>(8).fill(1)), short)).rejects.toThrow(/insertionDeletion: scoreBatch: returned/);
    const nan: ScoreBatch = async (batch) => batch.map(() => Float32Array.from([NaN]));
    await expect(insertionDeletion(image, grid(4, new Array<number>(8).fill(1)), nan, { classIndex: 0 })).rejects.toThrow(/insertionDeletion: scoreBatch: .*non-finite/);
    await expect(insertionDeletion({ ...image, data: new Float32Array(3) }, grid(4, new Array<number>(8).fill(1)), model)).rejects.toThrow(/insertionDeletion: image/);
    await expect(insertionDeletion(image, grid(4, new Array<number>(8).fill(1)), model, { insertionSubstrate: new Float32Array(2) })).rejects.toThrow(/insertionDeletion: insertionSubstrate/);
  });
});
