/**
 * The spot check's arithmetic (issue 18): the detection probability against brute-force
 * enumeration and a Monte-Carlo estimate, the forger's minimum m against the AUC formula, the
 * seeded index draw (replayable, distinct, endpoints always in), and the comparison rule.
 */
import { describe, expect, it } from 'vitest';
import { curveAuc } from '../metrics/curve-auc';
import { createRandom } from '../random';
import { CURVE_TOLERANCE, curveSamples, DEFAULT_CURVE_SAMPLES, detectionProbability, minForgedPoints, newCurveSeed, sampleCurveIndices, spotCheck } from './curve-check';

/** Every k-subset of 0..pool−1 (marked = the first m), counting those that contain a marked one. */
function bruteForce(pool: number, m: number, k: number): number {
  let hit = 0;
  let all = 0;
  const walk = (start: number, left: number, found: boolean): void => {
    if (left === 0) {
      all++;
      if (found) hit++;
      return;
    }
    for (let i = start; i <= pool - left; i++) walk(i + 1, left - 1, found || i < m);
  };
  walk(0, k, false);
  return hit / all;
}

describe('detectionProbability = 1 − C(pool−m, k)/C(pool, k)', () => {
  it('equals brute-force enumeration of every k-subset', () => {
    for (const [pool, m, k] of [[10, 3, 4], [12, 1, 5], [9, 4, 6], [8, 2, 1], [11, 5, 7]] as const) {
      expect(detectionProbability(pool, m, k)).toBeCloseTo(bruteForce(pool, m, k), 12);
    }
  });

  it('agrees with a Monte-Carlo estimate at the real size (223 interior points of a 224-step curve)', () => {
    const r = createRandom(18);
    const pool = 223;
    for (const [m, k] of [[12, 70], [3, 64], [23, 16]] as const) {
      const trials = 20_000;
      let hits = 0;
      for (let t = 0; t < trials; t++) {
        // k draws without replacement (partial Fisher–Yates); points 0..m−1 are the forged ones.
        const a = Array.from({ length: pool }, (_, i) => i);
        let hit = false;
        for (let i = 0; i < k; i++) {
          const j = i + r.int(pool - i);
          [a[i], a[j]] = [a[j] as number, a[i] as number];
          if ((a[i] as number) < m) hit = true;
        }
        if (hit) hits++;
      }
      const p = detectionProbability(pool, m, k);
      // 4.5 standard errors: a false alarm about once in 150,000 runs.
      expect(Math.abs(hits / trials - p)).toBeLessThan(4.5 * Math.sqrt((p * (1 - p)) / trials) + 1e-9);
    }
  });

  it('edge cases: nothing forged is never caught; more samples than clean points always catch', () => {
    expect(detectionProbability(223, 0, 70)).toBe(0);
    expect(detectionProbability(10, 3, 8)).toBe(1);
    expect(detectionProbability(10, 3, 0)).toBe(0);
  });

  it('the default k catches ≥ 99 % of forgeries moving an AUC by τ + 0.05 at step 224 on 224², and k − 1 does not', () => {
    const m = minForgedPoints(224, 0.05, CURVE_TOLERANCE);
    expect(m).toBe(12);
    expect(detectionProbability(223, m, DEFAULT_CURVE_SAMPLES)).toBeGreaterThanOrEqual(0.99);
    expect(detectionProbability(223, m, DEFAULT_CURVE_SAMPLES - 1)).toBeLessThan(0.99);
  });
});

describe('minForgedPoints (from AUC = (Σs − s₀/2 − sₙ/2)/n, s in [0, 1])', () => {
  it('is the smallest j whose best forgery (j points moved fully, the rest by τ) moves the AUC by more than τ + δ', () => {
    for (const n of [16, 100, 224]) {
      for (const delta of [0.01, 0.02, 0.05, 0.1]) {
        const m = minForgedPoints(n, delta, CURVE_TOLERANCE);
        // Curve at 0 except the endpoints (recomputed, untouched); forge interior points upward.
        const forged = (j: number): number => {
          const s = new Array<number>(n + 1).fill(0);
          for (let i = 1; i < n; i++) s[i] = i <= j ? 1 : CURVE_TOLERANCE;
          return curveAuc(s);
        };
        expect(forged(m) - 0).toBeGreaterThan(CURVE_TOLERANCE + delta - 1e-12);
        expect(forged(m - 1)).toBeLessThanOrEqual(CURVE_TOLERANCE + delta + 1e-12);
      }
    }
  });
});

describe('sampleCurveIndices', () => {
  it('is the same for the same seed and curve, different across curves and seeds', () => {
    const seed = '00112233445566778899aabbccddeeff';
    const a = sampleCurveIndices(seed, 'deletion', 224, 70);
    expect(sampleCurveIndices(seed, 'deletion', 224, 70)).toEqual(a);
    expect(sampleCurveIndices(seed, 'insertion', 224, 70)).not.toEqual(a);
    expect(sampleCurveIndices('ffeeddccbbaa99887766554433221100', 'deletion', 224, 70)).not.toEqual(a);
  });

  it('holds both endpoints and k distinct interior indices, ascending', () => {
    const s = sampleCurveIndices(newCurveSeed(), 'insertion', 224, 70);
    expect(s.length).toBe(72);
    expect(s[0]).toBe(0);
    expect(s.at(-1)).toBe(224);
    for (let i = 1; i < s.length; i++) expect(s[i] as number).toBeGreaterThan(s[i - 1] as number);
    expect(sampleCurveIndices('x', 'deletion', 5, 70)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(sampleCurveIndices('x', 'deletion', 1, 3)).toEqual([0, 1]);
  });

  it('draws interior indices uniformly (each about k/(n−1) of the time)', () => {
    const counts = new Array<number>(11).fill(0);
    const runs = 6000;
    for (let t = 0; t < runs; t++) for (const i of sampleCurveIndices(`seed-${t}`, 'deletion', 10, 3)) counts[i] = (counts[i] as number) + 1;
    expect(counts[0]).toBe(runs);
    expect(counts[10]).toBe(runs);
    for (let i = 1; i < 10; i++) expect(Math.abs((counts[i] as number) / runs - 3 / 9)).toBeLessThan(0.03);
  });
});

describe('spotCheck', () => {
  it('accepts within τ (inclusive), rejects beyond, and names the worst point', () => {
    const client = [0.9, 0.5, 0.4, 0.1];
    expect(spotCheck(client, [0, 2, 3], [0.9, 0.4 + 0.999e-3, 0.1], 1e-3)).toMatchObject({ ok: true, worstIndex: 2 });
    expect(spotCheck([0.5], [0], [0.5 + 2 ** -10], 2 ** -10).ok).toBe(true);
    expect(spotCheck(client, [0, 1, 3], [0.9, 0.52, 0.1], 1e-3)).toMatchObject({ ok: false, worstIndex: 1 });
  });

  it('never accepts a NaN or missing client point', () => {
    expect(spotCheck([0.5, Number.NaN], [0, 1], [0.5, 0.5], 1)).toMatchObject({ ok: false, worstIndex: 1, maxDiff: Number.POSITIVE_INFINITY });
    expect(spotCheck([0.5], [0, 1], [0.5, 0.5], 1).ok).toBe(false);
    expect(spotCheck([0.5], [], [], 1).ok).toBe(false);
  });
});

describe('curveSamples (GAZEBENCH_CURVE_SAMPLES)', () => {
  it('defaults, reads a non-negative integer, and refuses anything else', () => {
    expect(curveSamples({})).toBe(DEFAULT_CURVE_SAMPLES);
    expect(curveSamples({ GAZEBENCH_CURVE_SAMPLES: '0' })).toBe(0);
    expect(curveSamples({ GAZEBENCH_CURVE_SAMPLES: '32' })).toBe(32);
    expect(() => curveSamples({ GAZEBENCH_CURVE_SAMPLES: '-1' })).toThrow(/non-negative integer/);
    expect(() => curveSamples({ GAZEBENCH_CURVE_SAMPLES: 'all' })).toThrow(/GAZEBENCH_CURVE_SAMPLES/);
  });
});
