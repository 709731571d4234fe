/**
 * Calling registered TF.js wasm kernels directly on TensorInfos, for the composite gradient
 * kernels (wasm-gradient-kernels.ts, wasm-depthwise-gradient-kernels.ts). Intermediates made this
 * way bypass the engine, so each composite frees them with `disposeAll` (the wasm backend counts
 * references per data id: a Reshape shares its input's buffer and adds one).
 */
import * as tf from '@tensorflow/tfjs';

/** Runs one registered WASM kernel on TensorInfos (no engine bookkeeping). */
export function runWasm(name: string, inputs: tf.NamedTensorInfoMap, backend: object, attrs: tf.NamedAttrMap): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`initTfNode: WASM kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`initTfNode: WASM kernel ${name} returned several outputs`);
  return out;
}

export function disposeAll(backend: object, infos: tf.TensorInfo[]): void {
  for (const info of infos) (backend as tf.KernelBackend).disposeData(info.dataId);
}
