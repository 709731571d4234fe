/**
 * Noisy linear imputation for ROAD (lib/metrics/road.ts): Rong et al. (2022), reference
 * tleemann/road_evaluation `road/imputations.py` `NoisyLinearImputer`. Each removed pixel equals
 * the weighted mean of its in-image neighbours (1/6 direct, 1/12 diagonal, renormalised at the
 * border); all removed pixels of a channel are solved together by conjugate gradients
 * preconditioned with an aggregation multigrid V-cycle (see road.ts for the conventions).
 */
import { MetricError } from './errors';
import type { ModelImage } from './insertion-deletion';
import type { Random } from '../random';

const METRIC = 'road';
const DIRECT_WEIGHT = 1 / 6;
const DIAGONAL_WEIGHT = 1 / 12;
const NEIGHBOURS: ReadonlyArray<readonly [number, number, number]> = [
  [-1, -1, DIAGONAL_WEIGHT], [0, -1, DIRECT_WEIGHT], [1, -1, DIAGONAL_WEIGHT], [-1, 0, DIRECT_WEIGHT],
  [1, 0, DIRECT_WEIGHT], [-1, 1, DIAGONAL_WEIGHT], [0, 1, DIRECT_WEIGHT], [1, 1, DIAGONAL_WEIGHT],
];
const CG_RELATIVE_TOLERANCE = 1e-10;
/** Coarsest multigrid level is solved exactly (dense Cholesky) once it has at most this many unknowns. */
const COARSEST_UNKNOWNS = 400;
/**
 * Over-correction of the piecewise-constant coarse-grid correction (Vaněk, Mandel & Brezina 1996:
 * plain aggregation under-corrects smooth errors by about 2 in 2-D). Below 2 the two-level
 * correction stays an A-norm contraction, so the preconditioner remains SPD; 1.8 halves the
 * iterations compared with 1.
 */
const COARSE_CORRECTION_WEIGHT = 1.8;

/**
 * Symmetric positive definite sparse matrix of one multigrid level: A[i][i] = diag[i], and the
 * off-diagonal entries of row i are values[e] at column cols[e], e in start[i]..start[i+1).
 * Unknown i sits at pixel (x[i], y[i]) of this level's grid.
 */
interface Level {
  readonly n: number;
  readonly diag: Float64Array;
  readonly start: Int32Array;
  readonly cols: Int32Array;
  readonly values: Float64Array;
  readonly x: Int32Array;
  readonly y: Int32Array;
  /** Unknown → unknown of the next level (its 2×2 aggregate), absent on the coarsest level. */
  aggregate?: Int32Array;
  coarse?: Level;
  /** Dense Cholesky factor (row-major lower triangle) on the coarsest level. */
  cholesky?: Float64Array;
}

/** Galerkin coarse level RᵀAR for piecewise-constant aggregation of 2×2 pixel blocks. */
function coarsen(fine: Level): Level {
  let gw = 0;
  let gh = 0;
  for (let i = 0; i < fine.n; i++) {
    gw = Math.max(gw, ((fine.x[i] as number) >> 1) + 1);
    gh = Math.max(gh, ((fine.y[i] as number) >> 1) + 1);
  }
  const slot = new Int32Array(gw * gh).fill(-1);
  const aggregate = new Int32Array(fine.n);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < fine.n; i++) {
    const cx = (fine.x[i] as number) >> 1;
    const cy = (fine.y[i] as number) >> 1;
    let c = slot[cy * gw + cx] as number;
    if (c < 0) {
      c = xs.push(cx) - 1;
      ys.push(cy);
      slot[cy * gw + cx] = c;
    }
    aggregate[i] = c;
  }
  const n = xs.length;
  const diag = new Float64Array(n);
  const stencil = new Float64Array(n * 9); // 3×3 neighbourhood of each aggregate
  for (let i = 0; i < fine.n; i++) {
    const a = aggregate[i] as number;
    diag[a] = (diag[a] as number) + (fine.diag[i] as number);
    for (let e = fine.start[i] as number; e < (fine.start[i + 1] as number); e++) {
      const b = aggregate[fine.cols[e] as number] as number;
      if (b === a) diag[a] = (diag[a] as number) + (fine.values[e] as number);
      else {
        const k = a * 9 + ((ys[b] as number) - (ys[a] as number) + 1) * 3 + ((xs[b] as number) - (xs[a] as number) + 1);
        stencil[k] = (stencil[k] as number) + (fine.values[e] as number);
      }
    }
  }
  const start = new Int32Array(n + 1);
  const cols: number[] = [];
  const values: number[] = [];
  for (let a = 0; a < n; a++) {
    for (let k = 0; k < 9; k++) {
      const v = stencil[a * 9 + k] as number;
      if (v === 0) continue;
      cols.push(slot[((ys[a] as number) + Math.floor(k / 3) - 1) * gw + (xs[a] as number) + (k % 3) - 1] as number);
      values.push(v);
    }
    start[a + 1] = cols.length;
  }
  fine.aggregate = aggregate;
  return { n, diag, start, cols: Int32Array.from(cols), values: Float64Array.from(values), x: Int32Array.from(xs), y: Int32Array.from(ys) };
}

function denseCholesky(level: Level): Float64Array {
  const { n } = level;
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    a[i * n + i] = level.diag[i] as number;
    for (let e = level.start[i] as number; e < (level.start[i + 1] as number); e++) a[i * n + (level.cols[e] as number)] = level.values[e] as number;
  }
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j] as number;
    for (let k = 0; k < j; k++) d -= (a[j * n + k] as number) ** 2;
    const l = Math.sqrt(d);
    a[j * n + j] = l;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j] as number;
      for (let k = 0; k < j; k++) s -= (a[i * n + k] as number) * (a[j * n + k] as number);
      a[i * n + j] = s / l;
    }
  }
  return a;
}

function buildHierarchy(fine: Level): Level {
  let level = fine;
  while (level.n > COARSEST_UNKNOWNS) {
    const next = coarsen(level);
    level.coarse = next;
    level = next;
  }
  level.cholesky = denseCholesky(level);
  return fine;
}

function multiply(level: Level, v: Float64Array, out: Float64Array): void {
  for (let i = 0; i < level.n; i++) {
    let s = (level.diag[i] as number) * (v[i] as number);
    for (let e = level.start[i] as number; e < (level.start[i + 1] as number); e++) s += (level.values[e] as number) * (v[level.cols[e] as number] as number);
    out[i] = s;
  }
}

function gaussSeidel(level: Level, b: Float64Array, x: Float64Array, forward: boolean): void {
  for (let k = 0; k < level.n; k++) {
    const i = forward ? k : level.n - 1 - k;
    let s = b[i] as number;
    for (let e = level.start[i] as number; e < (level.start[i + 1] as number); e++) s -= (level.values[e] as number) * (x[level.cols[e] as number] as number);
    x[i] = s / (level.diag[i] as number);
  }
}

/**
 * One symmetric V-cycle (forward Gauss-Seidel, Galerkin coarse correction, backward
 * Gauss-Seidel; exact solve at the bottom): an SPD approximation of A⁻¹b, used to precondition CG.
 */
function vCycle(level: Level, b: Float64Array): Float64Array {
  const { n } = level;
  const x = new Float64Array(n);
  if (level.cholesky !== undefined) {
    const l = level.cholesky;
    for (let i = 0; i < n; i++) {
      let s = b[i] as number;
      for (let k = 0; k < i; k++) s -= (l[i * n + k] as number) * (x[k] as number);
      x[i] = s / (l[i * n + i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i] as number;
      for (let k = i + 1; k < n; k++) s -= (l[k * n + i] as number) * (x[k] as number);
      x[i] = s / (l[i * n + i] as number);
    }
    return x;
  }
  const coarse = level.coarse as Level;
  const aggregate = level.aggregate as Int32Array;
  gaussSeidel(level, b, x, true);
  const ax = new Float64Array(n);
  multiply(level, x, ax);
  const rc = new Float64Array(coarse.n);
  for (let i = 0; i < n; i++) {
    const a = aggregate[i] as number;
    rc[a] = (rc[a] as number) + (b[i] as number) - (ax[i] as number);
  }
  const ec = vCycle(coarse, rc);
  for (let i = 0; i < n; i++) x[i] = (x[i] as number) + COARSE_CORRECTION_WEIGHT * (ec[aggregate[i] as number] as number);
  gaussSeidel(level, b, x, false);
  return x;
}

/** Solve A x = b by conjugate gradients preconditioned with the multigrid V-cycle. */
function solve(hierarchy: Level, b: Float64Array): Float64Array {
  const { n } = hierarchy;
  const x = new Float64Array(n);
  let bNorm = 0;
  for (let i = 0; i < n; i++) bNorm += (b[i] as number) ** 2;
  if (bNorm === 0) return x;
  const r = Float64Array.from(b);
  let z = vCycle(hierarchy, r);
  const p = Float64Array.from(z);
  const q = new Float64Array(n);
  let rz = 0;
  for (let i = 0; i < n; i++) rz += (r[i] as number) * (z[i] as number);
  const limit = Math.max(200, n);
  for (let iteration = 0; iteration < limit; iteration++) {
    multiply(hierarchy, p, q);
    let pq = 0;
    for (let i = 0; i < n; i++) pq += (p[i] as number) * (q[i] as number);
    if (!(pq > 0)) break;
    const alpha = rz / pq;
    let rNorm = 0;
    for (let i = 0; i < n; i++) {
      x[i] = (x[i] as number) + alpha * (p[i] as number);
      r[i] = (r[i] as number) - alpha * (q[i] as number);
      rNorm += (r[i] as number) ** 2;
    }
    if (rNorm <= CG_RELATIVE_TOLERANCE ** 2 * bNorm) return x;
    z = vCycle(hierarchy, r);
    let rzNext = 0;
    for (let i = 0; i < n; i++) rzNext += (r[i] as number) * (z[i] as number);
    if (!(rzNext > 0)) break;
    const beta = rzNext / rz;
    rz = rzNext;
    for (let i = 0; i < n; i++) p[i] = (z[i] as number) + beta * (p[i] as number);
  }
  throw new MetricError(METRIC, 'image', `noisy linear imputation did not converge (${limit} iterations at most)`);
}

/**
 * Noisy linear imputation (reference NoisyLinearImputer). `removed[i] = 1` marks pixel i
 * (row-major) as removed; returns a new HWC image with the removed pixels imputed.
 */
export function noisyLinearImpute(image: ModelImage, removed: Uint8Array, noiseSd: number, random: Random): Float32Array {
  const { width, height, channels, data } = image;
  const n = width * height;
  if (removed.length !== n) throw new MetricError(METRIC, 'removed', `has ${removed.length} values, expected ${n}`);
  if (!(noiseSd >= 0 && Number.isFinite(noiseSd))) throw new MetricError(METRIC, 'noiseSd', `must be finite and >= 0, got ${noiseSd}`);
  const variable = new Int32Array(n).fill(-1);
  const pixels: number[] = [];
  for (let i = 0; i < n; i++) if (removed[i] === 1) variable[i] = pixels.push(i) - 1;
  const out = Float32Array.from(data);
  const m = pixels.length;
  if (m === 0) return out;
  if (m === n) throw new MetricError(METRIC, 'removed', 'every pixel is removed; nothing to impute from');

  const diag = new Float64Array(m);
  const start = new Int32Array(m + 1);
  const cols: number[] = [];
  const values: number[] = [];
  const xs = new Int32Array(m);
  const ys = new Int32Array(m);
  const b = Array.from({ length: channels }, () => new Float64Array(m));
  for (let v = 0; v < m; v++) {
    const pixel = pixels[v] as number;
    const x = pixel % width;
    const y = (pixel - x) / width;
    xs[v] = x;
    ys[v] = y;
    for (const [dx, dy, w] of NEIGHBOURS) {
      const nx = x + dx;
      const ny = y + dy;
      if (nx < 0 || ny < 0 || nx >= width || ny >= height) continue;
      diag[v] = (diag[v] as number) + w;
      const neighbour = ny * width + nx;
      const u = variable[neighbour] as number;
      if (u >= 0) {
        cols.push(u);
        values.push(-w);
      } else {
        for (let c = 0; c < channels; c++) {
          const rhs = b[c] as Float64Array;
          rhs[v] = (rhs[v] as number) + w * (data[neighbour * channels + c] as number);
        }
      }
    }
    start[v + 1] = cols.length;
  }
  const hierarchy = buildHierarchy({ n: m, diag, start, cols: Int32Array.from(cols), values: Float64Array.from(values), x: xs, y: ys });
  for (let c = 0; c < channels; c++) {
    const solution = solve(hierarchy, b[c] as Float64Array);
    for (let v = 0; v < m; v++) {
      const noise = noiseSd === 0 ? 0 : noiseSd * random.normal();
      out[(pixels[v] as number) * channels + c] = (solution[v] as number) + noise;
    }
  }
  return out;
}
