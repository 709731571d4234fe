/**
 * Depthwise convolution gradients for the TF.js wasm backend (Node and the browser's explainer
 * worker; no Node imports). tfjs-backend-wasm 4.22 registers DepthwiseConv2dNative but neither of
 * its gradients, so any gradient through a MobileNet, Xception (SeparableConv2D) or EfficientNet
 * failed with "Kernel 'DepthwiseConv2dNativeBackpropInput' not registered for backend 'wasm'".
 * Both are composed here of wasm kernels, chiefly XNNPACK's DepthwiseConv2dNative itself, by the
 * identities of wasm-gradient-kernels.ts (Dumoulin & Visin 2016) applied channel by channel. With
 * C input channels, channel multiplier M (output channel c·M + m), stride s, dilation d, padding
 * (top, left) and K = C·M:
 *   dx = depthwise(dy with s−1 zeros inserted between pixels, padded by (k−1)·d − top,
 *                  W rotated 180° as a [kh, kw, K, 1] filter, dilation d), then Σ over m;
 *   dW = depthwise(pad(x) as [1, H, W, B·C],  dy as a [oh, ow, B·C, M] filter dilated by s,
 *                  stride d), then Σ over the batch.
 * dW treats each (image, channel) pair as one channel of a single image, so one kernel call
 * covers the batch (as the batch-as-channels trick of conv2dBackpropFilter). Zero insertion is a
 * PadV2 of a reshaped dy (a [.., n, 1, ..] axis padded to [.., n, s, ..]). Stride and dilation
 * both above 1 (never asked for: tfjs-core's depthwise gradient requires dilation 1) and non-NHWC
 * data throw one line naming the kernel. Checked against the CPU backend in
 * wasm-depthwise-gradient-kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { disposeAll, runWasm } from './wasm-kernel-call';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Pair = number | [number, number];
interface DepthwiseGradAttrs {
  strides: Pair;
  dilations?: Pair;
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}
type Shape4 = [number, number, number, number];

function depthwiseInfo(kernel: string, xShape: Shape4, filterShape: Shape4, a: DepthwiseGradAttrs) {
  const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, a.strides, a.dilations ?? 1, a.pad, a.dimRoundingMode, true);
  if ((info.strideHeight > 1 || info.strideWidth > 1) && (info.dilationHeight > 1 || info.dilationWidth > 1)) {
    throw new Error(`${kernel} on WASM: strides ${info.strideHeight}×${info.strideWidth} with dilations ${info.dilationHeight}×${info.dilationWidth} are not supported (one of them must be 1)`);
  }
  return info;
}

/** [B, h, w, K] → [B, h·s, w·t, K] with s−1 / t−1 zeros after every row / column; `made` lists what to free (the output included). */
function insertZeros(x: tf.TensorInfo, s: number, t: number, backend: object): { out: tf.TensorInfo; made: tf.TensorInfo[] } {
  const [b, h, w, k] = x.shape as Shape4;
  if (s === 1 && t === 1) return { out: x, made: [] };
  const made: tf.TensorInfo[] = [];
  const step = (info: tf.TensorInfo, kernel: string, attrs: tf.NamedAttrMap): tf.TensorInfo => {
    const out = runWasm(kernel, { x: info }, backend, attrs);
    made.push(out);
    return out;
  };
  const columns = step(x, 'Reshape', { shape: [b * h, w, 1, k] });
  const wide = step(columns, 'PadV2', { paddings: [[0, 0], [0, 0], [0, t - 1], [0, 0]], constantValue: 0 });
  const rows = step(wide, 'Reshape', { shape: [b, h, 1, w * t * k] });
  const tall = step(rows, 'PadV2', { paddings: [[0, 0], [0, 0], [0, s - 1], [0, 0]], constantValue: 0 });
  return { out: step(tall, 'Reshape', { shape: [b, h * s, w * t, k] }), made };
}

/** Pads (or, for negative amounts, crops) the two spatial axes of an NHWC tensor. */
function padOrCrop(x: tf.TensorInfo, before: [number, number], after: [number, number], backend: object, made: tf.TensorInfo[]): tf.TensorInfo {
  const [b, h, w, k] = x.shape as Shape4;
  let out = x;
  if (before.some((p) => p > 0) || after.some((p) => p > 0)) {
    const paddings = [[0, 0], [Math.max(before[0], 0), Math.max(after[0], 0)], [Math.max(before[1], 0), Math.max(after[1], 0)], [0, 0]];
    out = runWasm('PadV2', { x: out }, backend, { paddings, constantValue: 0 });
    made.push(out);
  }
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) {
    const size = [b, h + before[0] + after[0], w + before[1] + after[1], k];
    const sliced = runWasm('Slice', { x: out }, backend, { begin: [0, Math.max(-before[0], 0), Math.max(-before[1], 0), 0], size });
    made.push(sliced);
    out = sliced;
  }
  return out;
}

function depthwiseBackpropInput({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseGradAttrs;
  const kernel = 'DepthwiseConv2dNativeBackpropInput';
  if (a.inputShape === undefined) throw new Error(`${kernel} on WASM: no inputShape attribute`);
  const info = depthwiseInfo(kernel, a.inputShape, filter.shape as Shape4, a);
  const { batchSize, inHeight, inWidth, inChannels, outChannels } = info;
  const multiplier = outChannels / inChannels;
  const { top, left } = info.padInfo;
  const { out: spread, made } = insertZeros(dy, info.strideHeight, info.strideWidth, backend);
  // The correlation reads (k−1)·d − top rows before the first dy row; the spread dy must then
  // span H + (k−1)·d rows.
  const before: [number, number] = [info.effectiveFilterHeight - 1 - top, info.effectiveFilterWidth - 1 - left];
  const [, sh, sw] = spread.shape as Shape4;
  const after: [number, number] = [inHeight + info.effectiveFilterHeight - 1 - before[0] - sh, inWidth + info.effectiveFilterWidth - 1 - before[1] - sw];
  const padded = padOrCrop(spread, before, after, backend, made);
  const rotated = runWasm('Reverse', { x: filter }, backend, { dims: [0, 1] });
  const column = runWasm('Reshape', { x: rotated }, backend, { shape: [info.filterHeight, info.filterWidth, outChannels, 1] });
  const perOutput = runWasm('DepthwiseConv2dNative', { x: padded, filter: column }, backend, {
    strides: 1, pad: 'valid', dilations: [info.dilationHeight, info.dilationWidth],
  });
  made.push(rotated, column);
  let result = perOutput;
  if (multiplier > 1) {
    const flat = runWasm('Reshape', { x: perOutput }, backend, { shape: [batchSize * inHeight * inWidth * inChannels, multiplier] });
    const summed = runWasm('Sum', { x: flat }, backend, { axis: [1], keepDims: false });
    result = runWasm('Reshape', { x: summed }, backend, { shape: [batchSize, inHeight, inWidth, inChannels] });
    made.push(perOutput, flat, summed);
  }
  disposeAll(backend, made);
  return result;
}

function depthwiseBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as DepthwiseGradAttrs;
  const kernel = 'DepthwiseConv2dNativeBackpropFilter';
  if (a.filterShape === undefined) throw new Error(`${kernel} on WASM: no filterShape attribute`);
  const info = depthwiseInfo(kernel, x.shape as Shape4, a.filterShape, a);
  const { batchSize, inChannels, outChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const multiplier = outChannels / inChannels;
  const { top, bottom, left, right } = info.padInfo;
  const made: tf.TensorInfo[] = [];
  const xPadded = runWasm('PadV2', { x }, backend, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
  // Rows/columns past the last window (valid padding, stride > 1) do not contribute.
  const usedH = (outHeight - 1) * info.strideHeight + info.effectiveFilterHeight;
  const usedW = (outWidth - 1) * info.strideWidth + info.effectiveFilterWidth;
  const xUsed = runWasm('Slice', { x: xPadded }, backend, { begin: [0, 0, 0, 0], size: [batchSize, usedH, usedW, inChannels] });
  const xT = runWasm('Transpose', { x: xUsed }, backend, { perm: [1, 2, 0, 3] });
  const xChannels = runWasm('Reshape', { x: xT }, backend, { shape: [1, usedH, usedW, batchSize * inChannels] });
  const dyT = runWasm('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] });
  const dyFilter = runWasm('Reshape', { x: dyT }, backend, { shape: [outHeight, outWidth, batchSize * inChannels, multiplier] });
  made.push(xPadded, xUsed, xT, xChannels, dyT, dyFilter);
  // The stride of the forward convolution becomes the dilation of dy, and its dilation the stride.
  const perImage = runWasm('DepthwiseConv2dNative', { x: xChannels, filter: dyFilter }, backend, {
    strides: [info.dilationHeight, info.dilationWidth], pad: 'valid', dilations: [info.strideHeight, info.strideWidth],
  });
  let result: tf.TensorInfo;
  if (batchSize > 1) {
    const split = runWasm('Reshape', { x: perImage }, backend, { shape: [filterHeight, filterWidth, batchSize, outChannels] });
    const summed = runWasm('Sum', { x: split }, backend, { axis: [2], keepDims: false });
    result = runWasm('Reshape', { x: summed }, backend, { shape: [filterHeight, filterWidth, inChannels, multiplier] });
    made.push(perImage, split, summed);
  } else {
    result = runWasm('Reshape', { x: perImage }, backend, { shape: [filterHeight, filterWidth, inChannels, multiplier] });
    made.push(perImage);
  }
  disposeAll(backend, made);
  return result;
}

/** Registers both depthwise gradients on 'wasm' unless the package already has them. */
export function registerDepthwiseGradientKernels(): void {
  const kernels: [string, tf.KernelFunc][] = [
    ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
    ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'wasm') === undefined) tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
