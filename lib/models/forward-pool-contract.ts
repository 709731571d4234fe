/**
 * What code that may run in a browser sees of the forward pool (lib/models/forward-pool.ts, Node
 * only: worker_threads): its interface and the check that a pool serves a bundle. Kept apart so
 * that lib/evaluation and lib/explainers, which the browser worker bundles, import no Node module.
 */
import type { ModelOutput } from './bundle-core';

export interface ForwardPool {
  /** The bundle folder every worker loaded (absolute). */
  readonly dir: string;
  /** Worker threads, ≥ 2. */
  readonly size: number;
  /** Outputs [n, classes] (row-major) of `n` inputs packed NHWC in `packed`, in chunks of `batchSize`. */
  forward(packed: Float32Array, n: number, batchSize: number, output: ModelOutput): Promise<Float32Array>;
  /** Whether the pool's workers loaded this bundle folder. */
  serves(bundleDir: string): boolean;
  close(): Promise<void>;
}

/** The pool, after checking that it serves this bundle (a pool for another model would answer wrongly). */
export function poolFor(pool: ForwardPool | null | undefined, bundleDir: string): ForwardPool | null {
  if (pool === null || pool === undefined) return null;
  if (!pool.serves(bundleDir)) throw new Error(`forward pool serves ${pool.dir}, not the bundle ${bundleDir}`);
  return pool;
}
