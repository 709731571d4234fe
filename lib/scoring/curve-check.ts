/**
 * Spot checks of insertion/deletion curves computed by a browser (issue 18). The server does not
 * recompute every point of an uploaded curve: after the upload it draws a seed with a CSPRNG,
 * derives k distinct interior curve indices from it, recomputes those and both endpoints with the
 * full curve's code (lib/metrics `curvePointsAt`), and accepts the curve only when every checked
 * point agrees within τ. The seed is stored with the score, so the check can be replayed.
 *
 * Conventions (docs/scoring.md, "Verified browser curves", has the derivation and the table):
 *  - a curve has n + 1 scores (n = ceil(H·W / step) steps); AUC = (Σs − s₀/2 − sₙ/2)/n;
 *  - endpoints 0 and n are always recomputed; the k sampled indices are uniform without
 *    replacement over the n − 1 interior ones (k ≥ n − 1: all of them);
 *  - indices come from SHA-256(seed ‖ curve name ‖ counter) words with rejection sampling (no
 *    modulo bias) and a partial Fisher–Yates shuffle: the same seed gives the same indices on any
 *    machine, and no one who does not know the seed can predict them;
 *  - a forger who moves an AUC by more than τ + δ must move at least m = ⌊nδ/(1 − τ)⌋ + 1 interior
 *    points by more than τ; the chance that k samples find one is 1 − C(n−1−m, k)/C(n−1, k).
 */
import { createHash, randomBytes } from 'node:crypto';

/**
 * τ: largest |client − server| accepted at a checked point (probability units). tfjs-core's own
 * float32 tolerance between backends (`test_util` TEST_EPSILON_FLOAT32 = 1e-3, which its WebGL and
 * WebGPU kernels are tested against); measured wasm vs cpu in Node on the demo CNN: at most 3.6e-6
 * over 3,600 curve points
 * (docs/benchmarks.md, issue 18). Half-float WebGL (TEST_EPSILON_FLOAT16 = 0.1) is not within it:
 * such curves are rejected and recomputed, which costs server time, never trust.
 */
export const CURVE_TOLERANCE = 1e-3;
/** k: interior points checked per curve; the smallest k with ≥ 99 % detection of an AUC moved by τ + 0.05 at n = 224. */
export const DEFAULT_CURVE_SAMPLES = 70;
export const CURVE_SAMPLES_ENV = 'GAZEBENCH_CURVE_SAMPLES';

/** k from GAZEBENCH_CURVE_SAMPLES (a non-negative integer; 0 = always recompute in full). */
export function curveSamples(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const raw = env[CURVE_SAMPLES_ENV];
  if (raw === undefined || raw === '') return DEFAULT_CURVE_SAMPLES;
  const k = Number(raw);
  if (!Number.isSafeInteger(k) || k < 0) throw new Error(`${CURVE_SAMPLES_ENV} must be a non-negative integer, got '${raw}'`);
  return k;
}

/** A fresh 128-bit seed (hex), drawn by the server after the curve was stored. */
export function newCurveSeed(): string {
  return randomBytes(16).toString('hex');
}

/** Uniform integers in [0, bound) from SHA-256(seed ‖ label ‖ counter), by rejection. */
function hashStream(seed: string, label: string): (bound: number) => number {
  let counter = 0;
  let words: number[] = [];
  const word = (): number => {
    if (words.length === 0) {
      const digest = createHash('sha256').update(`${seed}\u0000${label}\u0000${counter++}`).digest();
      for (let i = 0; i < digest.length; i += 4) words.push(digest.readUInt32BE(i));
    }
    return words.shift() as number;
  };
  return (bound) => {
    const limit = 2 ** 32 - (2 ** 32 % bound);
    for (;;) {
      const w = word();
      if (w < limit) return w % bound;
    }
  };
}

/** Indices checked on a curve of `steps` + 1 scores: 0, `steps`, and k interior ones; ascending. */
export function sampleCurveIndices(seed: string, curve: string, steps: number, k: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`sampleCurveIndices: steps must be a positive integer, got ${steps}`);
  const pool = Array.from({ length: steps - 1 }, (_, i) => i + 1);
  const take = Math.min(Math.max(0, Math.floor(k)), pool.length);
  const draw = hashStream(seed, curve);
  for (let i = 0; i < take; i++) {
    const j = i + draw(pool.length - i);
    [pool[i], pool[j]] = [pool[j] as number, pool[i] as number];
  }
  return [...new Set([0, steps, ...pool.slice(0, take)])].sort((a, b) => a - b);
}

/**
 * m: fewest interior points a forger must move by more than τ to move the AUC by more than τ + δ.
 * Interior weights are 1/n, scores lie in [0, 1]: moving j points fully and the rest by τ moves the
 * AUC by at most τ(1 − j/n) + j/n = τ + j(1 − τ)/n, which exceeds τ + δ only when j > nδ/(1 − τ).
 */
export function minForgedPoints(steps: number, delta: number, tolerance: number): number {
  return Math.floor((steps * delta) / (1 - tolerance)) + 1;
}

/** 1 − C(pool − m, k)/C(pool, k): k draws without replacement from `pool` hit one of `m` marked. */
export function detectionProbability(pool: number, m: number, k: number): number {
  if (m <= 0) return 0;
  if (k > pool - m) return 1;
  let miss = 1;
  for (let j = 0; j < k; j++) miss *= (pool - m - j) / (pool - j);
  return 1 - miss;
}

export interface SpotCheck {
  readonly ok: boolean;
  /** Largest |client − server| over the checked points, and where. */
  readonly maxDiff: number;
  readonly worstIndex: number;
}

/** Compares the client curve with the server's scores at `indices`. */
export function spotCheck(client: ArrayLike<number>, indices: ArrayLike<number>, server: ArrayLike<number>, tolerance: number): SpotCheck {
  let maxDiff = 0;
  let worstIndex = -1;
  for (let j = 0; j < indices.length; j++) {
    const i = indices[j] as number;
    const raw = Math.abs((client[i] as number) - (server[j] as number));
    // NaN (a missing or non-numeric client point) never passes.
    const d = Number.isNaN(raw) ? Number.POSITIVE_INFINITY : raw;
    if (worstIndex < 0 || d > maxDiff) {
      maxDiff = d;
      worstIndex = i;
    }
  }
  return { ok: worstIndex >= 0 && maxDiff <= tolerance, maxDiff, worstIndex };
}
