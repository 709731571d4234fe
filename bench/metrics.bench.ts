/**
 * Metric speed benchmark (`npm run bench:metrics`). Medians over RUNS timed runs after WARMUP
 * untimed ones, on synthetic inputs of the sizes the reference timings were taken at:
 *  1. the suite CC + SSIM + SIM + KLD + NSS + AUC-Judd on a 640×480 pair with 100 fixations, and
 *     each metric alone;
 *  2. densityMap at 1024×768, σ = 35 px, 500 fixations;
 *  3. EMD at 32×24.
 * The reference runs in the same run: bench/reference/metrics_reference.py (numpy / SciPy /
 * scikit-image, Debian's python3-numpy, python3-scipy, python3-skimage at /usr/bin/python3, or
 * GAZEBENCH_REFERENCE_PYTHON) times the same metrics with the same warm-up and run counts on the
 * same inputs, written to .npy files, and its values are compared with ours. When it is absent
 * the bench says so and why, and prints no ratio: a stored figure is no ratio, since load moves
 * timings several-fold on these machines.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { densityMap } from '../lib/imaging/density-map';
import { aucJudd, cc, emd, kld, nss, sim, ssim, type Grid, type Point } from '../lib/metrics/index';
import { writeNpy } from '../lib/io/npy';
import { createRandom } from '../lib/random';

const WARMUP = 10;
const RUNS = 40;

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

type ReferenceRun = { versions: Record<string, string>; results: Record<string, { ms: number; value: number }> } | { absent: string };

/** Runs bench/reference/metrics_reference.py on the same inputs, or says why it could not. */
function runReference(): ReferenceRun {
  const python = process.env.GAZEBENCH_REFERENCE_PYTHON ?? '/usr/bin/python3';
  const dir = mkdtempSync(path.join(tmpdir(), 'gazebench-bench-metrics-'));
  try {
    const points = (list: Point[]) => ({ width: 2, height: list.length, data: Float64Array.from(list.flatMap((p) => [p.x, p.y])) });
    writeFileSync(path.join(dir, 'saliency.npy'), writeNpy(saliency));
    writeFileSync(path.join(dir, 'density.npy'), writeNpy(density));
    writeFileSync(path.join(dir, 'fixations.npy'), writeNpy(points(fix)));
    writeFileSync(path.join(dir, 'bigFixations.npy'), writeNpy(points(bigFix)));
    const script = path.join(import.meta.dirname, 'reference', 'metrics_reference.py');
    const r = spawnSync(python, [script, dir, String(WARMUP), String(RUNS)], { encoding: 'utf8' });
    if (r.error) return { absent: `${python}: ${r.error.message}` };
    if (r.status !== 0) return { absent: `${python} exited with ${r.status}: ${r.stderr.trim().split('\n').at(-1) ?? ''}` };
    return JSON.parse(r.stdout) as ReferenceRun;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const values = new Map<string, number>([
  ...single.map(([name, fn]) => [name, fn()] as [string, number]),
  ['suite (CC+SSIM+SIM+KLD+NSS+AUC-Judd)', single.reduce((sum, [, fn]) => sum + fn(), 0)],
  ['densityMap 1024x768 σ35 500 fix', densityMap(bigFix, 1024, 768, 35).data[0] as number],
]);
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');
const reference = runReference();
const loadAfter = loadavg().map((l) => l.toFixed(2)).join(' ');
const nameWidth = Math.max(...rows.map(([n]) => n.length));
console.log(`Node ${process.version}, ${availableParallelism()} cores; load average ${loadBefore} after ours, ${loadAfter} after the reference; ${WARMUP} warm-up + ${RUNS} timed runs, median ms (640x480 pair, 100 fixations)`);
if ('absent' in reference) {
  console.log(`reference absent: ${reference.absent} (install python3-numpy python3-scipy python3-skimage from Debian); no ratios printed\n`);
} else {
  console.log(`reference: ${Object.entries(reference.versions).map(([k, v]) => `${k} ${v}`).join(', ')}, run in this same run\n`);
}
console.log(`${'benchmark'.padEnd(nameWidth)}  ${'ours ms'.padStart(9)}  ${'reference ms'.padStart(12)}  ${'speed-up'.padStart(8)}  ${'|ours − reference| value'.padStart(24)}`);
for (const [name, ms] of rows) {
  const ref = 'absent' in reference ? undefined : reference.results[name];
  const ratio = ref === undefined ? '—' : `${(ref.ms / ms).toFixed(1)}×`;
  const ours = values.get(name);
  const agreement = ref === undefined || ours === undefined ? '—' : Math.abs(ours - ref.value).toExponential(1);
  console.log(`${name.padEnd(nameWidth)}  ${ms.toFixed(2).padStart(9)}  ${(ref === undefined ? '—' : ref.ms.toFixed(2)).padStart(12)}  ${ratio.padStart(8)}  ${agreement.padStart(24)}`);
}
