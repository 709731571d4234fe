import { describe, expect, it } from 'vitest';
import { etaFromDurations, planRequest, RunPlanError, splitRunParams } from './run-plan';

const LABELS = ['circle', 'square', 'triangle'];
const image = { name: 'square_1.png', classLabel: 'square' };

describe('splitRunParams', () => {
  it('takes the reserved seed out of the method parameters, defaulting to 0', () => {
    expect(splitRunParams({ N: 50, s: 8, seed: 7 })).toEqual({ method: { N: 50, s: 8 }, seed: 7 });
    expect(splitRunParams({ N: 50 })).toEqual({ method: { N: 50 }, seed: 0 });
  });

  it('refuses a seed that is not an integer, naming the field', () => {
    for (const seed of [1.5, '3', null, Number.NaN]) {
      expect(() => splitRunParams({ seed })).toThrow(RunPlanError);
      try {
        splitRunParams({ seed });
      } catch (e) {
        expect((e as RunPlanError).field).toBe('params.seed');
      }
    }
  });

  it('does not modify the stored parameters', () => {
    const params = Object.freeze({ N: 10, seed: 3 });
    splitRunParams(params);
    expect(params).toEqual({ N: 10, seed: 3 });
  });
});

describe('planRequest', () => {
  it('sends the method, its parameters without the seed, the seed, and the target', () => {
    expect(planRequest({ explainer: 'rise', params: { N: 20, seed: 4 }, target: { output: 'logit', class: 'predicted' } }, image, LABELS)).toEqual({
      methods: ['rise'],
      params: { rise: { N: 20 } },
      target: { classIndex: 'predicted', output: 'logit' },
      seed: 4,
    });
  });

  it("resolves class 'label' to the index of the image's label, and a fixed index as given", () => {
    expect(planRequest({ explainer: 'gradcam', params: {}, target: { output: 'probability', class: 'label' } }, image, LABELS).target).toEqual({ classIndex: 1, output: 'probability' });
    expect(planRequest({ explainer: 'gradcam', params: {}, target: { class: 2 } }, image, LABELS).target).toEqual({ classIndex: 2, output: 'probability' });
  });

  it('defaults to the predicted class and probability, as POST /api/v1/runs does', () => {
    expect(planRequest({ explainer: 'gradcam', params: {}, target: {} }, image, LABELS).target).toEqual({ classIndex: 'predicted', output: 'probability' });
  });

  it('names the image when its label is missing or not a model class, and refuses bad targets', () => {
    const byLabel = { explainer: 'gradcam', params: {}, target: { class: 'label' } };
    expect(() => planRequest(byLabel, { name: 'x.png', classLabel: null }, LABELS)).toThrow("image 'x.png' has no label");
    expect(() => planRequest(byLabel, { name: 'y.png', classLabel: 'hexagon' }, LABELS)).toThrow("label 'hexagon', which is not one of the model's classes");
    expect(() => planRequest({ explainer: 'gradcam', params: {}, target: { class: 3 } }, image, LABELS)).toThrow(/below 3, got 3/);
    expect(() => planRequest({ explainer: 'gradcam', params: {}, target: { output: 'softmax' } }, image, LABELS)).toThrow(/logit or probability/);
  });
});

describe('etaFromDurations', () => {
  it('is the mean seconds per image of this sitting times the images left', () => {
    expect(etaFromDurations([2, 4], 5)).toBe(15);
    expect(etaFromDurations([1.5], 0)).toBe(0);
  });

  it('is null before the first image, and 0 when nothing is left', () => {
    expect(etaFromDurations([], 3)).toBeNull();
    expect(etaFromDurations([], 0)).toBe(0);
  });
});
