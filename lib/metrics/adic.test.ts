import { describe, expect, it } from 'vitest';
import { aggregateDropIncrease, averageDropIncrease, maskImageBySaliency } from './adic';
import type { ModelImage, ScoreBatch } from './insertion-deletion';
import type { Grid } from './types';

const image: ModelImage = { width: 2, height: 1, channels: 2, data: Float32Array.from([1, 1, 1, 1]) };
const saliency: Grid = { width: 2, height: 1, data: Float64Array.from([3, 5]) }; // scaled to [0, 1]

/** Toy model: q = a + b · mean(image); output [q, 1 − q]. */
const linear = (a: number, b: number): ScoreBatch => async (batch) =>
  batch.map((img) => {
    const q = a + b * (img.reduce((s, v) => s + v, 0) / img.length);
    return Float32Array.from([q, 1 - q]);
  });

describe('averageDropIncrease', () => {
  it('masks every channel by the min-max scaled map', () => {
    expect(Array.from(maskImageBySaliency(image, saliency))).toEqual([0, 0, 1, 1]);
  });

  it('hand case: Y = 0.8, O = 0.5 gives drop 0.375 and no increase', async () => {
    const r = await averageDropIncrease(image, saliency, linear(0.2, 0.6));
    expect(r.classIndex).toBe(0);
    expect(r.original).toBeCloseTo(0.8, 6);
    expect(r.explained).toBeCloseTo(0.5, 6);
    expect(r.drop).toBeCloseTo(0.375, 6);
    expect(r.increase).toBe(false);
  });

  it('hand case: confidence rising from 0.2 to 0.5 is an increase with no drop; aggregate ×100', async () => {
    const up = await averageDropIncrease(image, saliency, linear(0.8, -0.6), { classIndex: 0 });
    expect(up.drop).toBe(0);
    expect(up.increase).toBe(true);
    const down = await averageDropIncrease(image, saliency, linear(0.2, 0.6));
    const agg = aggregateDropIncrease([down, up]);
    expect(agg.averageDrop).toBeCloseTo(18.75, 4);
    expect(agg.increaseInConfidence).toBe(50);
  });

  it('does not modify its inputs', async () => {
    await averageDropIncrease(image, saliency, linear(0.2, 0.6));
    expect(Array.from(image.data)).toEqual([1, 1, 1, 1]);
    expect(Array.from(saliency.data)).toEqual([3, 5]);
  });

  it('bad input names the argument', async () => {
    await expect(averageDropIncrease(image, { width: 2, height: 1, data: Float64Array.from([1, 1]) }, linear(0.2, 0.6))).rejects.toThrow(/averageDropIncrease: saliency: constant/);
    await expect(averageDropIncrease(image, { width: 1, height: 2, data: Float64Array.from([1, 2]) }, linear(0.2, 0.6))).rejects.toThrow(/averageDropIncrease: saliency: size/);
    await expect(averageDropIncrease(image, saliency, linear(0, 1), { classIndex: 1 })).rejects.toThrow(/averageDropIncrease: scoreBatch: .*Y > 0/);
    await expect(averageDropIncrease(image, saliency, linear(0.2, 0.6), { classIndex: 3 })).rejects.toThrow(/averageDropIncrease: classIndex/);
    expect(() => aggregateDropIncrease([])).toThrow(/aggregateDropIncrease: results: empty/);
  });
});
