import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { curveAuc } from './curve-auc';

// Reference values: RISE evaluation.auc (tests/fixtures/reference-metrics.README.md).
const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../tests/fixtures/reference-metrics.json', import.meta.url)), 'utf8'),
) as { curveAuc: { scores: number[]; expected: number }[] };

describe('curveAuc', () => {
  it.each(reference.curveAuc.map((c, i) => [i, c] as const))('matches RISE auc on curve %i at 1e-9', (_, c) => {
    expect(Math.abs(curveAuc(c.scores) - c.expected)).toBeLessThan(1e-9);
  });

  it('hand cases', () => {
    expect(curveAuc([0, 1])).toBe(0.5);
    expect(curveAuc([1, 1, 1])).toBe(1);
    expect(curveAuc(Float64Array.from([1, 0.5, 0]))).toBe(0.5);
    expect(curveAuc([0, 1, 0, 1])).toBeCloseTo(0.5, 15);
  });

  it('equals the trapezoid rule on a uniform grid over [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 50 }), (s) => {
        const h = 1 / (s.length - 1);
        let trapezoid = 0;
        for (let i = 1; i < s.length; i++) trapezoid += (h * ((s[i] as number) + (s[i - 1] as number))) / 2;
        expect(curveAuc(s)).toBeCloseTo(trapezoid, 12);
      }),
    );
  });

  it('bad input names the argument', () => {
    expect(() => curveAuc([1])).toThrow(/curveAuc: scores: needs at least 2/);
    expect(() => curveAuc([1, NaN])).toThrow(/curveAuc: scores: non-finite/);
  });
});
