/**
 * Ablation-CAM (Desai & Ramaswamy 2020, "Ablation-CAM: Visual Explanations for Deep
 * Convolutional Network via Gradient-free Localization", WACV), as pytorch-grad-cam
 * `AblationCAM` (ablation_cam.py with ablation_layer.py `AblationLayer`):
 *  - channel c of the target layer's output is ablated and the rest of the network re-run on
 *    the cached activations (lib/models/split.ts `head`): S_c = S(A with A_c ablated);
 *  - the ablated value is 0 when min(A) = 0 (post-ReLU layers), else min(A) − 1e7
 *    (pytorch-grad-cam's ABLATION_VALUE, its stated deviation from the paper for layers whose
 *    activations can be negative);
 *  - w_c = (S − S_c) / S (the paper's eq. 2 slope), map = ReLU(Σ_c w_c·A_c).
 * All channels are ablated (`ratio_channels_to_ablate` 1.0, the default); `batchSize` ablated
 * copies per forward pass. S = 0 would divide by zero: that is an ExplainerError.
 */
import * as tf from '@tensorflow/tfjs';
import { ExplainerError } from './types';
import { camExplainer, type CamContext } from './cam-base';

/** pytorch-grad-cam ablation_layer.py `ABLATION_VALUE`. */
export const ABLATION_OFFSET = 1e7;

/** The value an ablated channel takes, from min(A). */
export function ablationValue(activations: Float32Array): number {
  let min = Infinity;
  for (const v of activations) min = Math.min(min, v);
  return min === 0 ? 0 : Math.fround(min - ABLATION_OFFSET);
}

/** n copies of A [1, h, w, c] with channel start + i set to `value` in copy i. */
export function ablatedActivations(activations: tf.Tensor4D, start: number, n: number, value: number): tf.Tensor4D {
  const c = activations.shape[3];
  const mask = tf.oneHot(tf.range(start, start + n, 1, 'int32'), c).toFloat().reshape([n, 1, 1, c]);
  return activations.mul(tf.scalar(1).sub(mask)).add(mask.mul(value)) as tf.Tensor4D;
}

async function weights(ctx: CamContext): Promise<Float64Array> {
  if (ctx.score === 0) throw new ExplainerError(ctx.method, 'score', `the target ${ctx.output} of class ${ctx.classIndex} is 0; Ablation-CAM divides by it`);
  const value = ablationValue(ctx.activations);
  const ablated = await ctx.scoreActivations(ctx.channels, (start, n, a) => ablatedActivations(a, start, n, value));
  return ablated.map((s) => (ctx.score - s) / ctx.score);
}

export const ablationCam = camExplainer({
  name: 'ablationcam',
  description: 'Ablation-CAM (Desai & Ramaswamy 2020): relative drop of the score when each channel is ablated',
  defaults: {},
  needsGradients: false,
  weights,
});
