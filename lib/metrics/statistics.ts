/**
 * Summary statistics and resampling tests for per-image metric scores.
 *
 * - `sampleVariance` divides by N − 1 (what the seed result tables report).
 * - `bootstrapCi`: percentile bootstrap (Efron & Tibshirani 1993, "An Introduction to the
 *   Bootstrap", ch. 13): `resamples` resamples with replacement, the statistic (mean by default) of
 *   each, and the (1 − level)/2 and (1 + level)/2 quantiles with linear interpolation between order
 *   statistics (numpy `percentile` default, Hyndman & Fan type 7).
 * - `pairedPermutationTest`: two-sided sign-flip test on the paired differences a − b (Good 2005,
 *   "Permutation, Parametric and Bootstrap Tests of Hypotheses"). When 2^N <= `permutations` every
 *   sign pattern is enumerated and p is exact; otherwise `permutations` random patterns are drawn
 *   and p = (1 + #{|mean*| >= |mean|}) / (1 + permutations) (Phipson & Smyth 2010), never 0.
 * Randomness comes from `createRandom(seed)`; same seed, same answer.
 */
import { MetricError } from './errors';
import { createRandom } from '../random';

/** Relative slack when comparing permuted means with the observed one (float summation order). */
const PERMUTATION_TIE_TOLERANCE = 1e-12;

function checkValues(fn: string, argument: string, values: ArrayLike<number>, minimum = 1): void {
  if (values.length < minimum) {
    throw new MetricError(fn, argument, minimum === 1 ? 'empty input' : `needs at least ${minimum} values, got ${values.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isFinite(v)) throw new MetricError(fn, argument, `non-finite value ${v} at index ${i}`);
  }
}

function sumOf(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i] as number;
  return s;
}

export function mean(values: ArrayLike<number>): number {
  checkValues('mean', 'values', values);
  return sumOf(values) / values.length;
}

/** Unbiased variance, divisor N − 1; needs two values. */
export function sampleVariance(values: ArrayLike<number>): number {
  checkValues('sampleVariance', 'values', values, 2);
  const m = sumOf(values) / values.length;
  let squares = 0;
  for (let i = 0; i < values.length; i++) {
    const d = (values[i] as number) - m;
    squares += d * d;
  }
  return squares / (values.length - 1);
}

/** Quantile q in [0,1] of ascending-sorted values, linear interpolation (type 7). */
function quantileSorted(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.min(lower + 1, sorted.length - 1);
  const weight = position - lower;
  return (sorted[lower] as number) * (1 - weight) + (sorted[upper] as number) * weight;
}

export function median(values: ArrayLike<number>): number {
  checkValues('median', 'values', values);
  return quantileSorted(Float64Array.from(values).sort(), 0.5);
}

export interface BootstrapOptions {
  readonly seed: number;
  readonly resamples?: number;
  readonly level?: number;
  /** Statistic of a sample; the mean by default. */
  readonly statistic?: (sample: Float64Array) => number;
}

export interface ConfidenceInterval {
  readonly estimate: number;
  readonly lower: number;
  readonly upper: number;
  readonly level: number;
}

export function bootstrapCi(values: ArrayLike<number>, options: BootstrapOptions): ConfidenceInterval {
  const { seed, resamples = 10_000, level = 0.95 } = options;
  const statistic = options.statistic ?? ((sample: Float64Array) => sumOf(sample) / sample.length);
  checkValues('bootstrapCi', 'values', values);
  if (!Number.isInteger(resamples) || resamples < 1) throw new MetricError('bootstrapCi', 'resamples', `must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw new MetricError('bootstrapCi', 'level', `must be in (0, 1), got ${level}`);
  const n = values.length;
  const random = createRandom(seed);
  const sample = new Float64Array(n);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = values[random.int(n)] as number;
    stats[r] = statistic(sample);
  }
  stats.sort();
  return {
    estimate: statistic(Float64Array.from(values)),
    lower: quantileSorted(stats, (1 - level) / 2),
    upper: quantileSorted(stats, (1 + level) / 2),
    level,
  };
}

export interface PermutationOptions {
  readonly seed: number;
  readonly permutations?: number;
}

export interface PermutationResult {
  /** Two-sided p-value. */
  readonly p: number;
  /** mean(a − b). */
  readonly meanDifference: number;
  /** True when every sign pattern was enumerated. */
  readonly exact: boolean;
}

export function pairedPermutationTest(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  options: PermutationOptions,
): PermutationResult {
  const { seed, permutations = 10_000 } = options;
  checkValues('pairedPermutationTest', 'a', a);
  checkValues('pairedPermutationTest', 'b', b);
  if (a.length !== b.length) throw new MetricError('pairedPermutationTest', 'b', `length ${b.length} does not match a (${a.length})`);
  if (!Number.isInteger(permutations) || permutations < 1) {
    throw new MetricError('pairedPermutationTest', 'permutations', `must be a positive integer, got ${permutations}`);
  }
  const n = a.length;
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = (a[i] as number) - (b[i] as number);
  const observed = Math.abs(sumOf(d));
  const threshold = observed - PERMUTATION_TIE_TOLERANCE * Math.max(observed, sumOf(d.map(Math.abs)));
  const meanDifference = sumOf(d) / n;

  if (n < 31 && 2 ** n <= permutations) {
    let extreme = 0;
    const patterns = 2 ** n;
    for (let signs = 0; signs < patterns; signs++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += (signs >> i) & 1 ? -(d[i] as number) : (d[i] as number);
      if (Math.abs(s) >= threshold) extreme++;
    }
    return { p: extreme / patterns, meanDifference, exact: true };
  }
  const random = createRandom(seed);
  let extreme = 0;
  for (let r = 0; r < permutations; r++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += random.next() < 0.5 ? -(d[i] as number) : (d[i] as number);
    if (Math.abs(s) >= threshold) extreme++;
  }
  return { p: (extreme + 1) / (permutations + 1), meanDifference, exact: false };
}
