/**
 * TF.js set-up for Node (server, worker, scripts, tests). TF.js is imported
 * only here and in lib/explainers; everything else receives `tf` from
 * `initTfNode()`.
 *
 * Backends: 'wasm' (tfjs-backend-wasm, XNNPACK; the default, several times
 * faster than pure JS for inference) or 'cpu' (pure JS; the only Node backend
 * here with every gradient kernel, e.g. Conv2DBackpropFilter, so training
 * uses it). The WASM binaries are loaded from the installed package's dist/
 * folder, located with createRequire so that no path is hard-coded.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type TfNodeBackend = 'wasm' | 'cpu';

let wasmPathsSet = false;
/** Backend this module last selected; null until the first call. */
let selected: TfNodeBackend | null = null;
/** Serialises calls so that concurrent callers do not race setBackend. */
let queue: Promise<unknown> = Promise.resolve();

/** Absolute path (with trailing slash) of tfjs-backend-wasm's dist/ folder. */
export function wasmDistDir(): string {
  const require = createRequire(import.meta.url);
  // The package's "main" is dist/tf-backend-wasm.node.js, beside the .wasm files.
  return `${path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}${path.sep}`;
}

async function select(backend: TfNodeBackend): Promise<typeof tf> {
  // tf.getBackend() would initialise a default backend, so it is only asked
  // once this module has selected one (someone may have switched since).
  if (selected !== null && tf.getBackend() === backend) return tf;
  if (backend === 'wasm' && !wasmPathsSet) {
    setWasmPaths(wasmDistDir());
    wasmPathsSet = true;
  }
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`initTfNode: the TF.js '${backend}' backend failed to initialise`);
  await tf.ready();
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
