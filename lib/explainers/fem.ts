/**
 * FEM, Feature Explanation Method (Fuad, Martin, Giot, Bourqui, Benois-Pineau & Zemmari 2020,
 * "Features understanding in 3D CNNs for actions recognition in video", IPTA; applied to 2-D
 * CNNs by Ayyar, Benois-Pineau & Zemmari 2021). Gradient-free and class-agnostic: per channel c,
 * the binary map B_c = [A_c > μ_c + k·σ_c] (μ_c, σ_c the spatial mean and population standard
 * deviation, numpy `std` with ddof 0; strict >; k = 2), weighted by the channel mean:
 *   map = Σ_c μ_c·B_c
 * as the authors' code (`compute_binary_maps` + `aggregate_binary_maps`; their final division by
 * the max is the output min-max scaling here). The shared ReLU only matters for layers whose
 * activations can be negative (a negative channel mean).
 * pytorch-grad-cam's `FEM` (fem.py) differs: it weights the activations A_c, not the binary
 * maps, by the fraction of positions above the threshold, mean(B_c), i.e. Σ_c mean(B_c)·A_c.
 */
import { ExplainerError } from './types';
import { camExplainer, type CamContext } from './cam-base';

/** Σ_c μ_c·[A_c > μ_c + kσ_c] over HWC activations. */
export function femMap(activations: Float32Array, channels: number, k: number): Float64Array {
  const positions = activations.length / channels;
  const mean = new Float64Array(channels);
  const sq = new Float64Array(channels);
  for (let p = 0; p < positions; p++) {
    for (let c = 0; c < channels; c++) mean[c] = (mean[c] as number) + (activations[p * channels + c] as number);
  }
  for (let c = 0; c < channels; c++) mean[c] = (mean[c] as number) / positions;
  for (let p = 0; p < positions; p++) {
    for (let c = 0; c < channels; c++) sq[c] = (sq[c] as number) + ((activations[p * channels + c] as number) - (mean[c] as number)) ** 2;
  }
  const threshold = Float64Array.from(mean, (m, c) => m + k * Math.sqrt((sq[c] as number) / positions));
  const out = new Float64Array(positions);
  for (let p = 0; p < positions; p++) {
    let s = 0;
    for (let c = 0; c < channels; c++) if ((activations[p * channels + c] as number) > (threshold[c] as number)) s += mean[c] as number;
    out[p] = s;
  }
  return out;
}

export const fem = camExplainer({
  name: 'fem',
  description: 'FEM (Fuad et al. 2020): k-sigma binary maps of each channel weighted by the channel mean',
  defaults: { k: 2 },
  needsGradients: false,
  checkParams: (params) => {
    if ((params.k as number) < 0) throw new ExplainerError('fem', 'params.k', `must be non-negative, got ${String(params.k)}`);
  },
  camImage: (ctx: CamContext) => femMap(ctx.activations, ctx.channels, ctx.params.k as number),
});
