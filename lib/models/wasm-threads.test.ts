/**
 * XNNPACK threads in Node (wasm-threads.ts): the threaded binary starts with the asked-for number
 * of threads, and a ResNet-style block gives the same outputs as the single-thread binary
 * (XNNPACK splits the output tiles among threads, not the sums, so equal to float tolerance; the
 * test states 1e-6 relative). Each count runs in its own process: the count is fixed at the
 * backend's first start.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { installedWasmVersion, TF_WASM_VERSION } from './wasm-threads';
import { wasmThreadsFromEnv } from './tf-node';

const probe = path.join(path.dirname(fileURLToPath(import.meta.url)), 'wasm-threads-probe.test-util.ts');
/** Relative tolerance between thread counts (float32 outputs of order 1). */
const TOLERANCE = 1e-6;

async function run(threads: number): Promise<{ threads: number; values: number[] }> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', probe, String(threads)], { timeout: 60_000 });
  return JSON.parse(stdout) as { threads: number; values: number[] };
}

describe('wasm XNNPACK threads in Node', () => {
  it('is written for the installed tfjs-backend-wasm', () => {
    expect(installedWasmVersion()).toBe(TF_WASM_VERSION);
  });

  it('GAZEBENCH_WASM_THREADS: 1 when unset, a positive integer otherwise', () => {
    expect(wasmThreadsFromEnv({})).toBe(1);
    expect(wasmThreadsFromEnv({ GAZEBENCH_WASM_THREADS: '2' })).toBe(2);
    expect(() => wasmThreadsFromEnv({ GAZEBENCH_WASM_THREADS: 'two' })).toThrow(/positive integer/);
  });

  it('2 threads start (not capped to cores / 2) and match 1 thread within 1e-6 relative', async () => {
    const [one, two] = await Promise.all([run(1), run(2)]);
    expect(one.threads).toBe(1);
    expect(two.threads).toBe(2);
    expect(two.values).toHaveLength(40);
    two.values.forEach((v, i) => {
      const ref = one.values[i] as number;
      expect(Math.abs(v - ref)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(ref)));
    });
  });
});
