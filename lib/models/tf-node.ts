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
 *
 * Threads: `wasmThreads` (default env GAZEBENCH_WASM_THREADS, else 1) > 1 starts the threaded
 * SIMD binary with that many XNNPACK threads (wasm-threads.ts says why Node needs help there). It
 * takes effect on the first start of the wasm backend in the process only.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { prepareWasmThreads } from './wasm-threads';

export type TfNodeBackend = 'wasm' | 'cpu';

export interface TfNodeOptions {
  /** XNNPACK threads of the wasm backend (default: env GAZEBENCH_WASM_THREADS, else 1). */
  readonly wasmThreads?: number;
}

/** XNNPACK threads asked for by GAZEBENCH_WASM_THREADS (1 when unset). */
export function wasmThreadsFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env.GAZEBENCH_WASM_THREADS;
  if (text === undefined || text === '') return 1;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`GAZEBENCH_WASM_THREADS must be a positive integer, got '${text}'`);
  return n;
}

/** XNNPACK threads of the running wasm backend (1 for the single-thread binary); null before it started. */
export function wasmThreadsInUse(): number | null {
  return wasmStarted ? getThreadsCount() : null;
}

export { registerWasmTrainingKernels } from './wasm-gradient-kernels';
import { registerWasmTrainingKernels, setUpWasmGradientFallback } from './wasm-gradient-kernels';

let wasmPathsSet = false;
let wasmStarted = false;
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

const PROCESS_ERROR_EVENTS = ['unhandledRejection', 'uncaughtException'] as const;
type Listener = (...args: unknown[]) => void;
const emitter = process as unknown as NodeJS.EventEmitter;

function processErrorListeners(): Map<string, Set<Listener>> {
  return new Map(PROCESS_ERROR_EVENTS.map((e) => [e, new Set(emitter.listeners(e) as Listener[])]));
}

/**
 * The wasm backend's emscripten module installs `process.on('unhandledRejection', r => { throw
 * r })` and a rethrowing 'uncaughtException' listener when it starts in Node. In the server that
 * turns any unhandled rejection, anywhere, into the end of the process (the crash test met it:
 * one stray driver rejection during a database restart took the server down). This process
 * keeps the error policy it had before TF.js started (Node's default, or Next.js's logging).
 */
function removeListenersAddedSince(before: Map<string, Set<Listener>>): void {
  for (const event of PROCESS_ERROR_EVENTS) {
    for (const listener of emitter.listeners(event) as Listener[]) {
      // Only emscripten's rethrowing listeners: another module may install its own while the
      // backend starts (Next.js puts its unhandled-rejection filter in lazily), and that one stays.
      if (!before.get(event)?.has(listener) && isEmscriptenRethrow(listener)) emitter.removeListener(event, listener);
    }
  }
}

/**
 * Emscripten's two listeners, `function (reason) { throw reason; }` and `function (ex) { if (!(ex
 * instanceof ExitStatus)) { throw ex; } }`, in any spacing or minification.
 */
export function isEmscriptenRethrow(listener: Listener): boolean {
  const source = Function.prototype.toString.call(listener);
  return /^(?:function\s*\w*\s*\(\s*\w+\s*\)|\(?\s*\w+\s*\)?\s*=>)\s*\{\s*(?:if\s*\(\s*!\s*\(\s*\w+\s+instanceof\s+[\w$]+\s*\)\s*\)\s*\{?\s*)?throw\s+\w+\s*;?\s*\}?\s*\}$/.test(source);
}

async function select(backend: TfNodeBackend, options: TfNodeOptions): Promise<typeof tf> {
  // tf.getBackend() would initialise a default backend, so it is only asked
  // once this module has selected one (someone may have switched since).
  if (selected !== null && tf.getBackend() === backend) return tf;
  if (backend === 'wasm' && !wasmPathsSet) {
    setWasmPaths(wasmDistDir());
    registerWasmTrainingKernels();
    wasmPathsSet = true;
  }
  const before = processErrorListeners();
  const threads = backend === 'wasm' && !wasmStarted ? (options.wasmThreads ?? wasmThreadsFromEnv()) : 1;
  const around = threads > 1 ? prepareWasmThreads(threads) : <T>(start: () => Promise<T>) => start();
  const ok = await around(() => tf.setBackend(backend));
  if (!ok) throw new Error(`initTfNode: the TF.js '${backend}' backend failed to initialise`);
  await tf.ready();
  removeListenersAddedSince(before);
  // The replaced Conv2DBackpropInput is kept as the strided fallback; it was
  // unregistered before the backend started, so run its set-up here.
  if (backend === 'wasm') {
    setUpWasmGradientFallback(tf.backend());
    wasmStarted = true;
  }
  selected = backend;
  return tf;
}

/**
 * Selects the backend (idempotent: calling again with the same backend is a
 * no-op) and returns the tf namespace. Throws if the backend cannot start.
 */
export function initTfNode(backend: TfNodeBackend = 'wasm', options: TfNodeOptions = {}): Promise<typeof tf> {
  const result = queue.then(() => select(backend, options));
  // The caller gets the error through `result`; the queue only needs to go on.
  queue = result.catch(() => undefined);
  return result;
}
