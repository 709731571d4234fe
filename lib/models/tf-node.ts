/**
 * TF.js set-up for Node (server, worker, scripts, tests): call
 * `initTfNode()` once and use the `tf` it returns. (TF.js is imported only in
 * lib/models and lib/explainers.)
 *
 * Backends: 'wasm' (tfjs-backend-wasm, XNNPACK; the default) or 'cpu' (pure
 * JS, slow). The WASM binaries are loaded from the installed package's dist/
 * folder, located with createRequire so that no path is hard-coded.
 *
 * Training on WASM: tfjs-backend-wasm 4.22 has no Conv2DBackpropFilter
 * kernel, and the pure-JS CPU backend needs ~1.4 s per 224-px image for the
 * demo CNN's backward pass. Selecting 'wasm' therefore registers both
 * convolution gradients as compositions of WASM kernels (XNNPACK Conv2D,
 * Transpose, PadV2, Slice, Reverse), by the standard identities (Dumoulin &
 * Visin 2016, "A guide to convolution arithmetic for deep learning"):
 *   dW = conv(pad(x) with batch as channels, dy as a filter dilated by the
 *        stride)                                                  (valid)
 *   dx = conv(dy, W rotated 180° with in/out channels swapped)    (full, stride 1)
 * A strided input gradient falls back to the package's own
 * Conv2DBackpropInput. (The package's Conv3DBackpropFilterV2 with depth 1
 * is no substitute: it disagrees with the CPU backend for stride 2.) Checked
 * against the CPU backend in tf-node.test.ts; a training step of the demo
 * CNN is ~190× faster than on 'cpu' (7 ms instead of 1.4 s per image).
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type TfNodeBackend = 'wasm' | 'cpu';

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

/** Runs one registered WASM kernel on TensorInfos (no engine bookkeeping). */
function runWasm(name: string, inputs: tf.NamedTensorInfoMap, backend: object, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`initTfNode: WASM kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`initTfNode: WASM kernel ${name} returned several outputs`);
  return out;
}

function disposeAll(backend: object, infos: tf.TensorInfo[]): void {
  for (const info of infos) (backend as tf.KernelBackend).disposeData(info.dataId);
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

/** Registers the WASM convolution gradients described above (once). */
export function registerWasmTrainingKernels(): void {
  if (trainingKernelsRegistered) return;
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    tf.registerKernel({ kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2dBackpropFilter });
  }
  originalBackpropInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (originalBackpropInput !== undefined) tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2dBackpropInput });
  trainingKernelsRegistered = true;
}

let wasmPathsSet = false;
/** Backend this module last selected; null until the first call. */
let selected: TfNodeBackend | null = null;
/** Serialises calls so that concurrent callers do not race setBackend. */
let queue: Promise<unknown> = Promise.resolve();

/** Absolute path (with trailing slash) of tfjs-backend-wasm's dist/ folder. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  // The package's "main" is dist/tf-backend-wasm.node.js, beside the .wasm files. Inside a Next.js
  // server bundle (Turbopack) require.resolve answers a module id, not a path: there the package
  // is found from the project root (the start script runs in it and sets GAZEBENCH_ROOT).
  const resolved: unknown = require.resolve('@tensorflow/tfjs-backend-wasm');
  const main =
    typeof resolved === 'string'
      ? resolved
      : path.join(/*turbopackIgnore: true*/ process.env.GAZEBENCH_ROOT || process.cwd(), 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist', 'tf-backend-wasm.node.js');
  return `${path.dirname(main)}${path.sep}`;
}

async function select(backend: TfNodeBackend): Promise<typeof tf> {
  // tf.getBackend() would initialise a default backend, so it is only asked
  // once this module has selected one (someone may have switched since).
  if (selected !== null && tf.getBackend() === backend) return tf;
  if (backend === 'wasm' && !wasmPathsSet) {
    setWasmPaths(wasmDistDir());
    registerWasmTrainingKernels();
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`initTfNode: the TF.js '${backend}' backend failed to initialise`);
  await tf.ready();
  // The replaced Conv2DBackpropInput is kept as the strided fallback; it was
  // unregistered before the backend started, so run its set-up here.
  if (backend === 'wasm') originalBackpropInput?.setupFunc?.(tf.backend());
  selected = backend;
  return tf;
}

/**
 * Selects the backend (idempotent: calling again with the same backend is a
 * no-op) and returns the tf namespace. Throws if the backend cannot start.
 */
export function initTfNode(backend: TfNodeBackend = 'wasm'): Promise<typeof tf> {
  const result = queue.then(() => select(backend));
  // The caller gets the error through `result`; the queue only needs to go on.
  queue = result.catch(() => undefined);
  return result;
}
