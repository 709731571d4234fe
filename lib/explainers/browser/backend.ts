/**
 * TF.js backend choice inside the explainer worker (never imported by the page).
 *
 * Candidates: 'wasm' (tfjs-backend-wasm with XNNPACK, the SIMD binary where WebAssembly SIMD
 * validates), 'webgl' (OffscreenCanvas WebGL, only with float32 render targets: float16 would
 * change the maps) and 'webgpu' (when `navigator.gpu` gives an adapter).
 *
 * wasm runs single-threaded, even when the page could be cross-origin isolated: the threaded
 * build starts its pthread workers from a Blob holding `wasmFactoryThreadedSimd.toString()`, and
 * after the production minifier renames the factory's closure variables that source no longer
 * runs ("Uncaught ReferenceError: r is not defined" in each pthread worker, seen in Chromium with
 * `next build`; tensorflow/tfjs#4107 and #4539). So the multithread flag is switched off before
 * the backend starts, and the page is served without COOP/COEP.
 *
 * Auto rule: every backend that starts runs the same small probe (a 3×3 convolution 56²×32→64 and
 * a 256×512·512×256 matrix product, one warm-up that absorbs shader compilation, then the median of
 * PROBE_RUNS timed runs read back to the CPU). A GPU backend is chosen only if it beats wasm by
 * GPU_ADVANTAGE, because wasm is the backend that reproduces the Node CLI's maps exactly (same
 * XNNPACK kernels), while GPU float arithmetic differs in the last bits. The user can override.
 * The binaries come from our own origin (`setWasmPaths('/tfjs-wasm/')`, copied there by
 * scripts/copy-public-assets.mjs), so the worker never contacts another origin.
 */
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, setUpWasmGradientFallback } from '@/lib/models/wasm-gradient-kernels';
import type { BackendChoice, BackendName, BackendReport } from './protocol';
import { WASM_PATH_PREFIX } from './protocol';

/** A GPU backend must be this many times faster than wasm in the probe to be picked. */
export const GPU_ADVANTAGE = 1.5;
const PROBE_RUNS = 3;

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Registers the WebGPU backend (its own chunk, loaded only when the browser has WebGPU). */
async function registerWebGpu(): Promise<string | null> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (gpu === undefined) return 'this browser has no WebGPU (navigator.gpu)';
  let adapter: unknown;
  try {
    adapter = await gpu.requestAdapter();
  } catch (error) {
    return `no WebGPU adapter (${message(error)})`;
  }
  if (adapter === null) return 'no WebGPU adapter';
  await import('@tensorflow/tfjs-backend-webgpu');
  return null;
}

/** Starts `name`; null on success, else why not. */
async function start(name: BackendName): Promise<string | null> {
  if (name === 'webgpu') {
    const reason = await registerWebGpu().catch((error: unknown) => `cannot load the WebGPU backend: ${message(error)}`);
    if (reason !== null) return reason;
  }
  // Gradients through convolutions without a fused ReLU need Conv2DBackpropFilter, which the wasm
  // package lacks: register the composite kernels (as initTfNode does in Node) before it starts.
  if (name === 'wasm') registerWasmTrainingKernels();
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    return `the ${name} backend failed to initialise (${message(error)})`;
  }
  if (!ok) return `the ${name} backend failed to initialise`;
  await tf.ready();
  if (name === 'wasm') setUpWasmGradientFallback(tf.backend());
  if (name === 'webgl' && !tf.env().getBool('WEBGL_RENDER_FLOAT32_CAPABLE')) {
    return 'WebGL has no float32 render targets (float16 would change the maps)';
  }
  return null;
}

/** Median ms of the probe workload on the current backend. */
async function probe(): Promise<number> {
  const x = tf.randomUniform<tf.Rank.R4>([1, 56, 56, 32], 0, 1, 'float32', 1);
  const w = tf.randomUniform<tf.Rank.R4>([3, 3, 32, 64], -0.1, 0.1, 'float32', 2);
  const a = tf.randomUniform<tf.Rank.R2>([256, 512], 0, 1, 'float32', 3);
  const b = tf.randomUniform<tf.Rank.R2>([512, 256], 0, 1, 'float32', 4);
  const once = async (): Promise<number> => {
    const t0 = performance.now();
    const [y, z] = tf.tidy(() => [tf.conv2d(x, w, 1, 'same').relu(), tf.matMul(a, b)]);
    await Promise.all([y.data(), z.data()]);
    tf.dispose([y, z]);
    return performance.now() - t0;
  };
  try {
    await once();
    const times: number[] = [];
    for (let i = 0; i < PROBE_RUNS; i++) times.push(await once());
    times.sort((p, q) => p - q);
    return times[Math.floor(times.length / 2)] as number;
  } finally {
    tf.dispose([x, w, a, b]);
  }
}

function describe(name: BackendName, simd: boolean, threads: number): string {
  if (name !== 'wasm') return name;
  const features = [simd ? 'SIMD' : 'no SIMD', threads > 1 ? `${threads} threads` : 'single-threaded'];
  return `wasm (${features.join(', ')})`;
}

/**
 * Initialises TF.js in the worker on the chosen backend (or the auto rule above) and reports what
 * it picked. Throws when the requested backend (or, for auto, wasm) cannot start.
 */
export async function initBackend(choice: BackendChoice): Promise<BackendReport> {
  setWasmPaths(WASM_PATH_PREFIX);
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  const candidates: BackendName[] = choice === 'auto' ? ['wasm', 'webgl', 'webgpu'] : [choice];
  const probeMs: Partial<Record<BackendName, number>> = {};
  const unavailable: Partial<Record<BackendName, string>> = {};
  for (const name of candidates) {
    const reason = await start(name);
    if (reason !== null) {
      unavailable[name] = reason;
      continue;
    }
    if (choice === 'auto') probeMs[name] = await probe();
  }
  let picked: BackendName;
  if (choice !== 'auto') {
    const reason = unavailable[choice];
    if (reason !== undefined) throw new Error(`backend ${choice}: ${reason}`);
    picked = choice;
  } else {
    const wasmMs = probeMs.wasm;
    if (wasmMs === undefined) throw new Error(`backend wasm: ${unavailable.wasm ?? 'did not start'}`);
    picked = 'wasm';
    for (const gpu of ['webgpu', 'webgl'] as const) {
      const ms = probeMs[gpu];
      if (ms !== undefined && ms * GPU_ADVANTAGE < wasmMs && ms < (probeMs[picked] ?? Infinity)) picked = gpu;
    }
  }
  if (tf.getBackend() !== picked && !(await tf.setBackend(picked))) throw new Error(`backend ${picked}: failed to initialise`);
  await tf.ready();
  // Free the GPU contexts and wasm heaps of the backends not taken.
  for (const name of Object.keys(probeMs) as BackendName[]) if (name !== picked) tf.removeBackend(name);
  const simd = picked === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') === true : false;
  const threadCount = picked === 'wasm' ? getThreadsCount() : 1;
  const gpuProbed = probeMs.webgl !== undefined || probeMs.webgpu !== undefined;
  const why = choice !== 'auto' ? 'chosen by you' : picked !== 'wasm' ? `auto: ${GPU_ADVANTAGE}× faster than wasm in the probe`
    : gpuProbed ? `auto: no GPU backend ${GPU_ADVANTAGE}× faster` : 'auto: no GPU backend available';
  return {
    name: picked,
    chosenBy: choice === 'auto' ? 'auto' : 'user',
    ...(picked === 'wasm' ? { simd, threads: threadCount } : {}),
    crossOriginIsolated: isolated,
    probeMs,
    unavailable,
    summary: `${describe(picked, simd, threadCount)} — ${why}`,
  };
}
