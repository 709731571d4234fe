import { describe, expect, it } from 'vitest';
import { centreBiasMap, uniformMap } from '../ground-truth/baselines';
import { densityMap } from '../imaging/density-map';
import { resizeBilinear } from '../imaging/resize';
import { GROUND_TRUTH_METRICS } from '../metrics/index';
import type { Grid } from '../metrics/types';
import { GROUND_TRUTH_SCORE_METRICS } from './metrics';
import { scoreSuite } from './suite';

const W = 48;
const H = 32;
const fixations = [{ x: 10, y: 8 }, { x: 30, y: 20 }, { x: 31, y: 21 }];
const density = densityMap(fixations, W, H, 3);
const negatives = [{ x: 24, y: 16 }, { x: 2, y: 2 }, { x: 45, y: 30 }];
const baseline = centreBiasMap(W, H);

describe('scoreSuite', () => {
  it('resizes the map to the ground truth size (bilinear, half-pixel) and matches each metric', () => {
    const small: Grid = { width: 12, height: 8, data: Float64Array.from({ length: 96 }, (_, i) => Math.sin(i) + 2) };
    const r = scoreSuite({ saliency: small, density, fixations, negatives, baseline }, GROUND_TRUTH_SCORE_METRICS);
    const big = resizeBilinear(small, W, H);
    expect(Object.keys(r.values).sort()).toEqual([...GROUND_TRUTH_SCORE_METRICS].sort());
    for (const m of GROUND_TRUTH_SCORE_METRICS) {
      const expected = GROUND_TRUTH_METRICS[m].compute({ saliency: big, density, fixations, baseline, negatives: { fixations: negatives } });
      expect(r.values[m]).toBe(expected);
    }
    expect(r.failures).toEqual({});
  });

  it('the density map itself: CC 1, SIM 1, KLD 0', () => {
    const r = scoreSuite({ saliency: density, density, fixations, negatives, baseline }, ['cc', 'sim', 'kld']);
    expect(r.values.cc).toBeCloseTo(1, 12);
    expect(r.values.sim).toBeCloseTo(1, 12);
    expect(r.values.kld).toBeCloseTo(0, 10);
  });

  it('a metric that cannot be computed is a named failure, never a NaN value', () => {
    const r = scoreSuite({ saliency: uniformMap(W, H), density, fixations, negatives, baseline }, GROUND_TRUTH_SCORE_METRICS);
    expect(r.values.cc).toBe(0);
    expect(r.values.infoGain).toBeUndefined();
    expect(r.failures.infoGain).toMatch(/infoGain: saliency: constant map/);
    for (const v of Object.values(r.values)) expect(Number.isFinite(v)).toBe(true);

    const noFix = scoreSuite({ saliency: density, density, fixations: [], negatives, baseline }, GROUND_TRUTH_SCORE_METRICS);
    expect(Object.keys(noFix.failures).sort()).toEqual(['aucJudd', 'aucShuffled', 'infoGain', 'nss']);
    expect(noFix.failures.nss).toMatch(/no fixations/);
    const nan: Grid = { width: W, height: H, data: new Float64Array(W * H).fill(Number.NaN) };
    const bad = scoreSuite({ saliency: nan, density, fixations, negatives, baseline }, ['cc', 'nss']);
    expect(bad.values).toEqual({});
    expect(bad.failures.cc).toMatch(/non-finite/);
  });
});
