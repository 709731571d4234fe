/**
 * Grad-CAM++ (Chattopadhay, Sarkar, Howlader & Balasubramanian 2018, "Grad-CAM++: Generalized
 * Gradient-based Visual Explanations for Deep Convolutional Networks", WACV), weights of eq. 19
 * with the exponential-output simplification of eq. 18–19 (higher derivatives as powers of the
 * first), exactly as pytorch-grad-cam `GradCAMPlusPlus.get_cam_weights` (grad_cam_plusplus.py):
 *   α_c(i,j) = g² / (2g² + (Σ_ab A_c(a,b))·g³ + ε),  g = ∂S/∂A_c(i,j),  α = 0 where g = 0,
 *   w_c = Σ_ij α_c(i,j)·ReLU(g),   map = ReLU(Σ_c w_c·A_c).
 * ε = 1e-6 is pytorch-grad-cam's. As there, the powers of the gradient of S stand for those of
 * exp(S) in the paper's derivation whatever the target (logit or probability).
 */
import { camExplainer, type CamContext } from './cam-base';

/** pytorch-grad-cam grad_cam_plusplus.py `eps`. */
export const GRADCAM_PP_EPSILON = 1e-6;

/** Eq. 19 weights from HWC activations and gradients. */
export function gradCamPlusPlusWeights(activations: Float32Array, gradients: Float32Array, channels: number): Float64Array {
  const positions = activations.length / channels;
  const sums = new Float64Array(channels);
  for (let p = 0; p < positions; p++) for (let c = 0; c < channels; c++) sums[c] = (sums[c] as number) + (activations[p * channels + c] as number);
  const w = new Float64Array(channels);
  for (let p = 0; p < positions; p++) {
    for (let c = 0; c < channels; c++) {
      const g = gradients[p * channels + c] as number;
      if (g === 0) continue;
      const g2 = g * g;
      const alpha = g2 / (2 * g2 + (sums[c] as number) * g2 * g + GRADCAM_PP_EPSILON);
      w[c] = (w[c] as number) + alpha * Math.max(g, 0);
    }
  }
  return w;
}

export const gradCamPlusPlus = camExplainer({
  name: 'gradcampp',
  description: 'Grad-CAM++ (Chattopadhay et al. 2018): eq. 19 weights of positive gradients',
  defaults: {},
  needsGradients: true,
  weights: (ctx: CamContext) => gradCamPlusPlusWeights(ctx.activations, ctx.gradients as Float32Array, ctx.channels),
});
