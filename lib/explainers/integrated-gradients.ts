/**
 * Integrated Gradients (Sundararajan, Taly & Yan 2017, "Axiomatic Attribution for Deep
 * Networks", ICML), eq. 1 and its Riemann approximation (§5):
 *   IG_i(x) = (x_i − x′_i) · ∫₀¹ ∂S(x′ + α(x − x′))/∂x_i dα
 * The integral is the trapezoid rule over `steps` intervals (α = k/steps, k = 0..steps, end
 * points weighted ½): steps + 1 gradient evaluations, error O(1/steps²) — Captum's
 * 'riemann_trapezoid'; PAIR-code/saliency uses a plain mean over α = linspace(0, 1, steps).
 * Completeness (Σ_i IG_i = S(x) − S(x′)) holds up to that error; `extras` reports both sides.
 * Baseline (gradient-base.ts): 'black' (default; the black picture after preprocessing, not a
 * zero tensor) or 'blurred' (Gaussian, `blur_sigma` px; Sturmfels, Lundberg & Lee 2020, Distill,
 * "Visualizing the Impact of Feature Attribution Baselines").
 * Map: attributions summed over channels, `reduce: 'sum-abs'` (default, |IG| per channel) or
 * 'sum' (signed; its total is the completeness sum), or 'max-abs'. LayersModel only.
 */
import { createRandom } from '@/lib/random';
import { baselineMaker, forEachGradient } from './gradient-base';
import { checkChoice, checkNumber, finiteMap, prepareInput, reduceChannels, CHANNEL_REDUCES, type InputMethodSpec } from './input-base';
import type { Explainer, ExplainOptions, Explanation } from './types';

const spec: InputMethodSpec = {
  name: 'integratedgradients',
  needsLayersModel: true,
  defaults: { steps: 50, baseline: 'black', blur_sigma: 20, reduce: 'sum-abs' },
};

async function explain(options: ExplainOptions): Promise<Explanation> {
  const ctx = await prepareInput(spec, options);
  const { method, params, input, size } = ctx;
  const steps = checkNumber(method, params, 'steps', 1, 100_000, true);
  const kind = checkChoice(method, params, 'baseline', ['black', 'blurred'] as const);
  const blurSigma = checkNumber(method, params, 'blur_sigma', 1e-3, 1e4);
  const reduce = checkChoice(method, params, 'reduce', CHANNEL_REDUCES);
  const baseline = baselineMaker(ctx, blurSigma, createRandom(ctx.seed))(kind);
  const avg = new Float64Array(size);
  await forEachGradient(
    ctx,
    steps + 1,
    (k, into) => {
      const a = k / steps;
      for (let i = 0; i < size; i++) into[i] = (baseline[i] as number) + a * ((input[i] as number) - (baseline[i] as number));
    },
    (k, g) => {
      const w = (k === 0 || k === steps ? 0.5 : 1) / steps;
      for (let i = 0; i < size; i++) avg[i] = (avg[i] as number) + w * (g[i] as number);
    },
  );
  const attribution = new Float64Array(size);
  let total = 0;
  for (let i = 0; i < size; i++) {
    attribution[i] = ((input[i] as number) - (baseline[i] as number)) * (avg[i] as number);
    total += attribution[i] as number;
  }
  const [baselineScore] = await ctx.evaluate(baseline, 1);
  return {
    method, params, classIndex: ctx.classIndex, score: ctx.score,
    map: finiteMap(ctx, reduceChannels(attribution, ctx.bundle.channels, reduce)),
    extras: { attributionSum: total, scoreDifference: ctx.score - (baselineScore as number), baselineScore },
  };
}

export const integratedGradients: Explainer = {
  name: spec.name,
  kind: 'gradient',
  description: 'Integrated Gradients (Sundararajan et al. 2017): path integral of gradients from a baseline',
  defaults: spec.defaults,
  needsLayersModel: true,
  explain,
};
