import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ModelImage, ScoreBatch } from './insertion-deletion';
import { road } from './road';
import { noisyLinearImpute } from './road-imputation';
import type { Grid } from './types';
import { createRandom } from '../random';

const noNoise = createRandom(0);

/** Dense reference: build the reference system (setup_sparse_system) and solve by Gaussian elimination. */
function denseImpute(width: number, height: number, values: number[], removed: number[]): number[] {
  const vars = removed.map((r, i) => (r ? i : -1)).filter((i) => i >= 0);
  const m = vars.length;
  const A = Array.from({ length: m }, () => new Array<number>(m + 1).fill(0));
  vars.forEach((pixel, row) => {
    const x = pixel % width;
    const y = Math.floor(pixel / width);
    let sum = 1;
    for (const [dx, dy, w] of [[1, 1, 1 / 12], [0, 1, 1 / 6], [-1, 1, 1 / 12], [1, -1, 1 / 12], [0, -1, 1 / 6], [-1, -1, 1 / 12], [1, 0, 1 / 6], [-1, 0, 1 / 6]] as const) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) {
        sum -= w;
        continue;
      }
      const q = ny * width + nx;
      const col = vars.indexOf(q);
      if (col >= 0) (A[row] as number[])[col] = w;
      else (A[row] as number[])[m] = ((A[row] as number[])[m] as number) - w * (values[q] as number);
    }
    (A[row] as number[])[row] = -sum;
  });
  for (let c = 0; c < m; c++) {
    let pivot = c;
    for (let r = c + 1; r < m; r++) if (Math.abs((A[r] as number[])[c] as number) > Math.abs((A[pivot] as number[])[c] as number)) pivot = r;
    [A[c], A[pivot]] = [A[pivot] as number[], A[c] as number[]];
    for (let r = 0; r < m; r++) {
      if (r === c) continue;
      const f = ((A[r] as number[])[c] as number) / ((A[c] as number[])[c] as number);
      for (let k = c; k <= m; k++) (A[r] as number[])[k] = ((A[r] as number[])[k] as number) - f * ((A[c] as number[])[k] as number);
    }
  }
  const out = [...values];
  vars.forEach((pixel, row) => (out[pixel] = ((A[row] as number[])[m] as number) / ((A[row] as number[])[row] as number)));
  return out;
}

describe('noisyLinearImpute', () => {
  it('1-D hand case: a hole between known pixels is filled linearly, a hole at the border takes its neighbour', () => {
    const image: ModelImage = { width: 8, height: 1, channels: 1, data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7].map((v) => v / 10)) };
    const hole = noisyLinearImpute(image, Uint8Array.from([0, 0, 0, 1, 1, 0, 0, 0]), 0, noNoise);
    expect(Array.from(hole)).toEqual(Array.from(image.data));
    const border = noisyLinearImpute(image, Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0]), 0, noNoise);
    expect(border[0]).toBeCloseTo(0.2, 6);
    expect(border[1]).toBeCloseTo(0.2, 6);
  });

  it('reproduces a linear image inside an interior hole (weighted mean of a plane is the plane)', () => {
    const width = 9;
    const height = 7;
    const data = Float32Array.from({ length: width * height * 2 }, (_, i) => {
      const p = Math.floor(i / 2);
      return i % 2 === 0 ? 0.1 * (p % width) + 0.05 * Math.floor(p / width) : 1 - 0.02 * (p % width);
    });
    const removed = new Uint8Array(width * height);
    for (let y = 2; y <= 4; y++) for (let x = 2; x <= 6; x++) removed[y * width + x] = 1;
    const out = noisyLinearImpute({ width, height, channels: 2, data }, removed, 0, noNoise);
    for (let i = 0; i < data.length; i++) expect(out[i]).toBeCloseTo(data[i] as number, 6);
  });

  it('equals a dense direct solve of the reference system; known pixels untouched; input not modified', () => {
    const arb = fc.record({
      values: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 30, maxLength: 30 }),
      removed: fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
    });
    fc.assert(
      fc.property(arb, ({ values, removed }) => {
        fc.pre(removed.some((r) => !r));
        const data = Float32Array.from(values);
        const before = Float32Array.from(data);
        const mask = Uint8Array.from(removed.map((r) => (r ? 1 : 0)));
        const out = noisyLinearImpute({ width: 6, height: 5, channels: 1, data }, mask, 0, noNoise);
        expect(data).toEqual(before);
        const expected = denseImpute(6, 5, Array.from(data), Array.from(mask));
        for (let i = 0; i < 30; i++) {
          if (mask[i] === 0) expect(out[i]).toBe(data[i]);
          else expect(out[i]).toBeCloseTo(expected[i] as number, 5);
        }
      }),
      { numRuns: 60 },
    );
  });

  it('large holes (multigrid levels in use): every imputed pixel is the weighted mean of its neighbours', () => {
    const width = 50;
    const height = 40;
    const weightOf = (dx: number, dy: number) => (dx !== 0 && dy !== 0 ? 1 / 12 : 1 / 6);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0.3, max: 0.95, noNaN: true }), (seed, share) => {
        const r = createRandom(seed);
        const data = Float32Array.from({ length: width * height * 2 }, () => r.next());
        const removed = new Uint8Array(width * height);
        const cx = r.int(width);
        const cy = r.int(height);
        for (let i = 0; i < removed.length; i++) {
          const inDisc = Math.hypot((i % width) - cx, Math.floor(i / width) - cy) < 15;
          removed[i] = inDisc || r.next() < share ? 1 : 0;
        }
        fc.pre(removed.includes(0) && removed.reduce((a, b) => a + b, 0) > 400);
        const out = noisyLinearImpute({ width, height, channels: 2, data }, removed, 0, noNoise);
        for (let i = 0; i < removed.length; i++) {
          const x = i % width;
          const y = Math.floor(i / width);
          for (let c = 0; c < 2; c++) {
            if (removed[i] === 0) {
              expect(out[i * 2 + c]).toBe(data[i * 2 + c]);
              continue;
            }
            let sum = 0;
            let total = 0;
            for (let dy = -1; dy <= 1; dy++) {
              for (let dx = -1; dx <= 1; dx++) {
                if ((dx === 0 && dy === 0) || x + dx < 0 || y + dy < 0 || x + dx >= width || y + dy >= height) continue;
                sum += weightOf(dx, dy) * (out[((y + dy) * width + x + dx) * 2 + c] as number);
                total += weightOf(dx, dy);
              }
            }
            expect(Math.abs((out[i * 2 + c] as number) - sum / total)).toBeLessThan(1e-6);
          }
        }
      }),
      { numRuns: 8 },
    );
  });

  it('adds N(0, sd²) noise to imputed pixels only, reproducibly from the seed', () => {
    const n = 64 * 64;
    const image: ModelImage = { width: 64, height: 64, channels: 1, data: new Float32Array(n).fill(0.5) };
    const removed = new Uint8Array(n);
    for (let i = 0; i < n; i += 2) removed[i] = 1;
    const out = noisyLinearImpute(image, removed, 0.01, createRandom(9));
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i += 2) {
      sum += (out[i] as number) - 0.5;
      sq += ((out[i] as number) - 0.5) ** 2;
      expect(out[i + 1]).toBe(0.5);
    }
    const m = n / 2;
    expect(Math.abs(sum / m)).toBeLessThan(0.001);
    expect(Math.sqrt(sq / m)).toBeCloseTo(0.01, 3);
    expect(noisyLinearImpute(image, removed, 0.01, createRandom(9))).toEqual(out);
  });

  it('bad input names the argument', () => {
    const image: ModelImage = { width: 2, height: 1, channels: 1, data: Float32Array.from([1, 2]) };
    expect(() => noisyLinearImpute(image, Uint8Array.from([1, 1]), 0, noNoise)).toThrow(/road: removed: every pixel/);
    expect(() => noisyLinearImpute(image, Uint8Array.from([1]), 0, noNoise)).toThrow(/road: removed: has 1 values/);
    expect(() => noisyLinearImpute(image, Uint8Array.from([1, 0]), -1, noNoise)).toThrow(/road: noiseSd/);
  });
});

describe('road', () => {
  // Toy model: p = mean of the image (values in [0, 1]); output [p, 1 − p].
  const meanModel: ScoreBatch = async (batch) => batch.map((img) => {
    const p = img.reduce((a, b) => a + b, 0) / img.length;
    return Float32Array.from([p, 1 - p]);
  });
  const image: ModelImage = { width: 8, height: 1, channels: 1, data: Float32Array.from([0, 1, 2, 3, 4, 5, 6, 7].map((v) => v / 10)) };
  const saliency: Grid = { width: 8, height: 1, data: Float64Array.from([8, 7, 6, 5, 4, 3, 2, 1]) };

  it('hand case on a 1-D ramp: MoRF, LeRF and the combined score', async () => {
    const r = await road(image, saliency, meanModel, { seed: 1, percentiles: [25, 50], noiseSd: 0 });
    // MoRF 25%: pixels 0,1 -> 0.2 each; 50%: 0..3 -> 0.4. LeRF 25%: 6,7 -> 0.5; 50%: 4..7 -> 0.3.
    expect(r.classIndex).toBe(1); // original mean 0.35 < 0.65
    expect(r.originalScore).toBeCloseTo(0.65, 6);
    expect(r.morf[0]).toBeCloseTo(1 - 3.1 / 8, 6);
    expect(r.morf[1]).toBeCloseTo(1 - 3.8 / 8, 6);
    expect(r.lerf[0]).toBeCloseTo(1 - 2.5 / 8, 6);
    expect(r.lerf[1]).toBeCloseTo(1 - 1.8 / 8, 6);
    // (mean LeRF − mean MoRF) / 2 on the class-1 probabilities: ((0.6875 + 0.775) − (0.6125 + 0.525)) / 4
    expect(r.combined).toBeCloseTo(0.08125, 6);
    const class0 = await road(image, saliency, meanModel, { seed: 1, percentiles: [25, 50], noiseSd: 0, classIndex: 0 });
    expect(class0.combined).toBeCloseTo(-0.08125, 6);
  });

  it('batches the 1 + 2·P images, is reproducible from the seed, and does not modify inputs', async () => {
    const calls: number[] = [];
    const counting: ScoreBatch = async (batch) => {
      calls.push(batch.length);
      return meanModel(batch);
    };
    const before = Float32Array.from(image.data);
    const a = await road(image, saliency, counting, { seed: 4, batchSize: 8 });
    expect(calls).toEqual([8, 8, 3]);
    expect(a.morf.length).toBe(9);
    expect(await road(image, saliency, meanModel, { seed: 4 })).toEqual(a);
    expect(image.data).toEqual(before);
  });

  it('bad input names the argument', async () => {
    await expect(road(image, { width: 4, height: 2, data: new Float64Array(8) }, meanModel, { seed: 1 })).rejects.toThrow(/road: saliency: size/);
    await expect(road(image, saliency, meanModel, { seed: 1, percentiles: [100] })).rejects.toThrow(/road: percentiles/);
    await expect(road(image, saliency, meanModel, { seed: 1, classIndex: 2 })).rejects.toThrow(/road: classIndex/);
    await expect(road(image, saliency, meanModel, { seed: 1, signal: AbortSignal.abort() })).rejects.toThrow(/abort/i);
  });
});
