import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grid, reference } from '@/tests/fixtures/reference';
import { gaussianKernel1d } from '../imaging/gaussian';
import { ssim, ssimDetailed, ssimGaussian } from './ssim';
import type { Grid } from './types';

// Reference values: scikit-image 0.19 structural_similarity on min-max scaled maps, data_range=1;
// ssimGaussian with gaussian_weights=True, sigma=1.5, use_sample_covariance=False
// (tests/fixtures/reference-metrics.README.md).

/** Window-by-window SSIM mean (no running sums, no separability), Wang et al. 2004 eq. 13. */
function naiveSsim(a: Grid, b: Grid, gaussian: boolean): number {
  const scale = (d: ArrayLike<number>) => {
    const v = Array.from(d);
    const min = Math.min(...v);
    const max = Math.max(...v);
    return v.map((x) => (max > min ? (x - min) / (max - min) : 0));
  };
  const x = scale(a.data);
  const y = scale(b.data);
  const k = gaussian ? Array.from(gaussianKernel1d(1.5, 3.5)) : Array(7).fill(1 / 7);
  const r = (k.length - 1) / 2;
  const covNorm = gaussian ? 1 : 49 / 48;
  const [c1, c2] = [0.01 ** 2, 0.03 ** 2];
  let total = 0;
  let count = 0;
  for (let cy = r; cy < a.height - r; cy++) {
    for (let cx = r; cx < a.width - r; cx++) {
      let [mx, my, mxx, myy, mxy] = [0, 0, 0, 0, 0];
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const w = (k[dy + r] as number) * (k[dx + r] as number);
          const i = (cy + dy) * a.width + cx + dx;
          const u = x[i] as number;
          const v = y[i] as number;
          mx += w * u;
          my += w * v;
          mxx += w * u * u;
          myy += w * v * v;
          mxy += w * u * v;
        }
      }
      const vx = covNorm * (mxx - mx * mx);
      const vy = covNorm * (myy - my * my);
      const vxy = covNorm * (mxy - mx * my);
      total += ((2 * mx * my + c1) * (2 * vxy + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2));
      count++;
    }
  }
  return total / count;
}

describe('ssim', () => {
  it.each(reference.cases.map((c) => [c.name, c] as const))('matches scikit-image on %s at 1e-9 (uniform and Gaussian)', (_, c) => {
    const s = grid(c.saliency);
    const d = grid(c.density);
    expect(Math.abs(ssim(s, d) - (c.expected.ssim as number))).toBeLessThan(1e-9);
    expect(Math.abs(ssimGaussian(s, d) - (c.expected.ssimGaussian as number))).toBeLessThan(1e-9);
    expect(Math.abs(ssimDetailed(s, d).mssim - (c.expected.ssim as number))).toBeLessThan(1e-9);
  });

  it('identical maps (up to a*x+b) score 1; two constant maps score 1 (both become zeros)', () => {
    const a: Grid = { width: 8, height: 7, data: Float64Array.from({ length: 56 }, (_, i) => Math.sin(i * 1.7)) };
    const b: Grid = { ...a, data: a.data.map((v) => 3 * v + 2) };
    expect(ssim(a, b)).toBeCloseTo(1, 14);
    expect(ssimGaussian({ width: 11, height: 11, data: new Float64Array(121).fill(4) }, { width: 11, height: 11, data: new Float64Array(121) })).toBe(1);
  });

  it('fast paths equal the window-by-window definition, are symmetric and affine-invariant; inputs not modified', () => {
    const arb = fc.record({
      w: fc.integer({ min: 11, max: 16 }),
      h: fc.integer({ min: 11, max: 14 }),
      seed: fc.integer({ min: 0, max: 1000 }),
      a: fc.double({ min: 0.1, max: 10, noNaN: true }),
      b: fc.double({ min: -10, max: 10, noNaN: true }),
    });
    fc.assert(
      fc.property(arb, ({ w, h, seed, a, b }) => {
        const noise = (k: number) => Float64Array.from({ length: w * h }, (_, i) => Math.sin((i + 1) * (seed + k) * 0.37) + 0.3 * Math.cos(i * 0.11 * k));
        const s: Grid = { width: w, height: h, data: noise(1) };
        const d: Grid = { width: w, height: h, data: Float32Array.from(noise(2)) };
        const before = Float64Array.from(s.data);
        const value = ssim(s, d);
        expect(value).toBeCloseTo(naiveSsim(s, d, false), 12);
        expect(ssimGaussian(s, d)).toBeCloseTo(naiveSsim(s, d, true), 12);
        expect(ssim(d, s)).toBeCloseTo(value, 13);
        expect(ssim({ ...s, data: s.data.map((v) => a * v + b) }, d)).toBeCloseTo(value, 9);
        expect(s.data).toEqual(before);
      }),
      { numRuns: 40 },
    );
  });

  it('ssimDetailed returns the full map with reflect-padded borders and the same mean', () => {
    const s: Grid = { width: 14, height: 12, data: Float64Array.from({ length: 168 }, (_, i) => (i * 37) % 11) };
    const d: Grid = { width: 14, height: 12, data: Float64Array.from({ length: 168 }, (_, i) => (i * 13) % 7) };
    const detailed = ssimDetailed(s, d);
    expect([detailed.map.width, detailed.map.height, detailed.map.data.length]).toEqual([14, 12, 168]);
    expect(detailed.mssim).toBeCloseTo(ssim(s, d), 13);
    expect(ssimDetailed(s, d, { gaussianWeights: true, useSampleCovariance: false }).mssim).toBeCloseTo(ssimGaussian(s, d), 13);
    // Border rows/columns: the scikit-image formula on scipy 1.17.1 filters (uniform_filter size 7
    // and gaussian_filter sigma 1.5 truncate 3.5, both mode='reflect') of the min-max scaled maps.
    const uniformTop = [0.5869205196468757, 0.5564216584313095, 0.48458802700603254, 0.40070743824624755, -0.005824982502177082, -0.12197542813110832, -0.297153405644992, -0.15331487667847982, -0.14070081867695758, -0.15429824230113487, -0.3352903027829833, -0.32035706611860737, -0.23023581869376314, -0.20925863827817623];
    const uniformLeft = [0.5869205196468757, 0.52601744716991, 0.4674888916857289, 0.4102380143632958, 0.21512682407737693, 0.013020699312729153, -0.1915532246438278, -0.32984316567894134, -0.24807644678548885, -0.17027017449906304, -0.2923471184340503, -0.2943062013070603];
    const gaussianTop = [0.6518969595913832, 0.6113033075463664, 0.4563385874709327, 0.16897477866402674, -0.028561139916904506, -0.037527128183592405, -0.04736007624899739, -0.09914787254962344, -0.12271019725944438, -0.07303302186964807, 0.0028139464928655946, -0.12592121174153498, -0.3484277147370042, -0.38562613889771885];
    const gaussianLeft = [0.6518969595913832, 0.6384427613769115, 0.5862132732207479, 0.4923160834613228, 0.3672518215420307, 0.18286023088739947, -0.09253440769207077, -0.39164431560942375, -0.570661743180909, -0.5310780257322049, -0.3142485989277536, -0.1063550473859648];
    const gaussianMap = ssimDetailed(s, d, { gaussianWeights: true, useSampleCovariance: false }).map.data;
    uniformTop.forEach((v, x) => expect(detailed.map.data[x]).toBeCloseTo(v, 12));
    uniformLeft.forEach((v, y) => expect(detailed.map.data[y * 14]).toBeCloseTo(v, 12));
    gaussianTop.forEach((v, x) => expect(gaussianMap[x]).toBeCloseTo(v, 12));
    gaussianLeft.forEach((v, y) => expect(gaussianMap[y * 14]).toBeCloseTo(v, 12));
    for (const v of detailed.map.data) expect(Math.abs(v)).toBeLessThanOrEqual(1 + 1e-12);
    expect(ssimDetailed(s, s).map.data.every((v) => Math.abs(v - 1) < 1e-12)).toBe(true);
  });

  it('rejects maps smaller than the window, bad options, mismatches and non-finite values', () => {
    const six: Grid = { width: 6, height: 9, data: new Float64Array(54) };
    expect(() => ssim(six, six)).toThrow(/ssim: saliency: map 6x9 is smaller than the 7x7 window/);
    const ten: Grid = { width: 10, height: 10, data: new Float64Array(100) };
    expect(() => ssimGaussian(ten, ten)).toThrow(/ssimGaussian: saliency: .* 11x11 window/);
    expect(() => ssimDetailed(ten, ten, { winSize: 4 })).toThrow(/ssimDetailed: winSize/);
    expect(() => ssim(ten, { width: 10, height: 9, data: new Float64Array(90) })).toThrow(/ssim: density: size/);
    const bad: Grid = { width: 10, height: 10, data: new Float64Array(100).fill(Number.NaN) };
    expect(() => ssim(ten, bad)).toThrow(/ssim: density: non-finite/);
    expect(() => ssimDetailed(bad, ten)).toThrow(/ssimDetailed: saliency: non-finite/);
  });
});
