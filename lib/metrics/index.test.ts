import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GROUND_TRUTH_METRICS, GROUND_TRUTH_METRIC_NAMES, canCompute, isGroundTruthMetricName, type GroundTruthInput } from './index';
import type { Grid } from './types';

interface RefGrid {
  width: number;
  height: number;
  data: number[];
}
interface RefCase {
  name: string;
  saliency: RefGrid;
  density: RefGrid;
  baseline: RefGrid;
  fixations: [number, number][];
  negativeFixations: [number, number][];
  expected: Record<string, number>;
}
// Reference values: tests/fixtures/reference-metrics.json (pysaliency, MIT benchmark, scikit-image).
const reference = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../tests/fixtures/reference-metrics.json', import.meta.url)), 'utf8'),
) as { cases: RefCase[] };
const grid = (g: RefGrid): Grid => ({ width: g.width, height: g.height, data: Float64Array.from(g.data) });

function input(c: RefCase): GroundTruthInput {
  return {
    saliency: grid(c.saliency),
    density: grid(c.density),
    baseline: grid(c.baseline),
    fixations: c.fixations.map(([x, y]) => ({ x, y })),
    negatives: { fixations: c.negativeFixations.map(([x, y]) => ({ x, y })) },
  };
}

describe('GROUND_TRUTH_METRICS', () => {
  it('lists the reference metrics in table order, then emd and aucBorji', () => {
    expect(GROUND_TRUTH_METRIC_NAMES).toEqual(['cc', 'ssim', 'ssimGaussian', 'sim', 'kld', 'nss', 'aucJudd', 'aucShuffled', 'infoGain', 'emd', 'aucBorji']);
    expect(GROUND_TRUTH_METRICS.cc.label).toBe('PCC');
    expect(GROUND_TRUTH_METRICS.kld.direction).toBe('lower');
    expect(GROUND_TRUTH_METRICS.emd.direction).toBe('lower');
    expect(GROUND_TRUTH_METRICS.aucShuffled.needs).toEqual(['fixations', 'negatives']);
    expect(isGroundTruthMetricName('toString')).toBe(false);
  });

  it.each(reference.cases.map((c) => [c.name, c] as const))('every registry entry reproduces the reference on %s at 1e-9', (_, c) => {
    const i = input(c);
    for (const [key, expected] of Object.entries(c.expected)) {
      expect(isGroundTruthMetricName(key)).toBe(true);
      if (!isGroundTruthMetricName(key)) continue;
      expect(Math.abs(GROUND_TRUTH_METRICS[key].compute(i) - expected), key).toBeLessThan(1e-9);
    }
  });

  it('canCompute follows needs; a missing input is a MetricError naming it', () => {
    const s: GroundTruthInput = { saliency: { width: 2, height: 1, data: Float64Array.from([0, 1]) } };
    expect(canCompute('cc', s)).toBe(false);
    expect(canCompute('nss', { ...s, fixations: [{ x: 0, y: 0 }] })).toBe(true);
    expect(canCompute('aucShuffled', { ...s, fixations: [{ x: 0, y: 0 }] })).toBe(false);
    expect(() => GROUND_TRUTH_METRICS.cc.compute(s)).toThrow(/cc: density: is required/);
    expect(() => GROUND_TRUTH_METRICS.infoGain.compute({ ...s, fixations: [{ x: 0, y: 0 }] })).toThrow(/infoGain: baseline: is required/);
  });

  it('aucBorji is reproducible from the input seed', () => {
    const c = reference.cases[0] as RefCase;
    const a = GROUND_TRUTH_METRICS.aucBorji.compute({ ...input(c), seed: 4 });
    expect(GROUND_TRUTH_METRICS.aucBorji.compute({ ...input(c), seed: 4 })).toBe(a);
  });

  it('CC and NSS are invariant to a*x+b (a>0) of the saliency map', () => {
    const c = reference.cases[4] as RefCase; // 'correlated'
    const base = input(c);
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: -50, max: 50, noNaN: true }), (a, b) => {
        const scaled = { ...base, saliency: { ...base.saliency, data: base.saliency.data.map((v) => a * v + b) } };
        expect(GROUND_TRUTH_METRICS.cc.compute(scaled)).toBeCloseTo(GROUND_TRUTH_METRICS.cc.compute(base), 7);
        expect(GROUND_TRUTH_METRICS.nss.compute(scaled)).toBeCloseTo(GROUND_TRUTH_METRICS.nss.compute(base), 7);
      }),
      { numRuns: 30 },
    );
  });
});
