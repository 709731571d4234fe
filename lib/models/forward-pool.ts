/**
 * A pool of worker threads for independent forward passes (issue 18): Score-CAM's channel-masked
 * inputs, RISE's and LIME's perturbed inputs, the insertion/deletion and ROAD images. Each worker
 * has its own TF.js wasm backend (one XNNPACK thread unless asked) and its own copy of the model,
 * loaded from the same bundle folder (forward-pool-worker.ts). The calling thread keeps
 * everything that draws random numbers or accumulates, in order, so a pooled result equals the
 * in-thread one: work is cut into the same chunks of `batchSize` inputs as without a pool, chunk
 * i goes to whichever worker is free, and the outputs come back in chunk order. (A forward pass
 * of the same chunk on the same wasm binary gives the same floats in any thread; the tests check
 * it.) Size: env GAZEBENCH_THREADS, default os.availableParallelism(); 1 means no pool at all.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ModelOutput } from './bundle-core';
import type { ForwardPool } from './forward-pool-contract';

export type { ForwardPool } from './forward-pool-contract';
export { poolFor } from './forward-pool-contract';

export interface ForwardPoolOptions {
  readonly dir: string;
  readonly size: number;
  /** XNNPACK threads per worker (default 1: the workers are the parallelism). */
  readonly wasmThreads?: number;
}

/** Request and answer between the pool and a worker. */
export interface ForwardRequest { readonly id: number; readonly packed: Float32Array; readonly n: number; readonly output: ModelOutput }
export type ForwardAnswer = { readonly id: number; readonly values: Float32Array } | { readonly id: number; readonly error: string };
export type WorkerReady = { readonly ready: true } | { readonly ready: false; readonly error: string };

/** Pool size from GAZEBENCH_THREADS (default: os.availableParallelism()). */
export function poolSizeFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env.GAZEBENCH_THREADS;
  if (text === undefined || text === '') return availableParallelism();
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`GAZEBENCH_THREADS must be a positive integer, got '${text}'`);
  return n;
}

/**
 * The worker's first code: loads forward-pool-worker.ts through tsx's API. (`--import tsx` in a
 * worker's execArgv does not reach its main module on Node 20: "Unknown file extension .ts".)
 */
function bootstrap(): string {
  // The ESM build of tsx/esm/api, as its package.json exports it (require.resolve gives the CJS
  // one). Read with fs and the worker's file named through a variable, not `require(path)` or
  // `new URL('./x.ts', import.meta.url)`: Next's bundler follows those forms into the server and
  // browser bundles (this module is reachable from routes, though only tsx processes make pools).
  const require = createRequire(import.meta.url);
  const manifest = require.resolve('tsx/package.json');
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports;
  const exported = exports['./esm/api'];
  if (exported === undefined) throw new Error('forward pool: tsx no longer exports ./esm/api');
  const api = pathToFileURL(path.join(path.dirname(manifest), exported.import.default)).href;
  const workerFile = 'forward-pool-worker.ts';
  const entry = pathToFileURL(path.join(path.dirname(fileURLToPath(import.meta.url)), workerFile)).href;
  return `import(${JSON.stringify(api)}).then((m) => m.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
}

interface Slot {
  readonly worker: Worker;
  busy: boolean;
}

interface Pending {
  resolve(values: Float32Array): void;
  reject(error: Error): void;
}

/**
 * Starts `size` workers on the bundle in `dir`; resolves when every one has loaded the model.
 * `size` 1 is refused: callers run in-thread then (`maybeForwardPool`).
 */
export async function createForwardPool(options: ForwardPoolOptions): Promise<ForwardPool> {
  const { size } = options;
  if (!Number.isInteger(size) || size < 2) throw new Error(`createForwardPool: size must be an integer ≥ 2, got ${size}`);
  const dir = path.resolve(options.dir);
  const code = bootstrap();
  const slots: Slot[] = [];
  const pending = new Map<number, Pending>();
  const queue: Array<() => void> = [];
  let nextId = 1;
  let broken: Error | null = null;
  const fail = (error: Error): void => {
    broken ??= error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  const started = Array.from({ length: size }, () => {
    const worker = new Worker(code, { eval: true, workerData: { dir, wasmThreads: options.wasmThreads ?? 1 } });
    const slot: Slot = { worker, busy: false };
    slots.push(slot);
    return new Promise<void>((resolve, reject) => {
      worker.once('message', (m: WorkerReady) => (m.ready ? resolve() : reject(new Error(`forward pool worker: ${m.error}`))));
      worker.once('error', reject);
    }).then(() => {
      // Held only while it has work: an idle pool never keeps a process from exiting.
      worker.unref();
      worker.on('message', (m: ForwardAnswer) => {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if ('error' in m) p?.reject(new Error(`forward pool worker: ${m.error}`));
        else p?.resolve(m.values);
      });
      worker.on('error', (e) => fail(e instanceof Error ? e : new Error(String(e))));
      worker.on('exit', (code) => fail(new Error(`forward pool worker exited (code ${code})`)));
    });
  });
  try {
    await Promise.all(started);
  } catch (error) {
    await Promise.all(slots.map((s) => s.worker.terminate()));
    throw error;
  }

  const acquire = async (): Promise<Slot> => {
    for (;;) {
      const free = slots.find((s) => !s.busy);
      if (free !== undefined) {
        free.busy = true;
        return free;
      }
      await new Promise<void>((resolve) => queue.push(resolve));
    }
  };
  const release = (slot: Slot): void => {
    slot.busy = false;
    queue.shift()?.();
  };
  const run = async (packed: Float32Array, n: number, output: ModelOutput): Promise<Float32Array> => {
    const slot = await acquire();
    try {
      if (broken !== null) throw broken;
      const id = nextId++;
      slot.worker.ref();
      return await new Promise<Float32Array>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        const request: ForwardRequest = { id, packed, n, output };
        slot.worker.postMessage(request, [packed.buffer as ArrayBuffer]);
      });
    } finally {
      slot.worker.unref();
      release(slot);
    }
  };

  return {
    dir, size,
    serves: (bundleDir) => path.resolve(bundleDir) === dir,
    forward: async (packed, n, batchSize, output) => {
      if (n === 0) return new Float32Array(0);
      const per = packed.length / n;
      if (!Number.isInteger(per)) throw new Error(`forward pool: ${packed.length} values are not ${n} inputs`);
      const chunks: Promise<Float32Array>[] = [];
      for (let start = 0; start < n; start += batchSize) {
        const count = Math.min(batchSize, n - start);
        chunks.push(run(packed.slice(start * per, (start + count) * per), count, output));
      }
      const parts = await Promise.all(chunks);
      const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
      let offset = 0;
      for (const p of parts) {
        out.set(p, offset);
        offset += p.length;
      }
      return out;
    },
    close: async () => {
      fail(new Error('forward pool closed'));
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** A pool of `size` workers on `dir`, or null when `size` is 1 (work stays in this thread). */
export async function maybeForwardPool(dir: string, size: number = poolSizeFromEnv()): Promise<ForwardPool | null> {
  return size > 1 ? createForwardPool({ dir, size }) : null;
}

