/**
 * Grad-CAM (Selvaraju, Cogswell, Das, Vedantam, Parikh & Batra 2017, "Grad-CAM: Visual
 * Explanations from Deep Networks via Gradient-based Localization", ICCV), eq. 1–2:
 *   w_c = (1/Z) Σ_ij ∂S/∂A_c(i,j),   map = ReLU(Σ_c w_c·A_c).
 * Matches pytorch-grad-cam `GradCAM.get_cam_weights` (grad_cam.py: mean of the gradients over
 * the spatial axes). The target S is explicit: the logit (the paper's y^c, pytorch-grad-cam's
 * `ClassifierOutputTarget`) or the probability (`ClassifierOutputSoftmaxTarget`). Plumbing,
 * ReLU and upsampling: cam-base.ts.
 */
import { camExplainer, type CamContext } from './cam-base';

/** w_c = mean over positions of dS/dA_c; `gradients` HWC. */
export function gradCamWeights(gradients: Float32Array, channels: number): Float64Array {
  const positions = gradients.length / channels;
  const w = new Float64Array(channels);
  for (let p = 0; p < positions; p++) for (let c = 0; c < channels; c++) w[c] = (w[c] as number) + (gradients[p * channels + c] as number);
  for (let c = 0; c < channels; c++) w[c] = (w[c] as number) / positions;
  return w;
}

export const gradCam = camExplainer({
  name: 'gradcam',
  description: 'Grad-CAM (Selvaraju et al. 2017): channels weighted by their mean gradient',
  defaults: {},
  needsGradients: true,
  weights: (ctx: CamContext) => gradCamWeights(ctx.gradients as Float32Array, ctx.channels),
});
