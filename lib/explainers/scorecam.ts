/**
 * Score-CAM (Wang, Wang, Du, Yang, Zhang, Ding, Mardziel & Hu 2020, "Score-CAM: Score-Weighted
 * Visual Explanations for Convolutional Neural Networks", CVPR workshops), as pytorch-grad-cam
 * `ScoreCAM.get_cam_weights` (score_cam.py), which is the variant issue 4 asks for:
 *  1. each channel A_c is upsampled to the input size bilinearly with aligned corners
 *     (torch `UpsamplingBilinear2d`, i.e. align_corners=True — not the half-pixel resize used for
 *     the final map) and min-max scaled: M_c = (U_c − min U_c) / (max U_c − min U_c + 1e-8);
 *  2. the model input (after preprocessing, as pytorch-grad-cam multiplies its normalised input
 *     tensor) is multiplied by M_c and scored: s_c = S(x ⊙ M_c), the target output (logit or
 *     probability of the class);
 *  3. w = softmax over channels of s; map = ReLU(Σ_c w_c·A_c).
 * The paper instead takes the increase in confidence s_c − S(baseline) of a softmax output and
 * normalises with a softmax too; that variant is not implemented. One forward pass per channel,
 * `batchSize` channels per pass (pytorch-grad-cam's BATCH_SIZE, default 16 here as there).
 * Shortcut (exact): a constant channel (often all zeros after a ReLU) has mask 0, so every such
 * channel's masked input is the zero input; it is scored once and shared. Progress counts the
 * forward inputs actually scored.
 */
import * as tf from '@tensorflow/tfjs';
import { camExplainer, type CamContext } from './cam-base';

/** pytorch-grad-cam score_cam.py: `(maxs - mins + 1e-8)`. */
export const SCORECAM_EPSILON = 1e-8;

/** Channels `indices` of A [1, h, w, c] as min-max scaled input masks, times x [1, H, W, 3]. */
export function scoreCamInputs(x: tf.Tensor4D, activations: tf.Tensor4D, indices: readonly number[]): tf.Tensor4D {
  const [, H, W] = x.shape;
  const channels = tf.gather(activations, tf.tensor1d(indices as number[], 'int32'), 3) as tf.Tensor4D;
  const up = tf.image.resizeBilinear(channels, [H, W], true, false);
  const min = up.min([1, 2], true);
  const max = up.max([1, 2], true);
  const scaled = up.sub(min).div(max.sub(min).add(SCORECAM_EPSILON));
  const masks = scaled.transpose([3, 1, 2, 0]) as tf.Tensor4D; // [n, H, W, 1]
  return masks.mul(x);
}

/** softmax(s) in float64 (max subtracted). */
export function softmax(scores: Float64Array): Float64Array {
  let max = -Infinity;
  for (const s of scores) max = Math.max(max, s);
  const e = Float64Array.from(scores, (s) => Math.exp(s - max));
  let sum = 0;
  for (const v of e) sum += v;
  return e.map((v) => v / sum);
}

/** Channels whose activations are not all equal (HWC). */
export function nonConstantChannels(activations: Float32Array, channels: number): boolean[] {
  const varies = new Array<boolean>(channels).fill(false);
  for (let p = channels; p < activations.length; p++) if (activations[p] !== activations[p % channels]) varies[p % channels] = true;
  return varies;
}

async function weights(ctx: CamContext): Promise<Float64Array> {
  const varies = nonConstantChannels(ctx.activations, ctx.channels);
  const scored = varies.flatMap((v, c) => (v ? [c] : []));
  const constant = varies.indexOf(false);
  // One constant channel stands for all of them (its mask, hence its input, is zero).
  const indices = constant < 0 ? scored : [...scored, constant];
  const scores = await ctx.scoreInputs(indices.length, (start, n, x, a) => scoreCamInputs(x, a, indices.slice(start, start + n)));
  const all = new Float64Array(ctx.channels).fill(constant < 0 ? 0 : (scores[scores.length - 1] as number));
  scored.forEach((c, i) => (all[c] = scores[i] as number));
  return softmax(all);
}

export const scoreCam = camExplainer({
  name: 'scorecam',
  description: 'Score-CAM (Wang et al. 2020, pytorch-grad-cam variant): softmax of the scores of channel-masked inputs',
  defaults: {},
  needsGradients: false,
  weights,
});
