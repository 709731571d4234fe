import { describe, expect, it } from 'vitest';
import { bootstrapCi } from '../metrics/statistics';
import { adjacentSignificance, BOOTSTRAP_RESAMPLES, type RowInput, sortRows, summariseCell, summariseRow } from './aggregate';

const values = (pairs: [string, number][]) => new Map(pairs);

const rows: RowInput[] = [
  { id: 'low', kind: 'run', label: 'low', values: { cc: values([['i1', 0.1], ['i2', 0.2], ['i3', 0.15], ['i4', 0.1], ['i5', 0.2], ['i6', 0.1]]), kld: values([['i1', 2]]) } },
  { id: 'high', kind: 'run', label: 'high', values: { cc: values([['i1', 0.9], ['i2', 0.8], ['i3', 0.85], ['i4', 0.85], ['i5', 0.8], ['i6', 0.9]]), kld: values([['i1', 1], ['i2', 2]]) } },
  { id: 'close', kind: 'baseline', label: 'close', values: { cc: values([['i1', 0.88], ['i2', 0.81], ['i3', 0.84], ['i4', 0.86], ['i5', 0.79], ['i6', 0.89]]) } },
];

describe('leaderboard aggregation', () => {
  it('mean, sample variance (N − 1) and the bootstrap CI of a column, by hand', () => {
    const s = summariseRow(rows[1] as RowInput, ['cc', 'kld']);
    expect(s.images).toBe(6);
    expect(s.cells.cc?.n).toBe(6);
    expect(s.cells.cc?.mean).toBeCloseTo(0.85, 15);
    // deviations ±0.05 four times, 0 twice → Σd² = 4·0.0025 = 0.01 → /5 = 0.002
    expect(s.cells.cc?.variance).toBeCloseTo(0.002, 15);
    const ci = bootstrapCi([0.9, 0.8, 0.85, 0.85, 0.8, 0.9], { seed: 0, resamples: BOOTSTRAP_RESAMPLES });
    expect(s.cells.cc?.ci).toEqual({ lower: ci.lower, upper: ci.upper, level: 0.95 });
    expect(s.cells.cc?.ci?.lower).toBeLessThan(0.85);
    expect(s.cells.cc?.ci?.upper).toBeGreaterThan(0.85);
    expect(s.cells.kld).toMatchObject({ n: 2, mean: 1.5, variance: 0.5 });
  });

  it('one image has no variance or CI; no image is no cell', () => {
    expect(summariseCell([0.4])).toEqual({ n: 1, mean: 0.4, variance: null, ci: null });
    expect(summariseCell([])).toBeNull();
    expect(summariseRow(rows[2] as RowInput, ['kld']).cells.kld).toBeNull();
  });

  it('summaries do not depend on the order scores were read in', () => {
    const reversed: RowInput = { ...(rows[1] as RowInput), values: { cc: new Map([...(rows[1]?.values.cc ?? new Map())].reverse()) } };
    expect(summariseRow(reversed, ['cc']).cells.cc).toEqual(summariseRow(rows[1] as RowInput, ['cc']).cells.cc);
  });

  it('sorts better-first in the column direction, rows without the column last', () => {
    const summaries = rows.map((r) => summariseRow(r, ['cc', 'kld']));
    expect(sortRows(summaries, 'cc', 'higher').map((r) => r.id)).toEqual(['high', 'close', 'low']);
    expect(sortRows(summaries, 'kld', 'lower').map((r) => r.id)).toEqual(['high', 'low', 'close']);
  });

  it('marks a row significantly better than the next (paired, exact with 6 images) and not a near tie', () => {
    const inputs = new Map(rows.map((r) => [r.id, r]));
    const sorted = sortRows(rows.map((r) => summariseRow(r, ['cc'])), 'cc', 'higher');
    const marks = adjacentSignificance(sorted, inputs, 'cc', 'higher');
    expect(marks).toHaveLength(2);
    // high vs close: differences 0.02, −0.01, 0.01, −0.01, 0.01, 0.01 → not significant.
    expect(marks[0]).toMatchObject({ id: 'high', nextId: 'close', better: false, commonImages: 6 });
    expect(marks[0]?.p).toBeGreaterThan(0.05);
    // close vs low: all six differences positive → exact two-sided p = 2/64 = 0.03125.
    expect(marks[1]).toMatchObject({ id: 'close', nextId: 'low', better: true, commonImages: 6 });
    expect(marks[1]?.p).toBeCloseTo(2 / 64, 15);
  });

  it('for a lower-is-better column the mark needs a lower mean', () => {
    const a: RowInput = { id: 'a', kind: 'run', label: 'a', values: { kld: values(Array.from({ length: 6 }, (_, i) => [`i${i}`, 1] as [string, number])) } };
    const b: RowInput = { id: 'b', kind: 'run', label: 'b', values: { kld: values(Array.from({ length: 6 }, (_, i) => [`i${i}`, 2 + i / 10] as [string, number])) } };
    const sorted = sortRows([a, b].map((r) => summariseRow(r, ['kld'])), 'kld', 'lower');
    expect(sorted.map((r) => r.id)).toEqual(['a', 'b']);
    expect(adjacentSignificance(sorted, new Map([['a', a], ['b', b]]), 'kld', 'lower')[0]).toMatchObject({ better: true });
  });
});
