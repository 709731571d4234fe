/**
 * Human consistency: how well observers agree with each other on an image, the ceiling a saliency
 * map can hope to reach against that ground truth.
 *
 * References: Judd, Durand & Torralba (2012), "A benchmark of computational models of saliency to
 * predict human fixations", MIT tech report (MIT300's "infinite humans" and convergence analysis);
 * Wilming, Betz, Kietzmann & König (2011), "Measures and limits of models of fixation selection",
 * PLoS ONE (leave-one-subject-out upper bound); Spearman (1910) / Brown (1910) prophecy formula.
 *
 * Procedures (every map is the version's density map rule: fixations → Gaussian σ → normalised;
 * only observers with at least one fixation take part):
 *  - Leave-one-observer-out (LOO), per observer i: M₋ᵢ = map of all other observers' fixations,
 *    Mᵢ = map of i's fixations; CCᵢ = CC(M₋ᵢ, Mᵢ), NSSᵢ = NSS(M₋ᵢ, i's fixations). LOO CC/NSS =
 *    mean over observers. Needs ≥ 2 observers.
 *  - Convergence curve, for n = 1 … ⌊N/2⌋: `splits` seeded random permutations of the observers;
 *    in each, group A = the first n observers and B = the last n (disjoint while 2n ≤ N; both
 *    grow by one observer as n grows, so one permutation serves every n); CC(M_A, M_B) and the
 *    symmetric NSS ½(NSS(M_A, fix_B) + NSS(M_B, fix_A)); each averaged over the splits.
 *  - Split-half = the curve's last point (n = ⌊N/2⌋; with N odd one observer sits out each split).
 *  - Observers needed for CC ≥ 0.8: the smallest n of the curve reaching it (group size: a map of n
 *    observers agrees at CC ≥ 0.8 with an independent map of n others). When the curve stops short,
 *    it is extrapolated with the Spearman–Brown formula CCₙ = nρ / (1 + (n − 1)ρ) from the largest n
 *    (ρ = CCₙ / (n − (n − 1)CCₙ), then n* = ⌈t(1 − ρ) / (ρ(1 − t))⌉) and flagged `extrapolated`.
 *    The formula holds for the correlation of two averages of n exchangeable observers; a group map
 *    is a fixation-weighted sum of observer maps, so it is an approximation, and it is labelled so.
 * Group maps are sums of the observers' maps weighted by their blurred masses (the filtered count
 * maps are additive over fixations, lib/imaging `densityMapWithMass`), i.e. exactly the density map
 * of the pooled fixations up to a scale, which CC and NSS ignore. It turns N·splits blurs into N.
 */
import { densityMapWithMass } from '../imaging/density-map';
import { cc } from '../metrics/cc';
import { nss } from '../metrics/nss';
import type { Grid, Point } from '../metrics/types';
import { createRandom } from '../random';
import type { ObserverFixations } from './points';

/** Random splits per curve point (Judd et al. 2012 average over random splits; 10 keeps it cheap). */
export const CONSISTENCY_SPLITS = 10;
export const CONSISTENCY_SEED = 0;
/** Agreement target of "observers needed". */
export const CC_TARGET = 0.8;

export interface Agreement {
  readonly cc: number;
  readonly nss: number;
}

export interface CurvePoint extends Agreement {
  /** Observers per group. */
  readonly n: number;
  /** Images averaged (dataset curves); 1 for one image. */
  readonly images: number;
}

export interface ObserversNeeded {
  /** Group size reaching the target, or the Spearman–Brown estimate; null when it cannot be estimated. */
  readonly n: number | null;
  readonly target: number;
  readonly reached: boolean;
  readonly extrapolated: boolean;
  /** Single-observer agreement ρ implied by the point used (extrapolation only). */
  readonly singleObserverCc?: number;
}

export interface ImageConsistency {
  readonly observers: number;
  readonly loo: (Agreement & { readonly perObserver: readonly (Agreement & { readonly label: string })[] }) | null;
  readonly splitHalf: Agreement | null;
  readonly curve: readonly CurvePoint[];
  readonly observersNeeded: ObserversNeeded;
}

export interface ConsistencyOptions {
  readonly splits?: number;
  readonly seed?: number;
  readonly target?: number;
}

export interface Member {
  readonly label: string;
  readonly fixations: readonly Point[];
  /** The observer's own density map (sums to 1). */
  readonly map: Float64Array;
  /** Blurred mass of the observer's fixations (map × mass = filtered counts). */
  readonly mass: number;
}

/** Σ mass·map over members: the pooled fixations' filtered counts (see header). */
export function weightedSum(members: readonly Member[], size: number, into?: Float64Array): Float64Array {
  const out = into ?? new Float64Array(size);
  if (into) out.fill(0);
  for (const m of members) {
    const w = m.mass;
    for (let i = 0; i < size; i++) out[i] = (out[i] as number) + w * (m.map[i] as number);
  }
  return out;
}

/** Per-observer density maps at the version's σ (only observers with fixations). */
export function members(observers: readonly ObserverFixations[], width: number, height: number, sigmaPx: number): Member[] {
  return observers
    .filter((o) => o.fixations.length > 0)
    .map((o) => {
      const { map, mass } = densityMapWithMass(o.fixations, width, height, sigmaPx);
      return { label: o.label, fixations: o.fixations, map: map.data, mass };
    });
}

function grid(width: number, height: number, data: Float64Array): Grid<Float64Array> {
  return { width, height, data };
}

export function leaveOneOut(observers: readonly ObserverFixations[], width: number, height: number, sigmaPx: number): ImageConsistency['loo'] {
  return leaveOneOutOf(members(observers, width, height, sigmaPx), width, height);
}

function leaveOneOutOf(list: readonly Member[], width: number, height: number): ImageConsistency['loo'] {
  if (list.length < 2) return null;
  const total = weightedSum(list, width * height);
  const perObserver = list.map((m) => {
    const rest = grid(width, height, othersMap(total, m));
    return { label: m.label, cc: cc(rest, grid(width, height, m.map)), nss: nss(rest, m.fixations) };
  });
  const mean = (key: 'cc' | 'nss') => perObserver.reduce((s, a) => s + a[key], 0) / perObserver.length;
  return { cc: mean('cc'), nss: mean('nss'), perObserver };
}

/** Blurred counts of everyone but `member`, from the pooled `total` (rounding negatives clamped to 0). */
export function othersMap(total: Float64Array, member: Member): Float64Array {
  const others = new Float64Array(total.length);
  const w = member.mass;
  for (let i = 0; i < others.length; i++) others[i] = Math.max(0, (total[i] as number) - w * (member.map[i] as number));
  return others;
}

function shuffled(count: number, random: ReturnType<typeof createRandom>): number[] {
  const order = Array.from({ length: count }, (_, i) => i);
  for (let i = count - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  return order;
}

export function convergenceCurve(
  observers: readonly ObserverFixations[],
  width: number,
  height: number,
  sigmaPx: number,
  options: ConsistencyOptions = {},
): CurvePoint[] {
  return curveOf(members(observers, width, height, sigmaPx), width, height, options);
}

function curveOf(list: readonly Member[], width: number, height: number, options: ConsistencyOptions): CurvePoint[] {
  const curve: CurvePoint[] = [];
  const steps = curveSteps(list, width, height, options, curve);
  while (!steps.next().done);
  return curve;
}

/**
 * The curve (pushed to `out` when complete), one split at a time, yielding between splits (see
 * imageConsistencySteps). Group maps grow by one observer map per n: two additions per point.
 */
function* curveSteps(list: readonly Member[], width: number, height: number, options: ConsistencyOptions, out: CurvePoint[]): Generator<void, void, void> {
  const { splits = CONSISTENCY_SPLITS, seed = CONSISTENCY_SEED } = options;
  const size = width * height;
  const half = Math.floor(list.length / 2);
  const sumCc = new Float64Array(half + 1);
  const sumNss = new Float64Array(half + 1);
  const mapA = grid(width, height, new Float64Array(size));
  const mapB = grid(width, height, new Float64Array(size));
  const random = createRandom(seed);
  for (let s = 0; s < splits && half > 0; s++) {
    const order = shuffled(list.length, random);
    mapA.data.fill(0);
    mapB.data.fill(0);
    const fixA: Point[] = [];
    const fixB: Point[] = [];
    for (let n = 1; n <= half; n++) {
      const a = list[order[n - 1] as number] as Member;
      const b = list[order[list.length - n] as number] as Member;
      addScaled(mapA.data, a);
      addScaled(mapB.data, b);
      fixA.push(...a.fixations);
      fixB.push(...b.fixations);
      sumCc[n] = (sumCc[n] as number) + cc(mapA, mapB);
      sumNss[n] = (sumNss[n] as number) + (nss(mapA, fixB) + nss(mapB, fixA)) / 2;
    }
    yield;
  }
  for (let n = 1; n <= half; n++) out.push({ n, cc: (sumCc[n] as number) / splits, nss: (sumNss[n] as number) / splits, images: 1 });
}

function addScaled(out: Float64Array, m: Member): void {
  const w = m.mass;
  for (let i = 0; i < out.length; i++) out[i] = (out[i] as number) + w * (m.map[i] as number);
}

/** Smallest group size reaching `target` CC, or its Spearman–Brown extrapolation (see header). */
export function observersNeeded(curve: readonly CurvePoint[], target = CC_TARGET): ObserversNeeded {
  const hit = curve.find((p) => p.cc >= target);
  if (hit) return { n: hit.n, target, reached: true, extrapolated: false };
  const last = curve.at(-1);
  if (!last || !(last.cc > 0)) return { n: null, target, reached: false, extrapolated: false };
  const rho = last.cc / (last.n - (last.n - 1) * last.cc);
  const n = Math.ceil((target * (1 - rho)) / (rho * (1 - target)) - 1e-9);
  return { n, target, reached: false, extrapolated: true, singleObserverCc: rho };
}

export function imageConsistency(
  observers: readonly ObserverFixations[],
  width: number,
  height: number,
  sigmaPx: number,
  options: ConsistencyOptions = {},
): ImageConsistency {
  return imageConsistencyOf(members(observers, width, height, sigmaPx), width, height, options);
}

/** The same from observer maps already made (lib/scoring/reference shares them with the ceiling). */
export function imageConsistencyOf(list: readonly Member[], width: number, height: number, options: ConsistencyOptions = {}): ImageConsistency {
  const steps = imageConsistencySteps(list, width, height, options);
  for (;;) {
    const next = steps.next();
    if (next.done) return next.value;
  }
}

/** imageConsistencyOf one curve point at a time, so a caller in a web process can yield between. */
export function* imageConsistencySteps(list: readonly Member[], width: number, height: number, options: ConsistencyOptions = {}): Generator<void, ImageConsistency, void> {
  const loo = leaveOneOutOf(list, width, height);
  yield;
  const curve: CurvePoint[] = [];
  yield* curveSteps(list, width, height, options, curve);
  const last = curve.at(-1);
  return {
    observers: list.length,
    loo,
    splitHalf: last ? { cc: last.cc, nss: last.nss } : null,
    curve,
    observersNeeded: observersNeeded(curve, options.target ?? CC_TARGET),
  };
}

export interface DatasetConsistency {
  /** Images with at least two observers. */
  readonly images: number;
  readonly loo: Agreement | null;
  readonly splitHalf: Agreement | null;
  /** Per n, the mean over the images whose curve reaches n. */
  readonly curve: readonly CurvePoint[];
  readonly observersNeeded: ObserversNeeded;
}

type Summary = Pick<ImageConsistency, 'loo' | 'splitHalf' | 'curve'>;

function meanAgreement(values: readonly Agreement[]): Agreement | null {
  if (values.length === 0) return null;
  return { cc: values.reduce((s, a) => s + a.cc, 0) / values.length, nss: values.reduce((s, a) => s + a.nss, 0) / values.length };
}

/** Dataset ceiling: plain means over images of the per-image values (each image weighs the same). */
export function datasetConsistency(images: readonly Summary[], target = CC_TARGET): DatasetConsistency {
  const loo = images.flatMap((i) => (i.loo ? [i.loo] : []));
  const splitHalf = images.flatMap((i) => (i.splitHalf ? [i.splitHalf] : []));
  const byN = new Map<number, Agreement[]>();
  for (const image of images) for (const p of image.curve) byN.set(p.n, [...(byN.get(p.n) ?? []), p]);
  const curve = [...byN.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, points]) => ({ n, ...(meanAgreement(points) as Agreement), images: points.length }));
  return { images: loo.length, loo: meanAgreement(loo), splitHalf: meanAgreement(splitHalf), curve, observersNeeded: observersNeeded(curve, target) };
}
