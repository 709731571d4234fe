import { describe, expect, it } from 'vitest';
import { densityMap } from '../imaging/density-map';
import { cc } from '../metrics/cc';
import { nss } from '../metrics/nss';
import type { Point } from '../metrics/types';
import { convergenceCurve, datasetConsistency, imageConsistency, leaveOneOut, observersNeeded } from './consistency';
import type { ObserverFixations } from './points';

const W = 40;
const H = 30;
const SIGMA = 3;
const same: Point[] = [
  { x: 10, y: 10 },
  { x: 25, y: 12 },
  { x: 20, y: 22 },
];

describe('human consistency: hand-checkable cases', () => {
  it('identical observers agree perfectly: LOO CC 1, curve 1 at every n, one observer needed', () => {
    const observers: ObserverFixations[] = Array.from({ length: 6 }, (_, k) => ({ label: `o${k}`, fixations: same }));
    const c = imageConsistency(observers, W, H, SIGMA);
    expect(c.observers).toBe(6);
    expect(c.loo?.cc).toBeCloseTo(1, 12);
    for (const p of c.curve) expect(p.cc).toBeCloseTo(1, 12);
    expect(c.curve.map((p) => p.n)).toEqual([1, 2, 3]);
    expect(c.splitHalf?.cc).toBeCloseTo(1, 12);
    expect(c.observersNeeded).toEqual({ n: 1, target: 0.8, reached: true, extrapolated: false });
    // NSS of the others' map at the left-out's fixations = NSS of the common map at those fixations.
    expect(c.loo?.nss).toBeCloseTo(nss(densityMap(same, W, H, SIGMA), same), 10);
  });

  it('LOO is the mean over observers of CC(others, left-out map) and NSS(others, left-out fixations)', () => {
    const observers: ObserverFixations[] = [
      { label: 'a', fixations: [{ x: 5, y: 5 }, { x: 30, y: 20 }] },
      { label: 'b', fixations: [{ x: 6, y: 7 }] },
      { label: 'c', fixations: [{ x: 28, y: 21 }, { x: 20, y: 15 }, { x: 21, y: 15 }] },
    ];
    const loo = leaveOneOut(observers, W, H, SIGMA);
    // Written out with maps of the pooled others' fixations (not the subtraction used inside).
    const expected = observers.map((o, i) => {
      const others = observers.filter((_, j) => j !== i).flatMap((p) => p.fixations);
      const rest = densityMap(others, W, H, SIGMA);
      return { cc: cc(rest, densityMap(o.fixations, W, H, SIGMA)), nss: nss(rest, o.fixations) };
    });
    expect(loo?.perObserver.map((p) => p.label)).toEqual(['a', 'b', 'c']);
    loo?.perObserver.forEach((p, i) => {
      expect(p.cc).toBeCloseTo(expected[i]?.cc ?? NaN, 10);
      expect(p.nss).toBeCloseTo(expected[i]?.nss ?? NaN, 10);
    });
    expect(loo?.cc).toBeCloseTo(expected.reduce((s, e) => s + e.cc, 0) / 3, 10);
    expect(loo?.nss).toBeCloseTo(expected.reduce((s, e) => s + e.nss, 0) / 3, 10);
  });

  it('two observers: split-half is CC of their two maps and the symmetric NSS, whatever the split', () => {
    const a = [{ x: 8, y: 8 }];
    const b = [{ x: 12, y: 9 }, { x: 30, y: 25 }];
    const c = imageConsistency([{ label: 'a', fixations: a }, { label: 'b', fixations: b }], W, H, SIGMA);
    const ma = densityMap(a, W, H, SIGMA);
    const mb = densityMap(b, W, H, SIGMA);
    expect(c.splitHalf?.cc).toBeCloseTo(cc(ma, mb), 12);
    expect(c.splitHalf?.nss).toBeCloseTo((nss(ma, b) + nss(mb, a)) / 2, 10);
    expect(c.curve).toHaveLength(1);
  });

  it('needs two observers with fixations; empty observers do not count', () => {
    const c = imageConsistency([{ label: 'a', fixations: same }, { label: 'b', fixations: [] }], W, H, SIGMA);
    expect(c.observers).toBe(1);
    expect(c.loo).toBeNull();
    expect(c.splitHalf).toBeNull();
    expect(c.observersNeeded).toEqual({ n: null, target: 0.8, reached: false, extrapolated: false });
  });

  it('same seed, same curve; input untouched', () => {
    const observers = Array.from({ length: 7 }, (_, k) => ({ label: `o${k}`, fixations: [{ x: 3 + 5 * k, y: 4 + 3 * k }, { x: 20, y: 15 }] }));
    const copy = JSON.stringify(observers);
    expect(convergenceCurve(observers, W, H, SIGMA, { seed: 3 })).toEqual(convergenceCurve(observers, W, H, SIGMA, { seed: 3 }));
    expect(JSON.stringify(observers)).toBe(copy);
  });
});

describe('observers needed for CC ≥ 0.8', () => {
  it('the first n that reaches the target', () => {
    expect(observersNeeded([{ n: 1, cc: 0.5, nss: 0, images: 1 }, { n: 2, cc: 0.81, nss: 0, images: 1 }])).toMatchObject({ n: 2, reached: true });
  });

  it('Spearman–Brown extrapolation: CC₁ = 0.5 → ρ = 0.5 → n* = 0.8·0.5/(0.5·0.2) = 4', () => {
    const r = observersNeeded([{ n: 1, cc: 0.5, nss: 0, images: 1 }]);
    expect(r).toMatchObject({ n: 4, reached: false, extrapolated: true });
    expect(r.singleObserverCc).toBeCloseTo(0.5, 15);
  });

  it('extrapolates from the largest n: CC₂ = 2/3 ⇒ ρ = (2/3)/(2 − 2/3) = 0.5 ⇒ 4; CC₃ = 0.6 ⇒ ρ = 1/3 ⇒ 8', () => {
    expect(observersNeeded([{ n: 1, cc: 0.1, nss: 0, images: 1 }, { n: 2, cc: 2 / 3, nss: 0, images: 1 }]).n).toBe(4);
    expect(observersNeeded([{ n: 3, cc: 0.6, nss: 0, images: 1 }]).n).toBe(8);
  });

  it('cannot extrapolate from no agreement', () => {
    expect(observersNeeded([{ n: 1, cc: 0, nss: 0, images: 1 }]).n).toBeNull();
  });
});

describe('dataset ceiling arithmetic', () => {
  it('plain means over images; curve points averaged over the images that reach n', () => {
    const d = datasetConsistency([
      { loo: { cc: 0.6, nss: 2, perObserver: [] }, splitHalf: { cc: 0.5, nss: 1.5 }, curve: [{ n: 1, cc: 0.4, nss: 1, images: 1 }, { n: 2, cc: 0.5, nss: 1.5, images: 1 }] },
      { loo: { cc: 0.8, nss: 3, perObserver: [] }, splitHalf: { cc: 0.7, nss: 2.5 }, curve: [{ n: 1, cc: 0.6, nss: 2, images: 1 }] },
      { loo: null, splitHalf: null, curve: [] },
    ]);
    expect(d.images).toBe(2);
    expect(d.loo?.cc).toBeCloseTo(0.7, 15);
    expect(d.loo?.nss).toBeCloseTo(2.5, 15);
    expect(d.splitHalf?.cc).toBeCloseTo(0.6, 15);
    expect(d.curve).toEqual([
      { n: 1, cc: 0.5, nss: 1.5, images: 2 },
      { n: 2, cc: 0.5, nss: 1.5, images: 1 },
    ]);
    // 0.5 at n = 2 ⇒ ρ = 0.5/(2 − 0.5) = 1/3 ⇒ n* = 0.8·(2/3)/((1/3)·0.2) = 8.
    expect(d.observersNeeded).toMatchObject({ n: 8, extrapolated: true });
  });
});
