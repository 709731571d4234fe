/**
 * Shared pieces of the input-gradient methods (gradient.ts, integrated-gradients.ts,
 * smoothgrad.ts, gradient-shap.ts): batched gradient evaluation and the baselines.
 *
 * Baselines, all in the model's input space (input-base.ts):
 * - 'black': the black image after preprocessing (0 for "unit", −1 for "inception", −mean/std
 *   for "imagenet-torch", −mean for "imagenet-caffe"), i.e. a black picture, not a zero tensor.
 * - 'blurred': the input blurred per channel by a Gaussian of `blur_sigma` pixels (scipy
 *   gaussian_filter, mode 'reflect', truncate 4); blurring commutes with the per-channel affine
 *   preprocessing, so this is also the preprocessed blurred picture.
 * - 'noise': every value uniform between the preprocessed black and white levels of its channel
 *   (a uniformly random picture), drawn from the method's seeded generator.
 */
import { gaussianFilter } from '@/lib/imaging/gaussian';
import type { Random } from '@/lib/random';
import { greyInInputSpace, type InputContext } from './input-base';

export type BaselineKind = 'black' | 'blurred' | 'noise';
export const BASELINE_KINDS: readonly BaselineKind[] = ['black', 'blurred', 'noise'];

/** The input blurred per channel (HWC). */
export function blurredInput(ctx: InputContext, sigma: number): Float32Array {
  const { width, height, input } = ctx;
  const channels = ctx.bundle.channels;
  const out = new Float32Array(input.length);
  const plane = new Float64Array(width * height);
  for (let c = 0; c < channels; c++) {
    for (let p = 0; p < plane.length; p++) plane[p] = input[p * channels + c] as number;
    const blurred = gaussianFilter({ width, height, data: plane }, sigma, { mode: 'reflect' }).data;
    for (let p = 0; p < plane.length; p++) out[p * channels + c] = blurred[p] as number;
  }
  return out;
}

/** Makes baselines of each kind; 'black' and 'blurred' are computed once. */
export function baselineMaker(ctx: InputContext, blurSigma: number, random: Random): (kind: BaselineKind) => Float32Array {
  const channels = ctx.bundle.channels;
  const black = greyInInputSpace(ctx.bundle, 0);
  const white = greyInInputSpace(ctx.bundle, 255);
  let blackImage: Float32Array | null = null;
  let blurred: Float32Array | null = null;
  return (kind) => {
    if (kind === 'blurred') {
      blurred ??= blurredInput(ctx, blurSigma);
      return blurred;
    }
    if (kind === 'black') {
      blackImage ??= Float32Array.from({ length: ctx.size }, (_, i) => black[i % channels] as number);
      return blackImage;
    }
    const noise = new Float32Array(ctx.size);
    for (let i = 0; i < noise.length; i++) {
      const c = i % channels;
      noise[i] = (black[c] as number) + random.next() * ((white[c] as number) - (black[c] as number));
    }
    return noise;
  };
}

/**
 * Gradients of the target at `count` inputs: `build(i, into)` writes input i into `into`
 * (length ctx.size); `use(i, gradient)` receives dS/dx at it. Batched, with progress and abort.
 */
export async function forEachGradient(
  ctx: InputContext,
  count: number,
  build: (i: number, into: Float32Array) => void,
  use: (i: number, gradient: Float32Array) => void,
): Promise<void> {
  await ctx.batches(count, async (start, n) => {
    const packed = new Float32Array(n * ctx.size);
    for (let k = 0; k < n; k++) build(start + k, packed.subarray(k * ctx.size, (k + 1) * ctx.size));
    const grads = await ctx.gradients(packed, n);
    for (let k = 0; k < n; k++) use(start + k, grads.subarray(k * ctx.size, (k + 1) * ctx.size));
  });
}
