/**
 * Eigen-CAM (Muhammad & Yeasin 2020, "Eigen-CAM: Class Activation Map using Principal
 * Components", IJCNN): the projection of the activations on their first principal component,
 * as pytorch-grad-cam `EigenCAM` (eigen_cam.py → utils/svd_on_activations.py `get_2d_projection`):
 * M = A reshaped to (positions × channels) with each channel's mean removed, v₁ its first right
 * singular vector, map = ReLU(M·v₁). Gradient-free and class-agnostic.
 * The sign of a singular vector is arbitrary (pytorch-grad-cam keeps LAPACK's); here it is fixed
 * as in the same repository's `get_2d_projection_with_sign_correction` (Seg-Eigen-CAM, Chung &
 * Ying 2025, eq. 13): the projection is negated when |min| > |max|.
 * v₁ comes from power iteration on the smaller Gram matrix (MMᵀ or MᵀM) in float64, from a fixed
 * seeded start, until the direction changes by less than POWER_TOLERANCE.
 */
import { createRandom } from '@/lib/random';
import { camExplainer, type CamContext } from './cam-base';

/** Convergence of power iteration: ‖v_k+1 − v_k‖ (unit vectors). */
export const POWER_TOLERANCE = 1e-12;
export const POWER_MAX_ITERATIONS = 20_000;
const START_SEED = 0x5eed;

/** Top eigenvector of the symmetric positive semi-definite n×n matrix G (row-major); null if G = 0. */
function topEigenvector(G: Float64Array, n: number): Float64Array | null {
  const random = createRandom(START_SEED);
  let v = Float64Array.from({ length: n }, () => random.next() - 0.5);
  for (let it = 0; it < POWER_MAX_ITERATIONS; it++) {
    const next = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += (G[i * n + j] as number) * (v[j] as number);
      next[i] = s;
    }
    const norm = Math.hypot(...next);
    if (norm === 0) return null;
    let change = 0;
    for (let i = 0; i < n; i++) {
      next[i] = (next[i] as number) / norm;
      change += ((next[i] as number) - (v[i] as number)) ** 2;
    }
    v = next;
    if (Math.sqrt(change) < POWER_TOLERANCE) break;
  }
  return v;
}

/** Projection of centred HWC activations on their first principal direction, sign-corrected. */
export function eigenCamMap(activations: Float32Array, channels: number): Float64Array {
  const P = activations.length / channels;
  const C = channels;
  const M = new Float64Array(P * C);
  for (let c = 0; c < C; c++) {
    let mean = 0;
    for (let p = 0; p < P; p++) mean += activations[p * C + c] as number;
    mean /= P;
    for (let p = 0; p < P; p++) M[p * C + c] = (activations[p * C + c] as number) - mean;
  }
  const projection = new Float64Array(P);
  const small = Math.min(P, C);
  const G = new Float64Array(small * small);
  for (let i = 0; i < small; i++) {
    for (let j = i; j < small; j++) {
      let s = 0;
      if (P <= C) for (let c = 0; c < C; c++) s += (M[i * C + c] as number) * (M[j * C + c] as number);
      else for (let p = 0; p < P; p++) s += (M[p * C + i] as number) * (M[p * C + j] as number);
      G[i * small + j] = s;
      G[j * small + i] = s;
    }
  }
  const e = topEigenvector(G, small);
  if (e === null) return projection;
  if (P <= C) {
    // M·v₁ = σ₁·u₁ with u₁ = e and σ₁² = eᵀGe.
    let lambda = 0;
    for (let i = 0; i < P; i++) for (let j = 0; j < P; j++) lambda += (e[i] as number) * (G[i * P + j] as number) * (e[j] as number);
    const sigma = Math.sqrt(Math.max(lambda, 0));
    for (let p = 0; p < P; p++) projection[p] = sigma * (e[p] as number);
  } else {
    for (let p = 0; p < P; p++) {
      let s = 0;
      for (let c = 0; c < C; c++) s += (M[p * C + c] as number) * (e[c] as number);
      projection[p] = s;
    }
  }
  let min = Infinity;
  let max = -Infinity;
  for (const v of projection) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  return Math.abs(min) > Math.abs(max) ? projection.map((v) => -v) : projection;
}

export const eigenCam = camExplainer({
  name: 'eigencam',
  description: 'Eigen-CAM (Muhammad & Yeasin 2020): first principal component of the activations',
  defaults: {},
  needsGradients: false,
  camImage: (ctx: CamContext) => eigenCamMap(ctx.activations, ctx.channels),
});
