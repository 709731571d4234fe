/**
 * XNNPACK's thread pool for tfjs-backend-wasm 4.22 in Node (issue 18). The package ships the
 * threaded SIMD binary, but in Node it cannot start it, for four reasons found in
 * dist/tf-backend-wasm.node.js and the package's C++ (tfjs-backend-wasm/src/cc/backend.cc):
 *  1. the flag WASM_HAS_MULTITHREAD_SUPPORT answers false whenever IS_NODE (tfjs#3830);
 *  2. forced on, `init()`'s locateFile turns the pthread script (`wasmWorkerContents`) into
 *     `URL.createObjectURL(blob)`, and emscripten's `allocateUnusedWorker` calls
 *     `new Worker('blob:nodedata:…')`: worker_threads refuses that (ERR_WORKER_PATH), and a blob
 *     URL made in one thread does not resolve in another (buffer.resolveObjectURL answers
 *     undefined there);
 *  3. the pthreads' "load" message carries `mainScriptUrlOrBlob`, a Blob of
 *     `wasmFactoryThreadedSimd.toString()` taken from the Node bundle, whose body refers to the
 *     bundle's closure (`require$$0`, `require$$4`, `commonjsGlobal`): it cannot run on its own;
 *  4. `init_with_threads_count` caps the pool at emscripten_num_logical_cores() / 2, i.e.
 *     os.cpus().length / 2 in Node: 1 on a 2-vCPU machine, whatever setThreadsCount asked.
 * What this module does, without touching node_modules: globalThis.Worker (which the emscripten
 * glue assigns and then uses) is pinned to a worker_threads subclass that starts a blob URL as
 * the package's own pthread script (wasm-out/…threaded-simd.worker.js, evaluated) and swaps the
 * Blob of the "load" message for the path of wasm-out/tfjs-backend-wasm-threaded-simd.js, the
 * same emscripten glue as a standalone file (the .wasm beside it is byte-identical to dist's);
 * the flag is set; os.cpus reports 2 × the wanted threads while the backend starts (4); and the
 * pthread workers stay unref'd (else a process that used them never exits).
 * Only for TF_WASM_VERSION: another version may have fixed or moved any of this.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { Worker as NodeWorker, type WorkerOptions } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { setThreadsCount } from '@tensorflow/tfjs-backend-wasm';

export const TF_WASM_VERSION = '4.22.0';

const require = createRequire(import.meta.url);
/**
 * Node's require for a path known only at run time, taken through process.getBuiltinModule
 * (Node ≥ 20.16) so that the bundler's static analysis does not follow it; `require` before that.
 */
function runtimeRequire(file: string): unknown {
  const load = typeof process.getBuiltinModule === 'function' ? process.getBuiltinModule('node:module').createRequire(import.meta.url) : require;
  return load(file);
}

function packageDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** Installed tfjs-backend-wasm version. */
export function installedWasmVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

let installed = false;

function installPthreadWorker(): void {
  if (installed) return;
  const out = path.join(packageDir(), 'wasm-out');
  // Loaded through a require that Next's bundler cannot follow (it would try to bundle the file).
  const { wasmWorkerContents } = runtimeRequire(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  // The file is a template literal: its "\n" escapes became line breaks inside string literals
  // (the package's own locateFile escapes them back the same way before making its Blob).
  const script = wasmWorkerContents.replace(/\n/g, '\\n');
  const mainScript = path.join(out, 'tfjs-backend-wasm-threaded-simd.js');
  class PthreadWorker extends NodeWorker {
    constructor(url: string | URL, options?: WorkerOptions) {
      if (typeof url === 'string' && url.startsWith('blob:')) super(script, { ...options, eval: true });
      else super(url, options);
      this.unref();
    }

    /**
     * Emscripten refs a worker while a pthread runs on it; XNNPACK's pool threads run for the life
     * of the process (parked between parallel sections), so a ref'd one would keep every process
     * that used them from ever exiting. They only work while this thread waits on them inside a
     * kernel, so they never need to hold the event loop.
     */
    override ref(): void {}

    override postMessage(message: unknown, transfer?: Parameters<NodeWorker['postMessage']>[1]): void {
      const m = message as { cmd?: unknown; urlOrBlob?: unknown } | null;
      super.postMessage(m !== null && typeof m === 'object' && m.cmd === 'load' && typeof m.urlOrBlob !== 'string' ? { ...m, urlOrBlob: mainScript } : message, transfer);
    }
  }
  // The glue runs `commonjsGlobal.Worker = worker_threads.Worker` on every start; the no-op
  // setter keeps this subclass in place.
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => PthreadWorker, set: () => undefined });
  installed = true;
}

/**
 * Prepares the next `tf.setBackend('wasm')` to start the threaded binary with `threads` XNNPACK
 * threads, and returns the function to call around that start (it lifts the core cap). Throws for
 * another tfjs-backend-wasm version.
 */
export function prepareWasmThreads(threads: number): <T>(start: () => Promise<T>) => Promise<T> {
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`wasm threads must be a positive integer, got ${threads}`);
  const version = installedWasmVersion();
  if (version !== TF_WASM_VERSION) throw new Error(`wasm threads: written for tfjs-backend-wasm ${TF_WASM_VERSION}, found ${version}; check lib/models/wasm-threads.ts`);
  installPthreadWorker();
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  setThreadsCount(threads);
  return async (start) => {
    const cpus = os.cpus;
    // backend.cc caps the pool at os.cpus().length / 2 (it assumes two hyperthreads per core).
    os.cpus = () => {
      const real = cpus();
      return Array.from({ length: 2 * threads }, (_, i) => real[i % real.length] as os.CpuInfo);
    };
    try {
      return await start();
    } finally {
      os.cpus = cpus;
    }
  };
}
