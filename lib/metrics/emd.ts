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
import { solveTransport } from './transport-simplex';
import { checkPair } from './validate';

/** Long side of the coarse grid (MIT EMD.m: 1024×768 images shrunk 32× → 32×24). */
export const EMD_MAX_SIDE = 32;
/** Relative mismatch of total masses that `emdDistributions` accepts (float sums of 1s). */
export const EMD_MASS_TOLERANCE = 1e-9;
export interface EmdOptions {
  maxSide?: number;
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

/** Exact transport cost between weighted point sets under the Euclidean ground distance. */
function euclideanTransport(a: readonly number[], from: readonly Point[], b: readonly number[], to: readonly Point[]): number {
  const cost = new Float64Array(a.length * b.length);
  from.forEach((p, i) => to.forEach((q, j) => (cost[i * b.length + j] = Math.sqrt((p.x - q.x) ** 2 + (p.y - q.y) ** 2))));
  return solveTransport(a, b, cost).cost;
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
  const keepA = pointsA.map((_, i) => i).filter((i) => (weightsA[i] as number) > 0);
  const keepB = pointsB.map((_, j) => j).filter((j) => (weightsB[j] as number) > 0);
  return euclideanTransport(
    keepA.map((i) => weightsA[i] as number),
    keepA.map((i) => pointsA[i] as Point),
    keepB.map((j) => weightsB[j] as number),
    keepB.map((j) => pointsB[j] as Point),
  );
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
  return supply.length === 0 || demand.length === 0 ? 0 : euclideanTransport(supply, from, demand, to);
}
