import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grid, points, reference } from '@/tests/fixtures/reference';
import { aucJudd } from './auc-judd';
import type { Grid, Point } from './types';

// Reference values: pysaliency AUC_Judd(jitter=False) (tests/fixtures/reference-metrics.README.md).

/** Naive transcription of pysaliency general_roc(judd=1): one pass over all values per threshold. */
function naiveAucJudd(values: number[], fixated: number[]): number {
  const fixedSet = new Set(fixated);
  const positives = fixated.map((i) => values[i] as number);
  const negatives = values.filter((_, i) => !fixedSet.has(i));
  const thresholds = [Math.max(...values) + 1, ...[...positives].sort((a, b) => b - a), Math.min(...values)];
  const tp = [0];
  const fp = [0];
  for (const t of thresholds) {
    tp.push(positives.filter((v) => v >= t).length / positives.length);
    fp.push(negatives.filter((v) => v >= t).length / negatives.length);
  }
  let area = 0;
  for (let i = 1; i < tp.length; i++) area += (((fp[i] as number) - (fp[i - 1] as number)) * ((tp[i] as number) + (tp[i - 1] as number))) / 2;
  return area;
}

describe('aucJudd', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches pysaliency on %s at 1e-9', (_, c) => {
    expect(Math.abs(aucJudd(grid(c.saliency), points(c.fixations)) - (c.expected.aucJudd as number))).toBeLessThan(1e-9);
  });

  it('hand case: ROC (0,0) (0,.5) (.5,1) (1,1) has area 0.875', () => {
    const s: Grid = { width: 4, height: 1, data: Float64Array.from([0.1, 0.4, 0.5, 0.8]) };
    expect(aucJudd(s, [{ x: 1, y: 0 }, { x: 3, y: 0 }])).toBeCloseTo(0.875, 15);
  });

  it('a perfect map scores 1; its negation 0.5 (thresholds only at fixated values: one step to (1,1))', () => {
    const data = new Float64Array(30);
    const fix = [3, 17, 17, 29].map((i) => ({ x: i % 6, y: Math.floor(i / 6) }));
    for (const p of fix) data[p.y * 6 + p.x] = 1;
    expect(aucJudd({ width: 6, height: 5, data }, fix)).toBe(1);
    expect(aucJudd({ width: 6, height: 5, data: data.map((v) => -v) }, fix)).toBe(0.5);
  });

  it('equals the naive per-threshold ROC (ties and duplicate fixations included); inputs not modified', () => {
    const arb = fc.record({
      values: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 20, maxLength: 20 }),
      fix: fc.array(fc.nat({ max: 19 }), { minLength: 1, maxLength: 10 }),
    });
    fc.assert(
      fc.property(arb, ({ values, fix }) => {
        fc.pre(new Set(fix).size < 20);
        const data = Float32Array.from(values);
        const before = Float32Array.from(data);
        const got = aucJudd({ width: 5, height: 4, data }, fix.map((i) => ({ x: i % 5, y: Math.floor(i / 5) })));
        expect(data).toEqual(before);
        expect(got).toBeCloseTo(naiveAucJudd(values, fix), 12);
      }),
    );
  });

  it('equals the naive ROC on continuous values (bucket table boundaries, many fixations)', () => {
    const arb = fc.record({
      values: fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { minLength: 60, maxLength: 60 }),
      fix: fc.array(fc.nat({ max: 59 }), { minLength: 1, maxLength: 40 }),
    });
    fc.assert(
      fc.property(arb, ({ values, fix }) => {
        fc.pre(new Set(fix).size < 60);
        const got = aucJudd({ width: 10, height: 6, data: Float64Array.from(values) }, fix.map((i) => ({ x: i % 10, y: Math.floor(i / 10) })));
        expect(got).toBeCloseTo(naiveAucJudd(values, fix), 12);
      }),
    );
  });

  it('bad input names the argument', () => {
    const s: Grid = { width: 2, height: 1, data: Float64Array.from([0, 1]) };
    expect(() => aucJudd(s, [{ x: 0, y: 0 }, { x: 1, y: 0 }])).toThrow(/aucJudd: fixations: every pixel is fixated/);
    expect(() => aucJudd(s, [])).toThrow(/aucJudd: fixations: empty/);
    expect(() => aucJudd({ width: 2, height: 1, data: Float64Array.from([0, Infinity]) }, [{ x: 0, y: 0 }])).toThrow(/aucJudd: saliency/);
  });
});
