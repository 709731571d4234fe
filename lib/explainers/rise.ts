/**
 * RISE (Petsiuk, Das & Saenko 2018, "RISE: Randomized Input Sampling for Explanation of
 * Black-box Models", BMVC), eq. 6: saliency S_c(λ) ≈ 1/(E[M]·N) Σ_i f_c(I ⊙ M_i)·M_i(λ), with
 * E[M] = p1. Reference implementation: github.com/eclique/RISE `explanations.py` (class RISE:
 * `generate_masks`, `forward`); the masks are built as there (lib/imaging/rise-masks.ts: s×s
 * Bernoulli(p1) grid, bilinear upsampling to (s+1)·ceil(H/s) as skimage resize(order=1,
 * mode='reflect'), random shift within one cell, crop).
 *
 * Conventions:
 * - Masks multiply the model input after preprocessing, as the reference does (it masks the
 *   normalised tensor): masked pixels go to 0 in input space (`fill: 'zero'`; black for "unit",
 *   grey for "inception", the ImageNet mean colour for the imagenet presets). `fill: 'black'`
 *   blends towards the black image instead (m·x + (1−m)·black).
 * - f_c is the explicit target: the class's probability (the reference's softmax output) or logit.
 * - Seeded (lib/random, mulberry32): same seed → identical map; masks are drawn batch by batch,
 *   never all held in memory. Forward passes only, so GraphModels work.
 * - Presets: "paper" (the defaults: N 4000, s 8, p1 0.5, the paper's ImageNet setting) and
 *   "seed-lab" (the Lab-6 table: low_res_mask_size 8 → s, mask_number 200 → N, threshold 0.4 →
 *   p1 — the lab's `RISE.generate_masks` keeps a cell when `np.random.rand(...) < threshold`,
 *   so threshold is the keep probability; it also divides by Σ_i f_c(I ⊙ M_i) instead of N·p1,
 *   `normalization: 'score-sum'`, which changes the map by a positive constant factor only when
 *   the scores are positive — meant for probabilities; a zero sum gives a zero map).
 */
import { createRandom } from '@/lib/random';
import { riseMaskSampler } from '@/lib/imaging/rise-masks';
import { checkChoice, checkNumber, finiteMap, greyInInputSpace, prepareInput, type InputMethodSpec } from './input-base';
import type { Explainer, ExplainOptions, Explanation } from './types';

const MAX_MASKS = 1_000_000;

const spec: InputMethodSpec = {
  name: 'rise',
  needsLayersModel: false,
  pooled: true,
  defaults: { N: 4000, s: 8, p1: 0.5, fill: 'zero', normalization: 'expectation' },
  presets: {
    paper: { N: 4000, s: 8, p1: 0.5, fill: 'zero', normalization: 'expectation' },
    'seed-lab': { N: 200, s: 8, p1: 0.4, fill: 'zero', normalization: 'score-sum' },
  },
};

async function explain(options: ExplainOptions): Promise<Explanation> {
  const ctx = await prepareInput(spec, options);
  const { method, params, height, width, input } = ctx;
  const N = checkNumber(method, params, 'N', 1, MAX_MASKS, true);
  const s = checkNumber(method, params, 's', 1, Math.max(height, width), true);
  const p1 = checkNumber(method, params, 'p1', Number.MIN_VALUE, 1);
  const fill = checkChoice(method, params, 'fill', ['zero', 'black'] as const);
  const normalization = checkChoice(method, params, 'normalization', ['expectation', 'score-sum'] as const);
  const channels = ctx.bundle.channels;
  const base = fill === 'black' ? greyInInputSpace(ctx.bundle, 0) : new Float32Array(channels);
  const nextMask = riseMaskSampler({ width, height, s, p1 }, createRandom(ctx.seed));
  const pixels = width * height;
  const saliency = new Float64Array(pixels);
  let scoreSum = 0;
  await ctx.batches(N, async (_start, n) => {
    const masks: Float32Array[] = [];
    const packed = new Float32Array(n * ctx.size);
    for (let k = 0; k < n; k++) {
      const m = nextMask();
      masks.push(m);
      const out = packed.subarray(k * ctx.size, (k + 1) * ctx.size);
      for (let c = 0; c < channels; c++) {
        const b = base[c] as number;
        for (let p = 0, i = c; p < pixels; p++, i += channels) {
          const mp = m[p] as number;
          out[i] = mp * (input[i] as number) + (1 - mp) * b;
        }
      }
    }
    const scores = await ctx.evaluate(packed, n);
    masks.forEach((m, k) => {
      const f = scores[k] as number;
      scoreSum += f;
      for (let p = 0; p < pixels; p++) saliency[p] = (saliency[p] as number) + f * (m[p] as number);
    });
  });
  const divisor = normalization === 'expectation' ? N * p1 : scoreSum;
  const data = new Float32Array(pixels);
  for (let p = 0; p < pixels; p++) data[p] = divisor === 0 ? 0 : (saliency[p] as number) / divisor;
  return {
    method, params, classIndex: ctx.classIndex, score: ctx.score,
    map: finiteMap(ctx, data),
    extras: { meanMaskedScore: scoreSum / N },
  };
}

export const rise: Explainer = {
  name: spec.name,
  kind: 'perturbation',
  description: 'RISE (Petsiuk et al. 2018): random masks weighted by the masked score',
  defaults: spec.defaults,
  presets: spec.presets,
  needsLayersModel: false,
  explain,
};
