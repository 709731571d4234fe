import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MetricError } from '../metrics/errors';
import type { Grid } from '../metrics/types';
import { type BoundaryMode, extendIndex, gaussianFilter, gaussianKernel1d, gaussianRadius } from './gaussian';

// 5x4 map (row-major, height 4) and scipy 1.17.1 outputs of
//   scipy.ndimage.gaussian_filter(g, sigma, mode=mode, truncate=4.0, cval=0.5 if mode == 'constant' else 0)
// with g = (np.arange(20).reshape(4, 5) * 7 % 11) / 10. sigma 2 has radius 8 > width, so the
// periodic reflection of long kernels is exercised too.
const G: Grid = { width: 5, height: 4, data: Float64Array.from([0.0, 0.7, 0.3, 1.0, 0.6, 0.2, 0.9, 0.5, 0.1, 0.8, 0.4, 0.0, 0.7, 0.3, 1.0, 0.6, 0.2, 0.9, 0.5, 0.1]) };
const SCIPY: Record<string, number[]> = {
  'reflect-0.8': [0.2351442090730439, 0.4802055390489246, 0.5360911227567742, 0.6417667604601701, 0.6771678310803659, 0.3175027039603232, 0.488906292040279, 0.5038981443533913, 0.5137950136545312, 0.6736186659009531, 0.3710182388520761, 0.4003993319737298, 0.5067128072835891, 0.5048326702503874, 0.6193161317307415, 0.4535972558952648, 0.41984220020823737, 0.5775699742098073, 0.501393980468054, 0.37722112679935976],
  'reflect-2.0': [0.4241144923736219, 0.45445453999458785, 0.5007142213388559, 0.5438963291640796, 0.5692524751928053, 0.4286910299157076, 0.45536055366913997, 0.4957543992859226, 0.5330530245243701, 0.5547166075241028, 0.43542205801506645, 0.4568839498791203, 0.4888463362160357, 0.5175421859453392, 0.5337298550251955, 0.44037578223631646, 0.45813951172177614, 0.48403683428386, 0.506442353128741, 0.5185734605653556],
  'mirror-0.8': [0.42010486895194765, 0.5269109025002714, 0.5235922064699673, 0.5625378794781344, 0.6266384996761682, 0.41573017362471126, 0.5017492726183417, 0.5026773314594892, 0.49701742143348426, 0.5786618518952048, 0.34761495908017065, 0.3937338142835467, 0.5026276678390013, 0.4971090310558719, 0.5434070717132593, 0.34348202964737273, 0.3744606564447376, 0.5384432377286763, 0.5117513002181822, 0.4838959686589488],
  'mirror-2.0': [0.46896798066824735, 0.47574339096857, 0.491723287906479, 0.5071882283954544, 0.513453725169098, 0.46528775292684743, 0.4722784438723246, 0.48872907213884953, 0.5045906810741537, 0.5109988925746018, 0.45793623326079913, 0.46536039846765165, 0.48275917919796635, 0.4994203232648422, 0.5061163791255094, 0.45427030256660594, 0.4619113792212435, 0.47978444366796613, 0.49684525933706203, 0.5036851047638303],
  'nearest-0.8': [0.21578724429781995, 0.4761301661139153, 0.5372567362091851, 0.6494354138933813, 0.6761602068917636, 0.30798661207801153, 0.48864177078389803, 0.5039206847572713, 0.5141250047364532, 0.6825304589517596, 0.373697004143006, 0.4005420390480464, 0.5067901197685863, 0.5049756662411125, 0.6278197652160049, 0.4661275165873091, 0.4243132045067765, 0.5814681185631984, 0.49973475726140415, 0.3609409165013432],
  'nearest-2.0': [0.3166126175545624, 0.40672591626122145, 0.4927954251013113, 0.5595568506661575, 0.6014643568503547, 0.3624938968048393, 0.427112279753997, 0.48953990200831665, 0.5383898902136424, 0.5697809423172893, 0.4141857777675474, 0.4502332131444762, 0.48371639869021643, 0.5060190562868615, 0.5156602296474624, 0.46233600227200067, 0.4721518711102517, 0.4763002498308568, 0.4675168859489182, 0.4473961702192608],
  'constant-0.8': [0.3795062447579382, 0.49838652632968744, 0.5245215557591378, 0.5881688869897335, 0.5974687062445521, 0.3867143735386801, 0.49635993158062264, 0.5027257366753148, 0.5027164852547099, 0.6088882237294136, 0.40019570951334293, 0.40369492302781523, 0.503936102980998, 0.5001071274693253, 0.5769188935409291, 0.4572420978901123, 0.4322300377041083, 0.5503436300318927, 0.5053713400017648, 0.4536360019114649],
  'constant-2.0': [0.4782629755054686, 0.4875865071793051, 0.5021385813616298, 0.5151495852002299, 0.5212482568951846, 0.4750358131352737, 0.4839802137722209, 0.4988727455899542, 0.5126867329868221, 0.5197145519538522, 0.4764685234188317, 0.48331912415283457, 0.4956178973438375, 0.507311164778488, 0.5135721433737157, 0.48194477686094167, 0.48613503435062255, 0.49425403905897797, 0.501961213497623, 0.5061091952043091],
};

/** Naive 2-D correlation with the outer-product kernel, indices extended per mode. */
function naiveGaussian(grid: Grid, sigma: number, mode: BoundaryMode, cval: number): Float64Array {
  const k = gaussianKernel1d(sigma);
  const r = (k.length - 1) / 2;
  const out = new Float64Array(grid.width * grid.height);
  for (let y = 0; y < grid.height; y++) {
    for (let x = 0; x < grid.width; x++) {
      let acc = 0;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const sy = extendIndex(y + dy, grid.height, mode);
          const sx = extendIndex(x + dx, grid.width, mode);
          const v = sy < 0 || sx < 0 ? cval : (grid.data[sy * grid.width + sx] as number);
          acc += (k[dy + r] as number) * (k[dx + r] as number) * v;
        }
      }
      out[y * grid.width + x] = acc;
    }
  }
  return out;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
};

describe('gaussianKernel1d', () => {
  it("has scipy's radius floor(truncate*sigma + 0.5), sums to 1 and is symmetric", () => {
    expect(gaussianKernel1d(1).length).toBe(9);
    expect(gaussianKernel1d(1.5, 3.5).length).toBe(11); // scikit-image's Gaussian SSIM window
    expect(gaussianKernel1d(35).length).toBe(281);
    expect(gaussianRadius(0.1)).toBe(0);
    const k = gaussianKernel1d(2.3);
    expect(k.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 15);
    for (let i = 0; i < k.length; i++) expect(k[i]).toBe(k[k.length - 1 - i]);
  });

  it('hand case: sigma 1, truncate 1 gives [e^-1/2, 1, e^-1/2] / (1 + 2e^-1/2)', () => {
    const w = Math.exp(-0.5);
    const k = Array.from(gaussianKernel1d(1, 1));
    const expected = [w, 1, w].map((v) => v / (1 + 2 * w));
    k.forEach((v, i) => expect(v).toBeCloseTo(expected[i] as number, 15));
    expect(k).toHaveLength(3);
  });

  it('rejects sigma <= 0 or non-finite, naming sigma', () => {
    for (const s of [0, -1, Number.NaN, Infinity]) {
      expect(() => gaussianKernel1d(s)).toThrow(MetricError);
      expect(() => gaussianKernel1d(s)).toThrow(/gaussianKernel1d: sigma/);
    }
  });
});

describe('extendIndex', () => {
  it("follows scipy's line extension for a b c d", () => {
    const at = (mode: BoundaryMode, is: number[]) => is.map((i) => extendIndex(i, 4, mode));
    // reflect: d c b a | a b c d | d c b a, period 8
    expect(at('reflect', [-5, -4, -1, 0, 3, 4, 7, 8])).toEqual([3, 3, 0, 0, 3, 3, 0, 0]);
    // mirror: d c b | a b c d | c b a, period 6
    expect(at('mirror', [-4, -3, -1, 4, 5, 6, 7])).toEqual([2, 3, 1, 2, 1, 0, 1]);
    expect(at('nearest', [-9, -1, 4, 99])).toEqual([0, 0, 3, 3]);
    expect(at('constant', [-1, 4])).toEqual([-1, -1]);
    expect(extendIndex(-3, 1, 'mirror')).toBe(0);
    expect(extendIndex(5, 1, 'reflect')).toBe(0);
  });
});

describe('gaussianFilter', () => {
  it.each(Object.keys(SCIPY))('matches scipy.ndimage.gaussian_filter (%s) at 1e-12', (key) => {
    const [mode, sigma] = key.split('-') as [BoundaryMode, string];
    const out = gaussianFilter(G, Number(sigma), { mode, cval: mode === 'constant' ? 0.5 : 0 });
    expect(maxAbsDiff(out.data, SCIPY[key] as number[])).toBeLessThan(1e-12);
  });

  it('separable filter equals the naive 2-D convolution for every mode; input not modified', () => {
    const arb = fc.record({
      w: fc.integer({ min: 1, max: 7 }),
      h: fc.integer({ min: 1, max: 6 }),
      sigma: fc.double({ min: 0.2, max: 3, noNaN: true }),
      mode: fc.constantFrom<BoundaryMode>('nearest', 'reflect', 'mirror', 'constant'),
      cval: fc.double({ min: -1, max: 1, noNaN: true }),
      values: fc.array(fc.double({ min: -10, max: 10, noNaN: true }), { minLength: 42, maxLength: 42 }),
    });
    fc.assert(
      fc.property(arb, ({ w, h, sigma, mode, cval, values }) => {
        const grid: Grid = { width: w, height: h, data: Float64Array.from(values.slice(0, w * h)) };
        const before = Float64Array.from(grid.data);
        const fast = gaussianFilter(grid, sigma, { mode, cval });
        expect(maxAbsDiff(fast.data, naiveGaussian(grid, sigma, mode, cval))).toBeLessThan(1e-12);
        expect(grid.data).toEqual(before);
      }),
      { numRuns: 60 },
    );
  });

  it('an interior impulse keeps its mass in every mode; a corner one loses most of it with cval 0', () => {
    const total = (g: Grid) => Array.from(g.data).reduce((s, v) => s + v, 0);
    const impulse = (i: number): Grid => {
      const data = new Float32Array(11 * 11);
      data[i] = 1;
      return { width: 11, height: 11, data };
    };
    for (const mode of ['nearest', 'reflect', 'mirror', 'constant'] as const) {
      expect(total(gaussianFilter(impulse(60), 1, { mode }))).toBeCloseTo(1, 14); // radius 4: no padding reads the centre
    }
    expect(total(gaussianFilter(impulse(0), 1.2, { mode: 'constant' }))).toBeLessThan(0.5);
  });

  it('rejects bad sigma, truncate and non-finite maps, naming the argument', () => {
    expect(() => gaussianFilter(G, 0)).toThrow(/gaussianFilter: sigma/);
    expect(() => gaussianFilter(G, 1, { truncate: -1 })).toThrow(/gaussianFilter: truncate/);
    const bad: Grid = { width: 2, height: 1, data: Float64Array.from([1, Number.NaN]) };
    expect(() => gaussianFilter(bad, 1)).toThrow(/gaussianFilter: grid/);
  });
});
