/**
 * Metric speed benchmark (`npm run bench:metrics`). Medians over RUNS timed runs after WARMUP
 * untimed ones, on synthetic inputs of the sizes the reference timings were taken at:
 *  1. the suite CC + SSIM + SIM + KLD + NSS + AUC-Judd on a 640×480 pair with 100 fixations, and
 *     each metric alone;
 *  2. densityMap at 1024×768, σ = 35 px, 500 fixations;
 *  3. EMD at 32×24.
 * Reference timings (Python: pysaliency, scikit-image 0.19 SSIM, scipy 1.10 gaussian_filter) were
 * measured on the same 2-core machine and are printed beside ours with the speed-up.
 */
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { densityMap } from '../lib/imaging/density-map';
import { aucJudd, cc, emd, kld, nss, sim, ssim, type Grid, type Point } from '../lib/metrics/index';
import { createRandom } from '../lib/random';

const WARMUP = 10;
const RUNS = 40;

/** Reference medians in ms (Python implementations, this machine); null where none was measured. */
const REFERENCE_MS: Record<string, number | null> = {
  'suite (CC+SSIM+SIM+KLD+NSS+AUC-Judd)': 45,
  ssim: 25,
  aucJudd: 17,
  'densityMap 1024x768 σ35 500 fix': 108,
};

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

function time(fn: () => unknown): number {
  let sink = 0;
  for (let i = 0; i < WARMUP; i++) sink += Number(fn());
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    sink += Number(fn());
    samples.push(performance.now() - t0);
  }
  if (Number.isNaN(sink)) throw new Error('a benchmarked function returned NaN');
  return medianOf(samples);
}

function fixations(n: number, width: number, height: number, seed: number): Point[] {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => ({ x: r.int(width), y: r.int(height) }));
}

/** A smooth saliency-like map: a few Gaussian blobs plus a little noise, as float32. */
function blobs(width: number, height: number, seed: number): Grid<Float32Array> {
  const r = createRandom(seed);
  const data = new Float32Array(width * height);
  const centres = Array.from({ length: 6 }, () => ({ x: r.next() * width, y: r.next() * height, s: 20 + r.next() * 60 }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = 0.01 * r.next();
      for (const c of centres) v += Math.exp(-((x - c.x) ** 2 + (y - c.y) ** 2) / (2 * c.s * c.s));
      data[y * width + x] = v;
    }
  }
  return { width, height, data };
}

const W = 640;
const H = 480;
const fix = fixations(100, W, H, 1);
const saliency = blobs(W, H, 2);
const density = densityMap(fix, W, H, 35);

const rows: [string, number][] = [];
const single: [string, () => number][] = [
  ['cc', () => cc(saliency, density)],
  ['ssim', () => ssim(saliency, density)],
  ['sim', () => sim(saliency, density)],
  ['kld', () => kld(saliency, density)],
  ['nss', () => nss(saliency, fix)],
  ['aucJudd', () => aucJudd(saliency, fix)],
];
// Every metric warmed up on its own first, so the suite is timed with all of them compiled.
const singleTimes = single.map(([name, fn]) => [name, time(fn)] as [string, number]);
rows.push(['suite (CC+SSIM+SIM+KLD+NSS+AUC-Judd)', time(() => single.reduce((sum, [, fn]) => sum + fn(), 0))]);
rows.push(...singleTimes);
const bigFix = fixations(500, 1024, 768, 3);
rows.push(['densityMap 1024x768 σ35 500 fix', time(() => densityMap(bigFix, 1024, 768, 35).data[0])]);
const small = blobs(32, 24, 4);
const smallDensity = densityMap(fixations(20, 32, 24, 5), 32, 24, 2);
rows.push(['emd 32x24', time(() => emd(small, smallDensity))]);

const nameWidth = Math.max(...rows.map(([n]) => n.length));
const load = loadavg().map((l) => l.toFixed(2)).join(' ');
console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${load}; ${WARMUP} warm-up + ${RUNS} timed runs, median ms (640x480 pair, 100 fixations)\n`);
console.log(`${'benchmark'.padEnd(nameWidth)}  ${'ours ms'.padStart(9)}  ${'reference ms'.padStart(12)}  ${'speed-up'.padStart(8)}`);
for (const [name, ms] of rows) {
  const ref = REFERENCE_MS[name] ?? null;
  const ratio = ref === null ? '—' : `${(ref / ms).toFixed(1)}×`;
  console.log(`${name.padEnd(nameWidth)}  ${ms.toFixed(2).padStart(9)}  ${(ref === null ? '—' : ref.toFixed(0)).padStart(12)}  ${ratio.padStart(8)}`);
}
