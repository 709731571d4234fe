/**
 * GradientSHAP / expected gradients (Lundberg & Lee 2017, "A Unified Approach to Interpreting
 * Model Predictions", NeurIPS — SHAP's `GradientExplainer`; Erion, Janizek, Sturmfels, Lundberg
 * & Lee 2021, "Improving performance of deep learning models with axiomatic attribution priors
 * and expected gradients", Nature Machine Intelligence): Integrated Gradients averaged over a
 * distribution of baselines, estimated by sampling one baseline x′ and one α ~ U(0, 1) per sample:
 *   φ_i = E_{x′, α}[(x_i − x′_i) · ∂S(x′ + α(x − x′))/∂x_i]
 * as Captum `GradientShap.attribute(n_samples, stdevs=0)`. The baseline of each sample is drawn
 * uniformly from the kinds listed in `baselines` (comma-separated: black, blurred, noise; see
 * gradient-base.ts) — the seed-lab poster's "SHAP gradient explainer" had no background set of
 * images, so synthetic baselines stand in for it. n_samples 50. Draw order per sample: the kind,
 * then the noise image if any, then α (lib/random, seeded). Map: `reduce` over channels
 * ('sum-abs' default, 'sum' signed — its total estimates S(x) − E[S(x′)], 'max-abs').
 * LayersModel only.
 */
import { createRandom } from '@/lib/random';
import { baselineMaker, forEachGradient, BASELINE_KINDS, type BaselineKind } from './gradient-base';
import { checkChoice, checkNumber, finiteMap, prepareInput, reduceChannels, CHANNEL_REDUCES, type InputMethodSpec } from './input-base';
import { ExplainerError, type Explainer, type ExplainOptions, type Explanation } from './types';

const spec: InputMethodSpec = {
  name: 'gradientshap',
  needsLayersModel: true,
  defaults: { n_samples: 50, baselines: 'black,blurred,noise', blur_sigma: 20, reduce: 'sum-abs' },
};

function parseKinds(method: string, value: unknown): BaselineKind[] {
  const names = typeof value === 'string' ? value.split(',').map((s) => s.trim()) : [];
  const kinds = names.map((n) => BASELINE_KINDS.find((k) => k === n));
  if (kinds.length === 0 || kinds.some((k) => k === undefined)) {
    throw new ExplainerError(method, 'params.baselines', `expected a comma-separated list of ${BASELINE_KINDS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return kinds as BaselineKind[];
}

async function explain(options: ExplainOptions): Promise<Explanation> {
  const ctx = await prepareInput(spec, options);
  const { method, params, input, size } = ctx;
  const n = checkNumber(method, params, 'n_samples', 1, 100_000, true);
  const kinds = parseKinds(method, params.baselines);
  const blurSigma = checkNumber(method, params, 'blur_sigma', 1e-3, 1e4);
  const reduce = checkChoice(method, params, 'reduce', CHANNEL_REDUCES);
  const random = createRandom(ctx.seed);
  const baselineOf = baselineMaker(ctx, blurSigma, random);
  const difference: Float32Array[] = [];
  const attribution = new Float64Array(size);
  await forEachGradient(
    ctx,
    n,
    (k, into) => {
      const baseline = baselineOf(kinds[random.int(kinds.length)] as BaselineKind);
      const alpha = random.next();
      const diff = new Float32Array(size);
      for (let i = 0; i < size; i++) {
        diff[i] = (input[i] as number) - (baseline[i] as number);
        into[i] = (baseline[i] as number) + alpha * (diff[i] as number);
      }
      difference[k % ctx.batchSize] = diff;
    },
    (k, g) => {
      const diff = difference[k % ctx.batchSize] as Float32Array;
      for (let i = 0; i < size; i++) attribution[i] = (attribution[i] as number) + ((diff[i] as number) * (g[i] as number)) / n;
    },
  );
  return {
    method, params, classIndex: ctx.classIndex, score: ctx.score,
    map: finiteMap(ctx, reduceChannels(attribution, ctx.bundle.channels, reduce)),
  };
}

export const gradientShap: Explainer = {
  name: spec.name,
  kind: 'gradient',
  description: 'GradientSHAP (expected gradients): IG over random baselines and interpolation points',
  defaults: spec.defaults,
  needsLayersModel: true,
  explain,
};
