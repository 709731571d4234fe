/**
 * Leaderboard arithmetic over per-image scores (pure): per row and column the mean, the sample
 * variance (divisor N − 1, as the seed result tables), a 95 % percentile-bootstrap CI of the mean
 * and the number of images; sorting by any column in its better-first direction; and a mark where
 * a row is significantly better than the next one.
 *
 * Conventions:
 *  - Every image weighs the same; a row's cell uses the images it has a score for.
 *  - Bootstrap: lib/metrics `bootstrapCi`, BOOTSTRAP_RESAMPLES resamples, seed BOOTSTRAP_SEED
 *    (fixed, so the same scores always give the same interval). Needs ≥ 2 images.
 *  - Significance: two-sided paired sign-flip permutation test (lib/metrics
 *    `pairedPermutationTest`, PERMUTATIONS permutations, exact below 2^N ≤ PERMUTATIONS) on the
 *    images both rows have scores for; the upper row is marked when p < SIGNIFICANCE_ALPHA and its
 *    paired mean is better in the column's direction. Needs ≥ 2 common images. No correction for
 *    multiple comparisons (one test per adjacent pair, as the mark is read).
 *  - Rows without a value in the sort column go last, in input order.
 */
import { bootstrapCi, pairedPermutationTest, sampleVariance } from '../metrics/statistics';

export const BOOTSTRAP_RESAMPLES = 2000;
export const BOOTSTRAP_SEED = 0;
export const PERMUTATIONS = 10_000;
export const PERMUTATION_SEED = 0;
export const SIGNIFICANCE_ALPHA = 0.05;

export type RowKind = 'run' | 'ceiling' | 'baseline';

export interface RowInput {
  readonly id: string;
  readonly kind: RowKind;
  readonly label: string;
  /** metric → imageId → value. */
  readonly values: Readonly<Record<string, ReadonlyMap<string, number>>>;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface CellSummary {
  readonly n: number;
  readonly mean: number;
  /** Sample variance; null with one image. */
  readonly variance: number | null;
  readonly ci: { readonly lower: number; readonly upper: number; readonly level: number } | null;
}

export interface RowSummary {
  readonly id: string;
  readonly kind: RowKind;
  readonly label: string;
  readonly cells: Readonly<Record<string, CellSummary | null>>;
  /** Images with at least one score. */
  readonly images: number;
  readonly meta?: Readonly<Record<string, unknown>>;
}

export interface Significance {
  /** Row id judged against the next row in the sorted order. */
  readonly id: string;
  readonly nextId: string;
  readonly p: number;
  readonly commonImages: number;
  readonly better: boolean;
}

export function summariseCell(values: ArrayLike<number>): CellSummary | null {
  const n = values.length;
  if (n === 0) return null;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] as number;
  if (n === 1) return { n, mean: sum / n, variance: null, ci: null };
  const ci = bootstrapCi(values, { seed: BOOTSTRAP_SEED, resamples: BOOTSTRAP_RESAMPLES, level: 0.95 });
  return { n, mean: sum / n, variance: sampleVariance(values), ci: { lower: ci.lower, upper: ci.upper, level: ci.level } };
}

/** Values of a metric in a fixed image order (sorted ids), so summaries do not depend on map order. */
function orderedValues(map: ReadonlyMap<string, number> | undefined): number[] {
  if (!map) return [];
  return [...map.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
}

export function summariseRow(row: RowInput, columns: readonly string[]): RowSummary {
  const cells: Record<string, CellSummary | null> = {};
  const images = new Set<string>();
  for (const column of columns) {
    const map = row.values[column];
    for (const id of map?.keys() ?? []) images.add(id);
    cells[column] = summariseCell(orderedValues(map));
  }
  return { id: row.id, kind: row.kind, label: row.label, cells, images: images.size, ...(row.meta ? { meta: row.meta } : {}) };
}

/** Better first in the column's direction; rows without the column last, stable otherwise. */
export function sortRows<T extends RowSummary>(rows: readonly T[], column: string, direction: 'higher' | 'lower'): T[] {
  const sign = direction === 'higher' ? -1 : 1;
  return rows
    .map((row, index) => ({ row, index, mean: row.cells[column]?.mean }))
    .sort((a, b) => {
      if (a.mean === undefined || b.mean === undefined) {
        if (a.mean === b.mean) return a.index - b.index;
        return a.mean === undefined ? 1 : -1;
      }
      return a.mean === b.mean ? a.index - b.index : sign * (a.mean - b.mean);
    })
    .map((r) => r.row);
}

/** The paired test between each row and the next in `sorted` order, on their common images. */
export function adjacentSignificance(
  sorted: readonly RowSummary[],
  inputs: ReadonlyMap<string, RowInput>,
  column: string,
  direction: 'higher' | 'lower',
): Significance[] {
  const out: Significance[] = [];
  for (let k = 0; k + 1 < sorted.length; k++) {
    const upper = inputs.get((sorted[k] as RowSummary).id)?.values[column];
    const lower = inputs.get((sorted[k + 1] as RowSummary).id)?.values[column];
    if (!upper || !lower) continue;
    const common = [...upper.keys()].filter((id) => lower.has(id)).sort();
    if (common.length < 2) continue;
    const a = common.map((id) => upper.get(id) as number);
    const b = common.map((id) => lower.get(id) as number);
    const test = pairedPermutationTest(a, b, { seed: PERMUTATION_SEED, permutations: PERMUTATIONS });
    const better = direction === 'higher' ? test.meanDifference > 0 : test.meanDifference < 0;
    out.push({
      id: (sorted[k] as RowSummary).id,
      nextId: (sorted[k + 1] as RowSummary).id,
      p: test.p,
      commonImages: common.length,
      better: better && test.p < SIGNIFICANCE_ALPHA,
    });
  }
  return out;
}
