/**
 * SmoothGrad (Smilkov, Thorat, Kim, Viégas & Wattenberg 2017, "SmoothGrad: removing noise by
 * adding noise", ICML workshop), eq. 3: M̂(x) = (1/n) Σ_k ∂S(x + N(0, σ²))/∂x, with
 * σ = noise_level·(max(x) − min(x)) over the (preprocessed) input — the paper's "noise level"
 * (10–20% recommended; 15% here) and PAIR-code/saliency `GetSmoothedMask(stdev_spread=0.15,
 * nsamples)`. n = 50 samples (the paper saw little change beyond 50). The signed gradients are
 * averaged, then reduced over channels as vanilla gradients (`reduce: 'max-abs'`, Simonyan
 * 2014; 'sum-abs' is PAIR's grayscale visualisation). Noise is seeded (lib/random, Box–Muller),
 * one value per input element. LayersModel only.
 */
import { createRandom } from '@/lib/random';
import { forEachGradient } from './gradient-base';
import { checkChoice, checkNumber, finiteMap, prepareInput, reduceChannels, CHANNEL_REDUCES, type InputMethodSpec } from './input-base';
import type { Explainer, ExplainOptions, Explanation } from './types';

const spec: InputMethodSpec = { name: 'smoothgrad', needsLayersModel: true, defaults: { n: 50, noise_level: 0.15, reduce: 'max-abs' } };

async function explain(options: ExplainOptions): Promise<Explanation> {
  const ctx = await prepareInput(spec, options);
  const { method, params, input, size } = ctx;
  const n = checkNumber(method, params, 'n', 1, 100_000, true);
  const noiseLevel = checkNumber(method, params, 'noise_level', 0, 10);
  const reduce = checkChoice(method, params, 'reduce', CHANNEL_REDUCES);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of input) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const sigma = noiseLevel * (hi - lo);
  const random = createRandom(ctx.seed);
  const mean = new Float64Array(size);
  await forEachGradient(
    ctx,
    n,
    (_k, into) => {
      for (let i = 0; i < size; i++) into[i] = (input[i] as number) + sigma * random.normal();
    },
    (_k, g) => {
      for (let i = 0; i < size; i++) mean[i] = (mean[i] as number) + (g[i] as number) / n;
    },
  );
  return {
    method, params, classIndex: ctx.classIndex, score: ctx.score,
    map: finiteMap(ctx, reduceChannels(mean, ctx.bundle.channels, reduce)),
    extras: { sigma },
  };
}

export const smoothGrad: Explainer = {
  name: spec.name,
  kind: 'gradient',
  description: 'SmoothGrad (Smilkov et al. 2017): gradients averaged over noisy copies of the input',
  defaults: spec.defaults,
  needsLayersModel: true,
  explain,
};
