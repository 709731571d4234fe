/**
 * Convolution gradients for the TF.js wasm backend, usable in Node and in the browser's explainer
 * worker (no Node imports). tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter kernel, which any
 * gradient through a convolution without a fused ReLU needs (e.g. conv + BatchNorm in ResNet), so
 * both convolution gradients are registered as compositions of wasm kernels (XNNPACK Conv2D,
 * Transpose, PadV2, Slice, Reverse), by the standard identities (Dumoulin & Visin 2016):
 *   dW = conv(pad(x) with batch as channels, dy as a filter dilated by the stride)   (valid)
 *   dx = conv(dy, W rotated 180° with in/out channels swapped)                      (full, stride 1)
 * A strided input gradient falls back to the package's own Conv2DBackpropInput. The depthwise
 * gradients (MobileNet, Xception, EfficientNet) are in wasm-depthwise-gradient-kernels.ts, and
 * the package's MaxPoolGrad, wrong for some shapes, is replaced (wasm-max-pool-grad.ts).
 * Checked against the CPU backend in tf-node.test.ts and wasm-depthwise-gradient-kernels.test.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { registerDepthwiseGradientKernels } from './wasm-depthwise-gradient-kernels';
import { registerWasmMaxPoolGrad } from './wasm-max-pool-grad';
import { disposeAll, runWasm } from './wasm-kernel-call';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
type Rounding = 'floor' | 'round' | 'ceil' | undefined;
interface ConvGradAttrs {
  strides: number | [number, number];
  pad: Pad;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode: Rounding;
  filterShape: [number, number, number, number];
  inputShape: [number, number, number, number];
}

function convInfo(xShape: number[], filterShape: number[], attrs: ConvGradAttrs) {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
}

function conv2dBackpropFilter({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const a = attrs as unknown as ConvGradAttrs;
  const info = convInfo(x.shape, a.filterShape, a);
  if (a.dataFormat !== 'NHWC') throw new Error('initTfNode: Conv2DBackpropFilter on WASM needs NHWC data');
  const { top, bottom, left, right } = info.padInfo;
  const sh = info.strideHeight;
  const sw = info.strideWidth;
  const xPadded = runWasm('PadV2', { x }, backend, { paddings: [[0, 0], [top, bottom], [left, right], [0, 0]], constantValue: 0 });
  // Rows/columns past the last window (valid padding, stride > 1) do not contribute.
  const usedH = (info.outHeight - 1) * sh + info.filterHeight;
  const usedW = (info.outWidth - 1) * sw + info.filterWidth;
  const xUsed = runWasm('Slice', { x: xPadded }, backend, {
    begin: [0, 0, 0, 0],
    size: [info.batchSize, usedH, usedW, info.inChannels],
  });
  const xT = runWasm('Transpose', { x: xUsed }, backend, { perm: [3, 1, 2, 0] });
  const dyT = runWasm('Transpose', { x: dy }, backend, { perm: [1, 2, 0, 3] });
  // The stride of the forward convolution becomes the dilation of dy.
  const grad = runWasm('Conv2D', { x: xT, filter: dyT }, backend, {
    strides: 1,
    pad: 'valid',
    dataFormat: 'NHWC',
    dilations: [sh, sw],
  });
  const result = runWasm('Transpose', { x: grad }, backend, { perm: [1, 2, 0, 3] });
  disposeAll(backend, [xPadded, xUsed, xT, dyT, grad]);
  return result;
}

let originalBackpropInput: tf.KernelConfig | undefined;

function conv2dBackpropInput(params: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { inputs, backend, attrs } = params;
  const { dy, filter } = inputs as { dy: tf.TensorInfo; filter: tf.TensorInfo };
  const a = attrs as unknown as ConvGradAttrs;
  const info = convInfo(a.inputShape, filter.shape, a);
  if (info.strideHeight !== 1 || info.strideWidth !== 1 || a.dataFormat !== 'NHWC') {
    const out = originalBackpropInput?.kernelFunc(params);
    if (out === undefined || Array.isArray(out)) throw new Error('initTfNode: no WASM Conv2DBackpropInput to fall back to');
    return out;
  }
  const { top, bottom, left, right } = info.padInfo;
  const kh = info.filterHeight;
  const kw = info.filterWidth;
  const rotated = runWasm('Reverse', { x: filter }, backend, { dims: [0, 1] });
  const swapped = runWasm('Transpose', { x: rotated }, backend, { perm: [0, 1, 3, 2] });
  const pad = [[0, 0], [kh - 1 - top, kh - 1 - bottom], [kw - 1 - left, kw - 1 - right], [0, 0]];
  const result = runWasm('Conv2D', { x: dy, filter: swapped }, backend, { strides: 1, pad, dataFormat: 'NHWC', dilations: 1 });
  disposeAll(backend, [rotated, swapped]);
  return result;
}

let trainingKernelsRegistered = false;

/** Registers the WASM convolution gradients described above and the depthwise ones (once). */
export function registerWasmTrainingKernels(): void {
  if (trainingKernelsRegistered) return;
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  }
  originalBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (originalBackpropInput !== undefined) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput });
  registerDepthwiseGradientKernels();
  registerWasmMaxPoolGrad();
  trainingKernelsRegistered = true;
}

/**
 * Runs the set-up of the package's own Conv2DBackpropInput (kept as the strided fallback): it was
 * unregistered before the backend started, so call this once the wasm backend is ready.
 */
export function setUpWasmGradientFallback(backend: tf.KernelBackend): void {
  originalBackpropInput?.setupFunc?.(backend);
}
