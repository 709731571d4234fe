import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FixationDetectionConfig } from '@/lib/studies/config';
import { createRandom } from '@/lib/random';
import { detectFixations, gazeSegments, type DetectionParams, type GazePoint } from './fixations';
import { FLAG_FACE_LOST, FLAG_OFF_IMAGE } from './samples';
import { syntheticTrace, type TrueFixation } from './synthetic-trace';

/** The study defaults (webcam): I-DT 2°, 100 ms, I-VT 50 °/s, gaps over 150 ms split. */
const WEBCAM: DetectionParams = FixationDetectionConfig.parse({});
const IVT: DetectionParams = { ...WEBCAM, method: 'ivt' };
const PPD = 40;

// Tolerances for traces at 30 Hz, 0.25° jitter per axis: the centroid of ≥ 6 samples lies within
// 0.5° of the true position (≈ 4.5 standard errors); start within 3 sample intervals (the first
// sample inside a fixation falls up to one interval after its start, and I-VT also loses the first
// sample after a saccade, whose velocity is measured from a saccade sample); duration within 4
// intervals (a noisy sample can end an I-DT window early and leave a rest shorter than the minimum
// duration) and within 50 ms on average over all seeds.
const POS_TOL_DEG = 0.5;
const START_TOL_MS = 100;
const DUR_TOL_MS = 135;
const MEAN_DUR_TOL_MS = 50;

function scanPath(): TrueFixation[] {
  return [
    { x: 200, y: 200, durationMs: 300 },
    { x: 600, y: 250, durationMs: 250 },
    { x: 650, y: 600, durationMs: 400 },
    { x: 250, y: 550, durationMs: 220 },
    { x: 420, y: 400, durationMs: 500 },
  ];
}

function expectRecovered(found: ReturnType<typeof detectFixations>, truth: readonly TrueFixation[], starts: number[]): number[] {
  expect(found).toHaveLength(truth.length);
  truth.forEach((f, i) => {
    const got = found[i];
    expect(got).toBeDefined();
    if (!got) return;
    expect(Math.hypot(got.x - f.x, got.y - f.y) / PPD).toBeLessThan(POS_TOL_DEG);
    expect(Math.abs(got.durationMs - f.durationMs)).toBeLessThan(DUR_TOL_MS);
    expect(Math.abs(got.startMs - (starts[i] as number))).toBeLessThan(START_TOL_MS);
    expect(got.samples).toBeGreaterThanOrEqual(4);
  });
  return found.map((f, i) => Math.abs(f.durationMs - (truth[i]?.durationMs ?? 0)));
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

describe('I-DT (Salvucci & Goldberg 2000) on synthetic webcam-like traces', () => {
  it('recovers 5 fixations separated by saccades: count, positions within 0.5°, times within tolerance', () => {
    const errors: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const trace = syntheticTrace(scanPath(), createRandom(seed), { ppd: PPD });
      errors.push(...expectRecovered(detectFixations(trace.samples, PPD, WEBCAM), scanPath(), trace.fixationStarts));
    }
    expect(mean(errors)).toBeLessThan(MEAN_DUR_TOL_MS);
  });

  it('a systematic calibration offset moves every fixation by it and changes nothing else', () => {
    const trace = syntheticTrace(scanPath(), createRandom(7), { ppd: PPD, offsetDeg: { x: 3, y: -2 } });
    const found = detectFixations(trace.samples, PPD, WEBCAM);
    expectRecovered(found, scanPath().map((f) => ({ ...f, x: f.x + 3 * PPD, y: f.y - 2 * PPD })), trace.fixationStarts);
  });

  it('a face-lost gap longer than maxGapMs splits a fixation; a shorter one does not', () => {
    const one: TrueFixation[] = [{ x: 300, y: 300, durationMs: 900 }];
    const long = syntheticTrace(one, createRandom(3), { ppd: PPD, gaps: [{ startMs: 400, durationMs: 200 }] });
    const split = detectFixations(long.samples, PPD, WEBCAM);
    expect(split).toHaveLength(2);
    expect((split[0] as { startMs: number }).startMs + (split[0] as { durationMs: number }).durationMs).toBeLessThanOrEqual(400);
    expect((split[1] as { startMs: number }).startMs).toBeGreaterThanOrEqual(600);
    const short = syntheticTrace(one, createRandom(3), { ppd: PPD, gaps: [{ startMs: 400, durationMs: 80 }] });
    const whole = detectFixations(short.samples, PPD, WEBCAM);
    expect(whole).toHaveLength(1);
    // face-lost samples never enter a fixation (their stored x = y = 0 would drag the centroid)
    expect(Math.hypot((whole[0]?.x ?? 0) - 300, (whole[0]?.y ?? 0) - 300) / PPD).toBeLessThan(POS_TOL_DEG);
    expect(whole[0]?.samples).toBe(short.samples.filter((s) => s.flags === 0).length);
  });

  it('drops fixations shorter than minDurationMs', () => {
    const fx: TrueFixation[] = [
      { x: 100, y: 100, durationMs: 60 },
      { x: 500, y: 100, durationMs: 300 },
    ];
    const trace = syntheticTrace(fx, createRandom(11), { ppd: PPD, jitterDeg: 0.05 });
    const found = detectFixations(trace.samples, PPD, WEBCAM);
    expect(found).toHaveLength(1);
    expect(Math.abs((found[0]?.x ?? 0) - 500)).toBeLessThan(POS_TOL_DEG * PPD);
  });

  it('off-image samples take part (a fixation may lie off the image)', () => {
    const trace = syntheticTrace([{ x: -200, y: 50, durationMs: 400 }], createRandom(5), { ppd: PPD, jitterDeg: 0.1 });
    const flagged = trace.samples.map((s) => ({ ...s, flags: FLAG_OFF_IMAGE }));
    expect(detectFixations(flagged, PPD, WEBCAM)).toHaveLength(1);
  });

  it('hand-checked: dispersion exactly at the threshold is a fixation, just above is not', () => {
    // 4 samples 50 ms apart (150 ms); x spread 60 px + y spread 20 px = 80 px = 2° at 40 ppd.
    const pts = (dx: number): GazePoint[] => [
      { t: 0, x: 0, y: 0, flags: 0 },
      { t: 50, x: 60 + dx, y: 0, flags: 0 },
      { t: 100, x: 30, y: 20, flags: 0 },
      { t: 150, x: 10, y: 10, flags: 0 },
    ];
    expect(detectFixations(pts(0), PPD, WEBCAM)).toEqual([{ x: 25, y: 7.5, startMs: 0, durationMs: 150, samples: 4 }]);
    // 0.01 px more: the first window fails, the algorithm drops sample 0 and the rest (100 ms) pass.
    expect(detectFixations(pts(0.01), PPD, WEBCAM)).toEqual([{ x: 100.01 / 3, y: 10, startMs: 50, durationMs: 100, samples: 3 }]);
  });

  it('merges two fixations a single outlier sample cut apart; mergeGapMs 0 keeps them apart', () => {
    const pts: GazePoint[] = [];
    for (let t = 0; t <= 600; t += 33) pts.push({ t, x: t === 297 ? 500 : 100 + (t % 2), y: 100, flags: 0 });
    const merged = detectFixations(pts, PPD, WEBCAM);
    expect(merged).toHaveLength(1);
    expect(merged[0]?.startMs).toBe(0);
    expect(merged[0]?.samples).toBe(pts.length - 1);
    expect(detectFixations(pts, PPD, { ...WEBCAM, mergeGapMs: 0 })).toHaveLength(2);
  });

  it('does not modify its input, and sorts unordered samples first', () => {
    const trace = syntheticTrace(scanPath(), createRandom(2), { ppd: PPD });
    const copy = trace.samples.map((s) => ({ ...s }));
    const reversed = [...trace.samples].reverse();
    const a = detectFixations(trace.samples, PPD, WEBCAM);
    expect(detectFixations(reversed, PPD, WEBCAM)).toEqual(a);
    expect(trace.samples).toEqual(copy);
  });

  it('property: separated fixations (≥ 5° apart, 200–600 ms) are recovered one for one', () => {
    const arb = fc.array(
      fc.record({ x: fc.integer({ min: 0, max: 40 }), y: fc.integer({ min: 0, max: 30 }), durationMs: fc.integer({ min: 200, max: 600 }) }),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 1, max: 2 ** 30 }), (cells, seed) => {
        // Cells on a 5° grid; consecutive fixations must differ (else they are one fixation).
        const fx = cells.map((c) => ({ x: c.x * 5 * PPD, y: c.y * 5 * PPD, durationMs: c.durationMs }));
        const truth = fx.filter((f, i) => i === 0 || f.x !== fx[i - 1]?.x || f.y !== fx[i - 1]?.y);
        const trace = syntheticTrace(truth, createRandom(seed), { ppd: PPD });
        const found = detectFixations(trace.samples, PPD, WEBCAM);
        expect(found).toHaveLength(truth.length);
        found.forEach((f, i) => expect(Math.hypot(f.x - (truth[i]?.x ?? 0), f.y - (truth[i]?.y ?? 0)) / PPD).toBeLessThan(POS_TOL_DEG));
      }),
      { numRuns: 150, seed: 20260105 },
    );
  });
});

describe('I-VT (velocity threshold)', () => {
  it('recovers the same 5 fixations at 50 °/s', () => {
    const errors: number[] = [];
    for (let seed = 1; seed <= 20; seed++) {
      const trace = syntheticTrace(scanPath(), createRandom(seed), { ppd: PPD });
      errors.push(...expectRecovered(detectFixations(trace.samples, PPD, IVT), scanPath(), trace.fixationStarts));
    }
    expect(mean(errors)).toBeLessThan(MEAN_DUR_TOL_MS);
  });

  it('hand-checked velocities: 1 px per 10 ms at 40 ppd is 2.5 °/s (slow); a 400 px jump is 1000 °/s', () => {
    const pts: GazePoint[] = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110].map((t, i) => ({ t, x: i < 6 ? i : 400 + i, y: 0, flags: 0 }));
    const found = detectFixations(pts, PPD, { ...IVT, minDurationMs: 40 });
    expect(found.map((f) => [f.startMs, f.durationMs, f.samples])).toEqual([
      [0, 50, 6],
      [70, 40, 5],
    ]);
  });

  it('gaps split I-VT fixations too', () => {
    const trace = syntheticTrace([{ x: 300, y: 300, durationMs: 900 }], createRandom(4), { ppd: PPD, gaps: [{ startMs: 400, durationMs: 200 }] });
    expect(detectFixations(trace.samples, PPD, IVT)).toHaveLength(2);
  });
});

describe('gazeSegments', () => {
  it('drops face-lost samples and duplicate times, splits at gaps over maxGapMs', () => {
    const s = (t: number, flags = 0): GazePoint => ({ t, x: t, y: 0, flags });
    const segs = gazeSegments([s(0), s(30), s(30), s(60, FLAG_FACE_LOST), s(200), s(230), s(231)], 150);
    expect(segs.map((g) => g.map((p) => p.t))).toEqual([[0, 30], [200, 230, 231]]);
  });

  it('rejects a non-positive pixels per degree', () => {
    expect(() => detectFixations([], 0, WEBCAM)).toThrow(RangeError);
  });
});
