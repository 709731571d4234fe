/**
 * Vanilla gradient saliency (Simonyan, Vedaldi & Zisserman 2014, "Deep Inside Convolutional
 * Networks: Visualising Image Classification Models and Saliency Maps", ICLR workshop, §3.1):
 * w = ∂S_c/∂I at the image, map M_ij = max_c |w_(i,j,c)| (`reduce: 'max-abs'`, the paper's
 * choice). Alternatives: 'sum-abs' (PAIR-code/saliency `VisualizeImageGrayscale` before its
 * percentile clipping) and 'sum' (signed). S is the explicit target (logit = the paper's
 * unnormalised class score, or probability); I is the preprocessed input (input-base.ts), so the
 * gradient is per unit of the model's input, not of 0–255 pixel values. LayersModel only.
 */
import { forEachGradient } from './gradient-base';
import { checkChoice, finiteMap, prepareInput, reduceChannels, CHANNEL_REDUCES, type InputMethodSpec } from './input-base';
import type { Explainer, ExplainOptions, Explanation } from './types';

const spec: InputMethodSpec = { name: 'gradient', needsLayersModel: true, defaults: { reduce: 'max-abs' } };

async function explain(options: ExplainOptions): Promise<Explanation> {
  const ctx = await prepareInput(spec, options);
  const reduce = checkChoice(ctx.method, ctx.params, 'reduce', CHANNEL_REDUCES);
  let gradient = new Float32Array(ctx.size);
  await forEachGradient(ctx, 1, (_i, into) => into.set(ctx.input), (_i, g) => {
    gradient = g.slice();
  });
  return {
    method: ctx.method, params: ctx.params, classIndex: ctx.classIndex, score: ctx.score,
    map: finiteMap(ctx, reduceChannels(gradient, ctx.bundle.channels, reduce)),
  };
}

export const gradient: Explainer = {
  name: spec.name,
  kind: 'gradient',
  description: 'Gradient (Simonyan et al. 2014): |∂S/∂x|, max over colour channels',
  defaults: spec.defaults,
  needsLayersModel: true,
  explain,
};
