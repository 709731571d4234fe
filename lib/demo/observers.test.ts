import { describe, expect, it } from 'vitest';
import {
  DEMO_NOISE_DEG,
  DEMO_OBSERVERS,
  DEMO_PIXELS_PER_DEGREE,
  simulateObservers,
  simulateObserversDetailed,
  type ObserverImage,
  type SimulateOptions,
} from './observers';
import { generateShapeImage } from './shapes';

/** An object in the middle of a large image, so that almost nothing is dropped. */
const BIG: ObserverImage = {
  width: 2000,
  height: 2000,
  center: { x: 1000, y: 1000 },
  radius: 50,
  bbox: { x0: 950, y0: 950, x1: 1049, y1: 1049 },
};
const DEMO: SimulateOptions = {
  observers: DEMO_OBSERVERS,
  fixationsPerObserver: [6, 11],
  pixelsPerDegree: DEMO_PIXELS_PER_DEGREE,
  seed: 11,
};

describe('simulateObservers', () => {
  it('states the demo geometry: 10 image px per degree, 12 observers, 4° error', () => {
    expect(DEMO_PIXELS_PER_DEGREE).toBe(10);
    expect(DEMO_OBSERVERS).toBe(12);
    expect(DEMO_NOISE_DEG).toBe(4);
  });

  it('mean radial error from the true target is noiseDeg (±0.5°) over many observers', () => {
    for (const noiseDeg of [4, 2]) {
      const observers = simulateObserversDetailed(BIG, { observers: 2000, fixationsPerObserver: 10, pixelsPerDegree: 10, seed: 3, noiseDeg });
      let sum = 0;
      let n = 0;
      for (const o of observers) {
        for (const f of o.fixations) {
          sum += Math.hypot(f.x - f.target.x, f.y - f.target.y) / 10;
          n++;
        }
      }
      expect(n).toBe(20000);
      expect(Math.abs(sum / n - noiseDeg)).toBeLessThan(0.5);
      // Tighter than the stated tolerance: the Rayleigh mean is exact in expectation.
      expect(Math.abs(sum / n - noiseDeg)).toBeLessThan(0.15 * noiseDeg);
    }
  });

  it('the error splits into a per-observer offset (sd ≈ 2.0° at 4°) and per-fixation noise (sd ≈ 2.5°)', () => {
    const observers = simulateObserversDetailed(BIG, { observers: 1500, fixationsPerObserver: 12, pixelsPerDegree: 10, seed: 4 });
    const offsets = observers.map((o) => o.offsetDeg.x);
    const sdOffset = Math.sqrt(offsets.reduce((a, v) => a + v * v, 0) / offsets.length);
    let sq = 0;
    let n = 0;
    for (const o of observers) {
      for (const f of o.fixations) {
        const residual = (f.x - f.target.x) / 10 - o.offsetDeg.x;
        sq += residual * residual;
        n++;
      }
    }
    expect(sdOffset).toBeCloseTo(2.02, 1);
    expect(Math.sqrt(sq / n)).toBeCloseTo(2.47, 1);
  });

  it('returns only fixations inside the image; the detailed result marks the dropped ones', () => {
    const img = generateShapeImage(2026, 3);
    const detailed = simulateObserversDetailed(img, { ...DEMO, observers: 200 });
    const kept = simulateObservers(img, { ...DEMO, observers: 200 });
    let dropped = 0;
    detailed.forEach((o, k) => {
      const inside = o.fixations.filter((f) => f.x >= 0 && f.y >= 0 && f.x < img.width && f.y < img.height);
      expect(o.fixations.filter((f) => f.kept)).toEqual(inside);
      expect(kept[k]?.fixations).toHaveLength(inside.length);
      dropped += o.fixations.length - inside.length;
    });
    // With a 4° error (40 px) on a 224-px image some fixations do fall outside.
    expect(dropped).toBeGreaterThan(0);
    for (const o of kept) {
      for (const f of o.fixations) {
        expect(f.x).toBeGreaterThanOrEqual(0);
        expect(f.y).toBeGreaterThanOrEqual(0);
        expect(f.x).toBeLessThan(224);
        expect(f.y).toBeLessThan(224);
      }
    }
  });

  it('is deterministic in the seed', () => {
    const img = generateShapeImage(2026, 10);
    expect(simulateObservers(img, DEMO)).toEqual(simulateObservers(img, DEMO));
    expect(simulateObservers(img, DEMO)).not.toEqual(simulateObservers(img, { ...DEMO, seed: 12 }));
  });

  it('observerSeed keeps each observer’s offset across images', () => {
    const a = simulateObserversDetailed(BIG, { ...DEMO, seed: 1, observerSeed: 99 });
    const b = simulateObserversDetailed(BIG, { ...DEMO, seed: 2, observerSeed: 99 });
    const c = simulateObserversDetailed(BIG, { ...DEMO, seed: 1 });
    expect(a.map((o) => o.offsetDeg)).toEqual(b.map((o) => o.offsetDeg));
    expect(a.map((o) => o.offsetDeg)).not.toEqual(c.map((o) => o.offsetDeg));
  });

  it('puts more fixations on the object than on an equal-area background region', () => {
    const img = generateShapeImage(2026, 40, 'star');
    const { x0, y0, x1, y1 } = img.bbox;
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    // The same-size box in the diagonally opposite part of the image.
    const bx0 = x0 + w / 2 < 112 ? 223 - w : 0;
    const by0 = y0 + h / 2 < 112 ? 223 - h : 0;
    let onObject = 0;
    let onBackground = 0;
    for (const o of simulateObservers(img, { ...DEMO, observers: 100 })) {
      for (const f of o.fixations) {
        if (f.x >= x0 && f.x < x1 + 1 && f.y >= y0 && f.y < y1 + 1) onObject++;
        if (f.x >= bx0 && f.x < bx0 + w && f.y >= by0 && f.y < by0 + h) onBackground++;
      }
    }
    expect(onObject).toBeGreaterThan(3 * onBackground);
  });

  it('durations are 150–600 ms, start times increase, and each observer views for about 3 s', () => {
    const observers = simulateObserversDetailed(BIG, { ...DEMO, observers: 300, fixationsPerObserver: [6, 11] });
    for (const o of observers) {
      expect(o.fixations.length).toBeGreaterThanOrEqual(6);
      expect(o.fixations.length).toBeLessThanOrEqual(11);
      let previousEnd = -1;
      for (const f of o.fixations) {
        expect(f.durationMs).toBeGreaterThanOrEqual(150);
        expect(f.durationMs).toBeLessThanOrEqual(600);
        expect(f.startMs).toBeGreaterThan(previousEnd);
        previousEnd = f.startMs + f.durationMs;
      }
      expect(previousEnd).toBeGreaterThan(2400);
      expect(previousEnd).toBeLessThan(3600);
    }
  });

  it('with noiseDeg 0 every fixation is at its target, and ~80 % of targets are on the object', () => {
    const img = generateShapeImage(2026, 20);
    const observers = simulateObserversDetailed(img, { ...DEMO, observers: 500, noiseDeg: 0 });
    let on = 0;
    let onMask = 0;
    let n = 0;
    for (const o of observers) {
      for (const f of o.fixations) {
        expect(f.x).toBe(f.target.x);
        expect(f.y).toBe(f.target.y);
        n++;
        if (f.onObject) {
          on++;
          if (img.mask[Math.floor(f.y) * img.width + Math.floor(f.x)] === 1) onMask++;
        }
      }
    }
    expect(on / n).toBeGreaterThan(0.76);
    expect(on / n).toBeLessThan(0.84);
    // Targets "on the object" are on its mask (centre fixations may spill at the edge).
    expect(onMask / on).toBeGreaterThan(0.95);
  });

  it('rejects bad options, naming the argument', () => {
    const img = generateShapeImage(2026, 0);
    expect(() => simulateObservers(img, { ...DEMO, observers: 0 })).toThrow(/observers/);
    expect(() => simulateObservers(img, { ...DEMO, fixationsPerObserver: [5, 2] })).toThrow(/fixationsPerObserver/);
    expect(() => simulateObservers(img, { ...DEMO, pixelsPerDegree: Number.NaN })).toThrow(/pixelsPerDegree/);
    expect(() => simulateObservers(img, { ...DEMO, noiseDeg: -1 })).toThrow(/noiseDeg/);
    expect(() => simulateObservers({ ...img, bbox: { x0: 0, y0: 0, x1: 300, y1: 10 } }, DEMO)).toThrow(/image\.bbox/);
    expect(() => simulateObservers({ ...img, mask: new Uint8Array(3) }, DEMO)).toThrow(/image\.mask/);
  });

  it('does not modify its input', () => {
    const img = generateShapeImage(2026, 5);
    const maskCopy = img.mask.slice();
    const bbox = { ...img.bbox };
    simulateObservers(img, DEMO);
    expect(img.mask).toEqual(maskCopy);
    expect(img.bbox).toEqual(bbox);
  });
});
