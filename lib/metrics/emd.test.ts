import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRandom } from '../random';
import { emd, emdDistributions, emdGridSize } from './emd';
import { solveTransport } from './transport-simplex';
import type { Grid, Point } from './types';

const row = (values: number[]): Grid => ({ width: values.length, height: 1, data: Float64Array.from(values) });

/** 1-D EMD with unit spacing: Σ |CDF_a − CDF_b| (closed form, both normalised to 1). */
function emd1d(a: number[], b: number[]): number {
  const sa = a.reduce((s, v) => s + v, 0);
  const sb = b.reduce((s, v) => s + v, 0);
  let ca = 0;
  let cb = 0;
  let total = 0;
  for (let i = 0; i < a.length; i++) {
    ca += (a[i] as number) / sa;
    cb += (b[i] as number) / sb;
    total += Math.abs(ca - cb);
  }
  return total;
}

/**
 * Exact optimum with two supplies: ship x_j from supply 0 to demand j (the rest from supply 1);
 * cost = Σ b_j c1j + Σ x_j (c0j − c1j), a fractional knapsack filled by increasing c0j − c1j.
 */
function twoSupplyOptimum(a: [number, number], b: number[], cost: number[][]): number {
  const order = b.map((_, j) => j).sort((p, q) => ((cost[0]?.[p] as number) - (cost[1]?.[p] as number)) - ((cost[0]?.[q] as number) - (cost[1]?.[q] as number)));
  let left = a[0];
  let total = b.reduce((s, bj, j) => s + bj * (cost[1]?.[j] as number), 0);
  for (const j of order) {
    const x = Math.min(left, b[j] as number);
    total += x * ((cost[0]?.[j] as number) - (cost[1]?.[j] as number));
    left -= x;
  }
  return total;
}

const positive = (n: number) => fc.array(fc.integer({ min: 1, max: 9 }), { minLength: n, maxLength: n });

describe('solveTransport', () => {
  it('returns a feasible plan whose cost equals its dual bound (LP optimality certificate)', () => {
    const arb = fc.record({
      m: fc.integer({ min: 1, max: 9 }),
      n: fc.integer({ min: 1, max: 11 }),
      seed: fc.integer({ min: 0, max: 1e6 }),
      integral: fc.boolean(),
    });
    fc.assert(
      fc.property(arb, ({ m, n, seed, integral }) => {
        const r = createRandom(seed);
        // Integral masses and costs make many ties and degenerate pivots.
        const draw = () => (integral ? 1 + r.int(4) : 0.01 + r.next());
        const a = Array.from({ length: m }, draw);
        const rawB = Array.from({ length: n }, draw);
        const scale = a.reduce((s, v) => s + v, 0) / rawB.reduce((s, v) => s + v, 0);
        const b = rawB.map((v) => v * scale);
        const cost = Float64Array.from({ length: m * n }, () => (integral ? r.int(5) : 10 * r.next()));
        const plan = solveTransport(a, b, cost);
        const out = new Float64Array(m);
        const into = new Float64Array(n);
        let primal = 0;
        for (const f of plan.flows) {
          expect(f.amount).toBeGreaterThan(0);
          out[f.from] = (out[f.from] as number) + f.amount;
          into[f.to] = (into[f.to] as number) + f.amount;
          primal += f.amount * (cost[f.from * n + f.to] as number);
        }
        a.forEach((v, i) => expect(out[i]).toBeCloseTo(v, 9));
        b.forEach((v, j) => expect(into[j]).toBeCloseTo(v, 9));
        expect(plan.cost).toBeCloseTo(primal, 9);
        let dual = 0;
        for (let i = 0; i < m; i++) {
          dual += (a[i] as number) * (plan.potentialsSupply[i] as number);
          for (let j = 0; j < n; j++) {
            expect((plan.potentialsSupply[i] as number) + (plan.potentialsDemand[j] as number)).toBeLessThanOrEqual((cost[i * n + j] as number) + 1e-9);
          }
        }
        for (let j = 0; j < n; j++) dual += (b[j] as number) * (plan.potentialsDemand[j] as number);
        expect(Math.abs(dual - plan.cost)).toBeLessThan(1e-8);
      }),
      { numRuns: 150 },
    );
  });

  it('matches the closed-form optimum of two-supply problems', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 1e6 }), (n, seed) => {
        const r = createRandom(seed);
        const b = Array.from({ length: n }, () => 0.1 + r.next());
        const total = b.reduce((s, v) => s + v, 0);
        const split = 0.05 + 0.9 * r.next();
        const a: [number, number] = [split * total, (1 - split) * total];
        const cost = [0, 1].map(() => Array.from({ length: n }, () => r.next() * 10));
        const flat = Float64Array.from([...(cost[0] as number[]), ...(cost[1] as number[])]);
        expect(solveTransport(a, b, flat).cost).toBeCloseTo(twoSupplyOptimum(a, b, cost), 9);
      }),
      { numRuns: 100 },
    );
  });
});

describe('emdDistributions', () => {
  it('a point mass moved by d costs d (Euclidean); splitting mass splits the cost', () => {
    expect(emdDistributions([1], [{ x: 0, y: 0 }], [1], [{ x: 3, y: 4 }])).toBeCloseTo(5, 14);
    expect(emdDistributions([2], [{ x: 0, y: 0 }], [1, 1], [{ x: 1, y: 0 }, { x: 0, y: 2 }])).toBeCloseTo(3, 14);
  });

  it('rejects unequal totals, negative or non-finite weights and length mismatches', () => {
    const p: Point[] = [{ x: 0, y: 0 }];
    expect(() => emdDistributions([1], p, [2], p)).toThrow(/emdDistributions: weightsB: total 2 differs/);
    expect(() => emdDistributions([-1], p, [1], p)).toThrow(/emdDistributions: weightsA: weight 0/);
    expect(() => emdDistributions([1, 1], p, [2], p)).toThrow(/emdDistributions: weightsA: 2 weights for 1 points/);
    expect(() => emdDistributions([0], p, [0], p)).toThrow(/total weight is 0/);
    expect(() => emdDistributions([1], [{ x: Number.NaN, y: 0 }], [1], p)).toThrow(/weightsA: point 0 is not finite/);
  });
});

describe('emd', () => {
  it('coarse grid: long side maxSide, short side rounded (MIT300 1024x768 -> 32x24)', () => {
    expect(emdGridSize(1024, 768)).toEqual({ width: 32, height: 24 });
    expect(emdGridSize(640, 480)).toEqual({ width: 32, height: 24 });
    expect(emdGridSize(100, 10)).toEqual({ width: 32, height: 3 });
    expect(emdGridSize(10, 100)).toEqual({ width: 3, height: 32 });
    expect(emdGridSize(500, 3)).toEqual({ width: 32, height: 1 });
    expect(emdGridSize(20, 20)).toEqual({ width: 20, height: 20 });
  });

  it('equals the 1-D closed form Σ|CDF_a − CDF_b| on 1xN maps (integer masses: degenerate pivots)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }).chain((n) => fc.tuple(positive(n), positive(n))), ([a, b]) => {
        expect(emd(row(a), row(b), { maxSide: 64 })).toBeCloseTo(emd1d(a, b), 10);
      }),
      { numRuns: 100 },
    );
  });

  it('hand cases: identical maps 0, a point mass moved by (3, 4) costs 5, symmetric', () => {
    const at = (x: number, y: number): Grid => {
      const data = new Float64Array(25);
      data[y * 5 + x] = 1;
      return { width: 5, height: 5, data };
    };
    expect(emd(at(0, 0), at(0, 0))).toBe(0);
    expect(emd(at(0, 0), at(3, 4))).toBeCloseTo(5, 14);
    expect(emd(at(3, 4), at(0, 0))).toBeCloseTo(5, 14);
  });

  it('measures distance in coarse cells after area downsampling (64x64 corners -> 31·√2)', () => {
    const corner = (x: number, y: number): Grid => {
      const data = new Float64Array(64 * 64);
      data[y * 64 + x] = 1;
      return { width: 64, height: 64, data };
    };
    expect(emd(corner(0, 0), corner(63, 63))).toBeCloseTo(31 * Math.SQRT2, 12);
    expect(emd(corner(0, 0), corner(63, 63), { maxSide: 64 })).toBeCloseTo(63 * Math.SQRT2, 12);
  });

  it('the surplus/deficit reduction gives the full 768x768 transport optimum on 32x24 maps', () => {
    const r = createRandom(11);
    const s: Grid = { width: 32, height: 24, data: Float64Array.from({ length: 768 }, () => r.next()) };
    const d: Grid = { width: 32, height: 24, data: Float32Array.from({ length: 768 }, () => r.next() ** 4) };
    const before = Float64Array.from(s.data);
    const cells = Array.from({ length: 768 }, (_, i) => ({ x: i % 32, y: Math.floor(i / 32) }));
    const norm = (g: Grid) => {
      const total = Array.from(g.data).reduce((acc, v) => acc + v, 0);
      return Array.from(g.data, (v) => v / total);
    };
    const full = emdDistributions(norm(s), cells, norm(d), cells);
    const value = emd(s, d);
    expect(value).toBeCloseTo(full, 9);
    expect(emd(d, s)).toBeCloseTo(value, 9);
    expect(s.data).toEqual(before);
  });

  it('reads maps as pysaliency densities: negative minima shifted, all-zero uniform', () => {
    // [-1, 1] -> (0, 1); [0, 0] -> (1/2, 1/2): half the mass moves one cell.
    expect(emd(row([-1, 1]), row([0, 0]))).toBeCloseTo(0.5, 14);
  });

  it('rejects mismatched sizes, non-finite values and a bad maxSide, naming the argument', () => {
    expect(() => emd(row([1, 2]), row([1, 2, 3]))).toThrow(/emd: density: size/);
    expect(() => emd(row([1, Number.NaN]), row([1, 2]))).toThrow(/emd: saliency: non-finite/);
    expect(() => emd(row([1, 2]), row([1, 2]), { maxSide: 0 })).toThrow(/emd: maxSide/);
  });
});
