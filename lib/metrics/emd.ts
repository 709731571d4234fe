/**
 * Earth Mover's Distance (EMD, Wasserstein-1) between a saliency map and a fixation density map.
 *
 * Paper: Rubner, Tomasi & Guibas (2000), "The Earth Mover's Distance as a metric for image
 * retrieval", IJCV 40(2); as a saliency metric: Judd, Durand & Torralba (2012), MIT tech report;
 * Bylinskii et al. (2019), IEEE TPAMI 41(3). Lower is better; 0 for identical maps.
 * Reference: MIT saliency benchmark `EMD.m` (cvzoya/saliency), which shrinks the fixation map by a
 * fixed factor 1/32 with MATLAB `imresize` (bicubic, anti-aliased), resizes the saliency map to
 * that size, histogram-matches it to the fixation map (`histMatchMaps`), divides both by their
 * sums and solves the exact transport with Pele & Werman's FastEMD (`emd_hat_gd_metric_mex`,
 * extra mass penalty 0) under the Euclidean ground distance between cells, in cell units.
 * Our conventions (pysaliency has no EMD to follow):
 * - Each map becomes a density as in pysaliency SIM/KLD (shift by the minimum only if negative,
 *   divide by the sum, all-zero → uniform).
 * - Maps whose long side exceeds `maxSide` (default 32) are shrunk so that the long side is exactly
 *   `maxSide` and the short side is round(short·maxSide/long) (≥ 1), by area averaging
 *   (lib/imaging `resizeArea`): each coarse cell gets exactly the mass that falls inside it. For
 *   MIT300's 1024×768 images this is MIT's 32×24; MIT's fixed 1/32 would give 20×15 for 640×480.
 * - No histogram matching: it replaces the saliency values by the fixation map's and so scores a
 *   different map than the one submitted.
 * - Ground distance: Euclidean between cell centres, in coarse cells; the score is the minimum total
 *   cost of moving one unit of mass.
 * Solver: exact. With a metric ground distance only the difference p − q matters
 * (Kantorovich–Rubinstein), so cells with surplus supply the cells with deficit; the transportation
 * problem is solved by a primal network simplex written here (Dantzig; strongly feasible spanning
 * trees, Cunningham 1976; block-search pricing as in LEMON, Kovács 2015), not an approximation.
 */
import { resizeArea } from '../imaging/resize';
import { densityValues } from '../imaging/normalize';
import { MetricError } from './errors';
import type { Grid, Point } from './types';
import { checkPair } from './validate';

/** Long side of the coarse grid (MIT EMD.m: 1024×768 images shrunk 32× → 32×24). */
export const EMD_MAX_SIDE = 32;
/** Relative mismatch of total masses that `emdDistributions` accepts (float sums of 1s). */
export const EMD_MASS_TOLERANCE = 1e-9;
/** An arc enters the basis only if its reduced cost is below −this (in distance units). */
const REDUCED_COST_TOLERANCE = 1e-10;
const MIN_BLOCK = 10;

export interface EmdOptions {
  maxSide?: number;
}

export interface TransportSolution {
  /** Minimum Σ flow·cost. */
  cost: number;
  /** Basic flows (from supply index, to demand index, amount), zero flows omitted. */
  flows: Array<{ from: number; to: number; amount: number }>;
  /** Dual potentials: u_i + v_j <= cost(i, j) up to the pricing tolerance, Σ a·u + Σ b·v = cost. */
  potentialsSupply: Float64Array;
  potentialsDemand: Float64Array;
}

/**
 * Exact transportation problem: supply a (length m), demand b (length n, Σb = Σa), cost matrix
 * `cost` (m×n, row-major, non-negative). Primal network simplex on the bipartite graph plus an
 * artificial root joined to every node (LEMON's start: supply nodes send to the root at cost 0,
 * the root feeds demand nodes at a prohibitive cost). Leaving arc: the last blocking arc met going
 * round the cycle from the join node in the direction of flow, which keeps the tree strongly
 * feasible and rules out cycling in degenerate pivots.
 */
export function solveTransport(a: ArrayLike<number>, b: ArrayLike<number>, cost: Float64Array): TransportSolution {
  const m = a.length;
  const n = b.length;
  const arcs = m * n;
  const root = m + n;
  const nodes = root + 1;
  let maxCost = 0;
  for (let e = 0; e < arcs; e++) maxCost = Math.max(maxCost, cost[e] as number);
  const artificialCost = (maxCost + 1) * nodes;
  const flow = new Float64Array(arcs + root);
  const inTree = new Uint8Array(arcs);
  const parent = new Int32Array(nodes).fill(-1);
  const pred = new Int32Array(nodes).fill(-1); // arc to the parent
  const up = new Uint8Array(nodes); // 1: pred arc points from the node to its parent
  const depth = new Int32Array(nodes);
  const pi = new Float64Array(nodes);
  const adjacency: number[][] = Array.from({ length: nodes }, () => []);
  const source = (e: number): number => (e < arcs ? Math.floor(e / n) : e - arcs < m ? e - arcs : root);
  const target = (e: number): number => (e < arcs ? m + (e % n) : e - arcs < m ? root : e - arcs);
  const arcCost = (e: number): number => (e < arcs ? (cost[e] as number) : e - arcs < m ? 0 : artificialCost);
  for (let u = 0; u < root; u++) {
    const e = arcs + u;
    parent[u] = root;
    pred[u] = e;
    depth[u] = 1;
    up[u] = u < m ? 1 : 0;
    flow[e] = u < m ? (a[u] as number) : (b[u - m] as number);
    pi[u] = u < m ? 0 : artificialCost;
    adjacency[u]?.push(e);
    adjacency[root]?.push(e);
  }

  const removeAdjacent = (u: number, e: number): void => {
    const list = adjacency[u] as number[];
    const k = list.indexOf(e);
    list[k] = list[list.length - 1] as number;
    list.pop();
  };
  // Re-hang the subtree now rooted at `top` under `above` (through arc `link`): parent, depth,
  // arc direction and potentials of every node in it, by an explicit-stack DFS.
  const stack: number[] = [];
  const rehang = (top: number, above: number, link: number): void => {
    parent[top] = above;
    pred[top] = link;
    stack.push(top);
    while (stack.length > 0) {
      const v = stack.pop() as number;
      const e = pred[v] as number;
      const p = parent[v] as number;
      up[v] = source(e) === v ? 1 : 0;
      depth[v] = (depth[p] as number) + 1;
      pi[v] = (pi[p] as number) + (up[v] ? -arcCost(e) : arcCost(e));
      for (const f of adjacency[v] as number[]) {
        if (f === e) continue;
        const w = source(f) === v ? target(f) : source(f);
        parent[w] = v;
        pred[w] = f;
        stack.push(w);
      }
    }
  };

  const block = Math.max(MIN_BLOCK, Math.ceil(Math.sqrt(arcs)));
  let next = 0;
  for (;;) {
    // Block search pricing: scan `block` arcs at a time from where the last search stopped and
    // take the most negative reduced cost c_e + π_source − π_target of the first block with one.
    let entering = -1;
    let best = -REDUCED_COST_TOLERANCE;
    let scanned = 0;
    let e = next;
    let i = Math.floor(e / n);
    let j = e - i * n;
    let piSource = pi[i] as number;
    for (let k = 0; k < arcs; k++) {
      if (!inTree[e]) {
        const reduced = (cost[e] as number) + piSource - (pi[m + j] as number);
        if (reduced < best) {
          best = reduced;
          entering = e;
        }
      }
      e++;
      if (++j === n) {
        j = 0;
        if (++i === m) {
          i = 0;
          e = 0;
        }
        piSource = pi[i] as number;
      }
      if (++scanned === block) {
        if (entering >= 0) break;
        scanned = 0;
      }
    }
    if (entering < 0) break;
    next = e;

    // Cycle: entering arc first → second, tree path back through the join node.
    const first = Math.floor(entering / n);
    const second = m + (entering % n);
    let u = first;
    let v = second;
    while (u !== v) {
      if ((depth[u] as number) >= (depth[v] as number)) u = parent[u] as number;
      else v = parent[v] as number;
    }
    const join = u;
    let delta = Infinity;
    let out = -1;
    let outSide = 0;
    for (u = first; u !== join; u = parent[u] as number) {
      const d = up[u] ? (flow[pred[u] as number] as number) : Infinity;
      if (d < delta) [delta, out, outSide] = [d, u, 1];
    }
    for (u = second; u !== join; u = parent[u] as number) {
      const d = up[u] ? Infinity : (flow[pred[u] as number] as number);
      if (d <= delta) [delta, out, outSide] = [d, u, 2];
    }
    if (out < 0) throw new MetricError('emd', 'cost', 'unbounded transport problem (negative cost cycle)');

    if (delta > 0) {
      flow[entering] = (flow[entering] as number) + delta;
      for (u = first; u !== join; u = parent[u] as number) {
        const e = pred[u] as number;
        flow[e] = (flow[e] as number) + (up[u] ? -delta : delta);
      }
      for (u = second; u !== join; u = parent[u] as number) {
        const e = pred[u] as number;
        flow[e] = (flow[e] as number) + (up[u] ? delta : -delta);
      }
    }
    const leaving = pred[out] as number;
    flow[leaving] = 0;
    removeAdjacent(out, leaving);
    removeAdjacent(parent[out] as number, leaving);
    if (leaving < arcs) inTree[leaving] = 0;
    inTree[entering] = 1;
    adjacency[first]?.push(entering);
    adjacency[second]?.push(entering);
    if (outSide === 1) rehang(first, second, entering);
    else rehang(second, first, entering);
  }

  let total = 0;
  const flows: TransportSolution['flows'] = [];
  for (let e = 0; e < arcs; e++) {
    if (!inTree[e] || flow[e] === 0) continue;
    total += (flow[e] as number) * (cost[e] as number);
    flows.push({ from: Math.floor(e / n), to: e % n, amount: flow[e] as number });
  }
  const potentialsSupply = Float64Array.from({ length: m }, (_, i) => -(pi[i] as number));
  const potentialsDemand = Float64Array.from({ length: n }, (_, j) => pi[m + j] as number);
  return { cost: total, flows, potentialsSupply, potentialsDemand };
}

function checkWeights(argument: string, weights: ArrayLike<number>, points: readonly Point[]): number {
  if (weights.length !== points.length) {
    throw new MetricError('emdDistributions', argument, `${weights.length} weights for ${points.length} points`);
  }
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    const p = points[i] as Point;
    if (!Number.isFinite(w) || w < 0) throw new MetricError('emdDistributions', argument, `weight ${i} must be finite and >= 0, got ${w}`);
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new MetricError('emdDistributions', argument, `point ${i} is not finite`);
    total += w;
  }
  if (!(total > 0)) throw new MetricError('emdDistributions', argument, 'total weight is 0');
  return total;
}

/**
 * Exact EMD between weighted point sets (Euclidean ground distance): the minimum Σ flow·distance
 * moving weightsA onto weightsB. Total weights must agree (relative EMD_MASS_TOLERANCE); the cost
 * is not divided by the total.
 */
export function emdDistributions(
  weightsA: ArrayLike<number>,
  pointsA: readonly Point[],
  weightsB: ArrayLike<number>,
  pointsB: readonly Point[],
): number {
  const totalA = checkWeights('weightsA', weightsA, pointsA);
  const totalB = checkWeights('weightsB', weightsB, pointsB);
  if (Math.abs(totalA - totalB) > EMD_MASS_TOLERANCE * Math.max(totalA, totalB)) {
    throw new MetricError('emdDistributions', 'weightsB', `total ${totalB} differs from weightsA total ${totalA}`);
  }
  // Points without mass cannot change the optimum; dropping them shrinks the problem.
  const keepA = Array.from({ length: pointsA.length }, (_, i) => i).filter((i) => (weightsA[i] as number) > 0);
  const keepB = Array.from({ length: pointsB.length }, (_, j) => j).filter((j) => (weightsB[j] as number) > 0);
  const cost = new Float64Array(keepA.length * keepB.length);
  keepA.forEach((i, r) => {
    const p = pointsA[i] as Point;
    keepB.forEach((j, c) => {
      const q = pointsB[j] as Point;
      cost[r * keepB.length + c] = Math.hypot(p.x - q.x, p.y - q.y);
    });
  });
  const a = keepA.map((i) => weightsA[i] as number);
  const b = keepB.map((j) => weightsB[j] as number);
  return solveTransport(a, b, cost).cost;
}

/** Coarse grid size: long side `maxSide`, short side scaled and rounded (see header). */
export function emdGridSize(width: number, height: number, maxSide = EMD_MAX_SIDE): { width: number; height: number } {
  const long = Math.max(width, height);
  if (long <= maxSide) return { width, height };
  const scale = maxSide / long;
  return {
    width: width >= height ? maxSide : Math.max(1, Math.round(width * scale)),
    height: height > width ? maxSide : Math.max(1, Math.round(height * scale)),
  };
}

/** EMD between the two maps as distributions on the coarse grid (see header). */
export function emd(saliency: Grid, density: Grid, options: EmdOptions = {}): number {
  checkPair('emd', saliency, 'saliency', density, 'density');
  const maxSide = options.maxSide ?? EMD_MAX_SIDE;
  if (!Number.isInteger(maxSide) || maxSide < 1) throw new MetricError('emd', 'maxSide', `must be a positive integer, got ${maxSide}`);
  const { width, height } = emdGridSize(saliency.width, saliency.height, maxSide);
  const coarse = (grid: Grid): Float64Array => {
    const full = { width: grid.width, height: grid.height, data: densityValues(grid.data) };
    return densityValues(resizeArea(full, width, height).data);
  };
  const p = coarse(saliency);
  const q = coarse(density);
  const supply: number[] = [];
  const demand: number[] = [];
  const from: Point[] = [];
  const to: Point[] = [];
  for (let i = 0; i < p.length; i++) {
    const d = (p[i] as number) - (q[i] as number);
    const cell = { x: i % width, y: Math.floor(i / width) };
    if (d > 0) {
      supply.push(d);
      from.push(cell);
    } else if (d < 0) {
      demand.push(-d);
      to.push(cell);
    }
  }
  if (supply.length === 0 || demand.length === 0) return 0;
  const cost = new Float64Array(supply.length * demand.length);
  for (let i = 0; i < from.length; i++) {
    const s = from[i] as Point;
    for (let j = 0; j < to.length; j++) {
      const t = to[j] as Point;
      cost[i * to.length + j] = Math.hypot(s.x - t.x, s.y - t.y);
    }
  }
  return solveTransport(supply, demand, cost).cost;
}
