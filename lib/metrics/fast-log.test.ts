import { describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { fastLog, WEIGHTED_LOG_BLOCK, weightedLogSum } from './fast-log';

/** |fastLog(x) − Math.log(x)|, scaled by max(1, |log x|). */
function error(x: number): number {
  const exact = Math.log(x);
  return Math.abs(fastLog(x) - exact) / Math.max(1, Math.abs(exact));
}

describe('fastLog', () => {
  it('is within 1e-15 of Math.log over the whole normal range (2e5 log-uniform values)', () => {
    const r = createRandom(7);
    let worst = 0;
    for (let i = 0; i < 200_000; i++) worst = Math.max(worst, error(Math.exp((r.next() - 0.5) * 1400)));
    expect(worst).toBeLessThan(1e-15);
  });

  it('is within 1e-15 at the edges of the table cells and of the binades, and exact at 1', () => {
    expect(fastLog(1)).toBe(0);
    for (const d of [1e-3, 1e-9, 2 ** -40]) {
      expect(Math.abs(fastLog(1 + d) - Math.log(1 + d))).toBeLessThan(1e-15 * Math.log(1 + d));
      expect(Math.abs(fastLog(1 - d) - Math.log(1 - d))).toBeLessThan(-1e-15 * Math.log(1 - d));
    }
    let worst = 0;
    for (let j = 0; j <= 256; j++) {
      const c = 1 + j / 256;
      for (const x of [c, c * (1 + 2 ** -52), c * (1 - 2 ** -52), c + 0.5 / 256]) {
        for (const e of [-1020, -52, -1, 0, 1, 52, 1020]) worst = Math.max(worst, error(x * 2 ** e));
      }
    }
    expect(worst).toBeLessThan(1e-15);
    expect(Math.abs(fastLog(1 + 1e-12) - Math.log(1 + 1e-12))).toBeLessThan(1e-27);
  });

  it('gives what Math.log gives for zero, negatives, subnormals, infinities and NaN', () => {
    for (const x of [0, -0, -1, -Infinity, 5e-324, 2 ** -1023, Infinity, Number.NaN, Number.MAX_VALUE]) {
      expect(Object.is(fastLog(x), Math.log(x)) || Math.abs(fastLog(x) - Math.log(x)) < 1e-12).toBe(true);
    }
    expect(fastLog(0)).toBe(-Infinity);
    expect(fastLog(-1)).toBeNaN();
  });
});

describe('weightedLogSum', () => {
  it('equals Σ w·Math.log(x) across several blocks, a partial last block included', () => {
    const r = createRandom(11);
    const n = 3 * WEIGHTED_LOG_BLOCK + 17;
    const x = Float64Array.from({ length: n }, () => Math.exp((r.next() - 0.5) * 60));
    const w = Float64Array.from({ length: n }, () => r.next());
    let exact = 0;
    for (let i = 0; i < n; i++) exact += (w[i] as number) * Math.log(x[i] as number);
    const seen: number[] = [];
    const total = weightedLogSum((values, weights, start) => {
      seen.push(start);
      const written = Math.min(WEIGHTED_LOG_BLOCK, n - start);
      for (let k = 0; k < written; k++) {
        values[k] = x[start + k] as number;
        weights[k] = w[start + k] as number;
      }
      return [written, start + written];
    });
    expect(seen).toEqual([0, WEIGHTED_LOG_BLOCK, 2 * WEIGHTED_LOG_BLOCK, 3 * WEIGHTED_LOG_BLOCK, n]);
    expect(Math.abs(total - exact)).toBeLessThan(1e-12 * Math.abs(exact));
  });
});
