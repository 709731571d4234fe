/**
 * `curvePointsAt` (issue 18): the server's spot checks of a browser curve must score exactly the
 * images the full curve scores at those indices. Checked on a nonlinear toy model (a fixed random
 * projection through a sigmoid: every pixel moves the score), by comparing both the scores and the
 * images handed to the model, for fixed cases and as a fast-check property over sizes, steps,
 * batch sizes and index sets.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { curvePointsAt, deletionCurve, insertionCurve, type ModelImage, type ScoreBatch } from './insertion-deletion';
import type { Grid } from './types';

function toyImage(width: number, height: number, channels: number, seed: number): ModelImage {
  const r = createRandom(seed);
  return { width, height, channels, data: Float32Array.from({ length: width * height * channels }, () => r.next() * 2 - 1) };
}

function toyMap(width: number, height: number, seed: number, levels = 0): Grid {
  const r = createRandom(seed);
  // levels > 0 gives ties (equal saliency values), which take ascending pixel index.
  return { width, height, data: Float64Array.from({ length: width * height }, () => (levels > 0 ? r.int(levels) : r.next())) };
}

/** p = σ(w·x): a model whose score depends on every value; records every image it sees. */
function projectionModel(size: number, seed: number): { model: ScoreBatch; seen: Float32Array[] } {
  const r = createRandom(seed);
  const w = Float64Array.from({ length: size }, () => r.normal());
  const seen: Float32Array[] = [];
  const model: ScoreBatch = async (batch) =>
    batch.map((x) => {
      seen.push(x);
      let s = 0;
      for (let i = 0; i < x.length; i++) s += (w[i] as number) * (x[i] as number);
      const p = 1 / (1 + Math.exp(-s / Math.sqrt(size)));
      return Float32Array.from([p, 1 - p]);
    });
  return { model, seen };
}

describe('curvePointsAt', () => {
  const image = toyImage(7, 5, 3, 1);
  const map = toyMap(7, 5, 2);

  for (const kind of ['deletion', 'insertion'] as const) {
    it(`${kind}: scores and images equal the full curve's at the chosen indices, bit for bit`, async () => {
      const full = projectionModel(image.data.length, 3);
      const curve = kind === 'deletion' ? await deletionCurve(image, map, full.model, { step: 3, classIndex: 0 }) : await insertionCurve(image, map, full.model, { step: 3, classIndex: 0 });
      // classIndex given: no extra pass, so full.seen[i] is the image of curve index i.
      const some = projectionModel(image.data.length, 3);
      const indices = [12, 0, 5, 5, 1, 11];
      const points = await curvePointsAt(kind, image, map, some.model, indices, { step: 3, classIndex: 0, batchSize: 2 });
      expect(Array.from(points.indices)).toEqual([0, 1, 5, 11, 12]);
      expect(points.classIndex).toBe(0);
      points.indices.forEach((i, j) => {
        expect(points.scores[j]).toBe(curve.curve[i]);
        expect(some.seen[j]).toEqual(full.seen[i]);
      });
      expect(some.seen.length).toBe(5);
    });
  }

  it('resolves the class from the original image when none is given (one extra pass), like the full curves', async () => {
    const a = projectionModel(image.data.length, 4);
    const full = await deletionCurve(image, map, a.model, { step: 4 });
    const b = projectionModel(image.data.length, 4);
    const points = await curvePointsAt('insertion', image, map, b.model, [3], { step: 4 });
    expect(points.classIndex).toBe(full.classIndex);
    expect(b.seen.length).toBe(2);
  });

  it('refuses indices outside the curve and an empty index list', async () => {
    const { model } = projectionModel(image.data.length, 5);
    await expect(curvePointsAt('deletion', image, map, model, [13], { step: 3, classIndex: 0 })).rejects.toThrow(/insertionDeletion: indices: 13 is not a curve index \(0\.\.12\)/);
    await expect(curvePointsAt('deletion', image, map, model, [1.5], { step: 3, classIndex: 0 })).rejects.toThrow(/indices/);
    await expect(curvePointsAt('deletion', image, map, model, [], { step: 3, classIndex: 0 })).rejects.toThrow(/no index/);
  });

  it('does not modify the image or the map', async () => {
    const img = toyImage(4, 4, 1, 9);
    const m = toyMap(4, 4, 10);
    const before = [Float32Array.from(img.data), Float64Array.from(m.data)];
    await curvePointsAt('insertion', img, m, projectionModel(16, 1).model, [0, 2, 4], { step: 4, classIndex: 1 });
    expect(img.data).toEqual(before[0]);
    expect(m.data).toEqual(before[1]);
  });

  it('property: any index set, step, batch size and ties gives the full curve at those indices', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          width: fc.integer({ min: 1, max: 6 }),
          height: fc.integer({ min: 1, max: 6 }),
          channels: fc.integer({ min: 1, max: 3 }),
          step: fc.integer({ min: 1, max: 9 }),
          batchSize: fc.integer({ min: 1, max: 5 }),
          levels: fc.integer({ min: 0, max: 3 }),
          seed: fc.integer({ min: 0, max: 1000 }),
          picks: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
          kind: fc.constantFrom('deletion' as const, 'insertion' as const),
        }),
        async ({ width, height, channels, step, batchSize, levels, seed, picks, kind }) => {
          const img = toyImage(width, height, channels, seed);
          const m = toyMap(width, height, seed + 1, levels);
          const steps = Math.ceil((width * height) / step);
          const indices = picks.map((p) => Math.min(steps, Math.floor(p * (steps + 1))));
          const full = projectionModel(img.data.length, seed + 2);
          const run = kind === 'deletion' ? deletionCurve : insertionCurve;
          const curve = await run(img, m, full.model, { step, classIndex: 1, batchSize: 3 });
          const points = await curvePointsAt(kind, img, m, projectionModel(img.data.length, seed + 2).model, indices, { step, classIndex: 1, batchSize });
          points.indices.forEach((i, j) => expect(points.scores[j]).toBe(curve.curve[i]));
          expect(new Set(points.indices)).toEqual(new Set(indices));
        },
      ),
      { numRuns: 150 },
    );
  });
});
