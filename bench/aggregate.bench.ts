/**
 * Ground-truth and scoring throughput (`npm run bench:aggregate`), issue 6's speed goal:
 *  A. rebuild the density maps of 1,000 images (512×384) × 30 observers × 10 fixations, σ = 17.5 px
 *     (1° at 17.5 px/deg: MIT300's 35 px/deg at half the size) — what `rebuildDensityMap` computes
 *     besides SQL: the map, its float64 encoding and the frozen fixations;
 *  B. score 1,000 saliency maps (224², float32) against those images' ground truth with every
 *     ground-truth metric the service stores (PCC, SSIM, NSS, AUC-Judd, sAUC, SIM, KLD, IG) exactly
 *     as `scoreRun` does: decode the stored float64 density map, resize the map to 512×384, build
 *     the sAUC negatives (≤ 10,000 of the other images' 299,700 fixations), run the suite;
 *  C. EMD (optional per run) on a sample, and the reference rows of one image (ceiling with 30
 *     left-out observers + 4 baselines + consistency) on a sample, reported per image.
 * Each part runs on one thread, then split over 2 worker threads (one per core). Printed per part:
 * the wall time of the work (the busiest thread's for worker runs), the CPU time of the busiest
 * thread (Linux /proc/thread-self/stat: what the work costs on idle cores — the project machine is
 * shared, so wall time includes waiting for a core) and the median per item. Inputs are generated
 * from fixed seeds before the clocks start. The
 * density grids scored in B cycle through 100 stored ones (memory: 1.5 MB each) — the work per map
 * is the same as with 1,000 distinct ones.
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { decodeFloat64, encodeFloat64 } from '../db/queries/ground-truth';
import { centreBiasMap, randomMap, uniformMap } from '../lib/ground-truth/baselines';
import { imageConsistencyOf, members, othersMap, weightedSum } from '../lib/ground-truth/consistency';
import { negativePool } from '../lib/ground-truth/negatives';
import { encodePoints, type ObserverFixations } from '../lib/ground-truth/points';
import { densityMap } from '../lib/imaging/density-map';
import { emd } from '../lib/metrics/emd';
import type { Grid } from '../lib/metrics/types';
import { createRandom } from '../lib/random';
import { GROUND_TRUTH_SCORE_METRICS } from '../lib/scoring/metrics';
import { atSize, scoreSuite } from '../lib/scoring/suite';

const IMAGES = 1000;
const W = 512;
const H = 384;
const OBSERVERS = 30;
const FIXATIONS = 10;
const SIGMA = 17.5;
const MAP = 224;
const STORED_GRIDS = 100;
const EMD_SAMPLE = 50;
const REFERENCE_SAMPLE = 5;

type Part = 'density' | 'score';

function observersOf(image: number): ObserverFixations[] {
  const r = createRandom(1_000 + image);
  // Fixations cluster on two image-specific spots (people agree) plus a uniform share.
  const spots = [0, 1].map(() => ({ x: W * (0.2 + 0.6 * r.next()), y: H * (0.2 + 0.6 * r.next()) }));
  return Array.from({ length: OBSERVERS }, (_, o) => ({
    label: `o${o}`,
    fixations: Array.from({ length: FIXATIONS }, () => {
      if (r.next() < 0.25) return { x: r.next() * W, y: r.next() * H };
      const s = spots[r.int(2)] as { x: number; y: number };
      return { x: Math.min(W - 1, Math.max(0, s.x + 25 * r.normal())), y: Math.min(H - 1, Math.max(0, s.y + 25 * r.normal())) };
    }),
  }));
}

function saliencyOf(image: number): Grid<Float32Array> {
  const r = createRandom(50_000 + image);
  const cx = MAP * r.next();
  const cy = MAP * r.next();
  return { width: MAP, height: MAP, data: Float32Array.from({ length: MAP * MAP }, (_, i) => Math.exp(-(((i % MAP) - cx) ** 2 + (Math.floor(i / MAP) - cy) ** 2) / 800) + 0.05 * r.next()) };
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

interface Timing {
  /** Per-item times, ms. */
  readonly times: number[];
  /** CPU seconds of the thread that ran it (Linux /proc/thread-self/stat); inputs made before. */
  readonly cpuS: number | null;
  /** Wall seconds of the work: Σ item times (the busiest thread's, for worker runs). */
  readonly wallS?: number;
}

/**
 * CPU time of the calling thread (user + system, clock ticks of 1/100 s). On a machine shared with
 * other jobs the wall clock includes waiting for a core; the thread's CPU time is what the work
 * itself took, so the bench reports both.
 */
function threadCpuSeconds(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

function withCpu(fn: () => number[]): Timing {
  const before = threadCpuSeconds();
  const times = fn();
  const after = threadCpuSeconds();
  return { times, cpuS: before === null || after === null ? null : after - before };
}

/** Part A on images [from, to): inputs first, then per-image times in ms. */
function rebuildDensity(from: number, to: number): Timing {
  const inputs = Array.from({ length: to - from }, (_, k) => observersOf(from + k));
  return withCpu(() =>
    inputs.map((observers) => {
      const t = performance.now();
      const grid = densityMap(observers.flatMap((o) => o.fixations), W, H, SIGMA);
      encodeFloat64(grid.data);
      encodePoints(observers);
      return performance.now() - t;
    }),
  );
}

/** Part B on maps [from, to): inputs first (pool, stored grids, maps), then per-map times in ms. */
function scoreMaps(from: number, to: number): Timing {
  const all = Array.from({ length: IMAGES }, (_, i) => ({ imageId: `img-${String(i).padStart(4, '0')}`, width: W, height: H, fixations: observersOf(i).flatMap((o) => o.fixations) }));
  const stored = Array.from({ length: STORED_GRIDS }, (_, k) => encodeFloat64(densityMap(all[k]?.fixations ?? [], W, H, SIGMA).data));
  const maps = Array.from({ length: to - from }, (_, k) => saliencyOf(from + k));
  const baseline = centreBiasMap(W, H);
  let sink = 0;
  const timing = withCpu(() => {
    // Building the pool is part of loading a run's ground truth: timed, once per job.
    const t0 = performance.now();
    const pool = negativePool(all);
    const times = [performance.now() - t0];
    for (let i = from; i < to; i++) {
      const image = all[i] as (typeof all)[number];
      const t = performance.now();
      const density = { width: W, height: H, data: decodeFloat64(stored[i % STORED_GRIDS] as Uint8Array) };
      const r = scoreSuite({ saliency: maps[i - from] as Grid, density, fixations: image.fixations, negatives: pool.negativesFor(image.imageId, W, H), baseline }, GROUND_TRUTH_SCORE_METRICS);
      times.push(performance.now() - t);
      if (Object.keys(r.failures).length) throw new Error(`bench: failures ${JSON.stringify(r.failures)}`);
      sink += r.values.cc ?? 0;
    }
    return times;
  });
  if (!Number.isFinite(sink)) throw new Error('bench: non-finite score');
  // The first entry is the pool: keep it in the totals, not in the per-map median.
  return timing;
}

/** Worker threads do not inherit tsx's loader: register it (as bin/gazebench.mjs does), then load this file. */
const WORKER_BOOTSTRAP = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); });`;

function inWorkers(part: Part, threads: number): Promise<Timing> {
  const size = Math.ceil(IMAGES / threads);
  return Promise.all(
    Array.from({ length: threads }, (_, k) =>
      new Promise<Timing>((resolve, reject) => {
        const w = new Worker(WORKER_BOOTSTRAP, { eval: true, workerData: { part, from: k * size, to: Math.min(IMAGES, (k + 1) * size) } });
        w.once('message', (m: Timing) => resolve(m));
        w.once('error', reject);
      }),
    ),
  ).then((parts) => ({
    times: parts.flatMap((p) => p.times),
    wallS: Math.max(...parts.map((p) => p.times.reduce((a, b) => a + b, 0) / 1000)),
    // Two idle cores would finish when the busier thread does.
    cpuS: parts.some((p) => p.cpuS === null) ? null : Math.max(...parts.map((p) => p.cpuS as number)),
  }));
}

function run(part: Part, from: number, to: number): Timing {
  return part === 'density' ? rebuildDensity(from, to) : scoreMaps(from, to);
}

/**
 * Per item: the work only (inputs are generated before the clock starts). Totals: Σ of the item
 * times and the CPU time of the (busiest) thread — on idle cores the wall time would be about that.
 */
async function timed(label: string, fn: () => Promise<Timing> | Timing): Promise<void> {
  const { times, cpuS, wallS } = await fn();
  const wall = wallS ?? times.reduce((a, b) => a + b, 0) / 1000;
  const cpu = cpuS === null ? 'n/a' : `${cpuS.toFixed(2)} s`;
  console.log(`${label.padEnd(40)} wall ${wall.toFixed(2).padStart(6)} s · busiest-thread CPU ${cpu.padStart(8)} · median ${median(times).toFixed(2)} ms/item (n = ${times.length})`);
}

/** CPU ms of the calling thread around fn (falls back to wall time off Linux). */
function cpuMs(fn: () => unknown): number {
  const before = threadCpuSeconds();
  const t = performance.now();
  fn();
  const after = threadCpuSeconds();
  return before === null || after === null ? performance.now() - t : (after - before) * 1000;
}

function sampleExtras(): void {
  const all = Array.from({ length: IMAGES }, (_, i) => ({ imageId: `img-${String(i).padStart(4, '0')}`, width: W, height: H, fixations: observersOf(i).flatMap((o) => o.fixations) }));
  const pairs = Array.from({ length: EMD_SAMPLE }, (_, i) => ({ density: densityMap(all[i]?.fixations ?? [], W, H, SIGMA), saliency: atSize(saliencyOf(i), W, H) }));
  const emdCpu = cpuMs(() => pairs.forEach((p) => emd(p.saliency, p.density))) / EMD_SAMPLE;
  console.log(`EMD at 32×24 (sample of ${EMD_SAMPLE}): ${emdCpu.toFixed(1)} ms CPU/map (mean) → ≈ ${((emdCpu * IMAGES) / 1000).toFixed(0)} s CPU per 1,000 maps`);
  const pool = negativePool(all);
  const observersSample = Array.from({ length: REFERENCE_SAMPLE }, (_, i) => observersOf(i));
  let consistencyMs = 0;
  const totalMs = cpuMs(() => {
    observersSample.forEach((observers, i) => {
      const fix = observers.flatMap((o) => o.fixations);
      const density = densityMap(fix, W, H, SIGMA);
      const negatives = pool.negativesFor(all[i]?.imageId ?? '', W, H);
      const baseline = centreBiasMap(W, H);
      const list = members(observers, W, H, SIGMA);
      const total = weightedSum(list, W * H);
      for (const m of list) {
        const others = othersMap(total, m);
        scoreSuite({ saliency: { width: W, height: H, data: others }, density: { width: W, height: H, data: m.map }, fixations: m.fixations, negatives, baseline }, GROUND_TRUTH_SCORE_METRICS);
      }
      for (const b of [baseline, densityMap(negatives, W, H, SIGMA), uniformMap(W, H), randomMap(W, H, i)]) {
        scoreSuite({ saliency: b, density, fixations: fix, negatives, baseline }, GROUND_TRUTH_SCORE_METRICS);
      }
      consistencyMs += cpuMs(() => imageConsistencyOf(list, W, H));
    });
  });
  const per = totalMs / REFERENCE_SAMPLE;
  console.log(
    `reference rows of one image (30-observer LOO ceiling, 4 baselines, consistency), sample of ${REFERENCE_SAMPLE}: ${(per / 1000).toFixed(2)} s CPU/image (consistency ${(consistencyMs / REFERENCE_SAMPLE / 1000).toFixed(2)} s) → ≈ ${((per * IMAGES) / 60_000).toFixed(0)} min CPU per 1,000 images`,
  );
}

if (!isMainThread) {
  const { part, from, to } = workerData as { part: Part; from: number; to: number };
  parentPort?.postMessage(run(part, from, to));
} else {
  console.log(`bench:aggregate — Node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${availableParallelism()}, load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`inputs: ${IMAGES} images ${W}×${H}, ${OBSERVERS} observers × ${FIXATIONS} fixations, σ ${SIGMA} px; ${IMAGES} maps ${MAP}×${MAP}`);
  // Warm-up (JIT) on a few items, untimed.
  rebuildDensity(0, 20);
  scoreMaps(0, 10);
  await timed('A. density maps, 1 thread', () => run('density', 0, IMAGES));
  await timed('A. density maps, 2 worker threads', () => inWorkers('density', 2));
  await timed('B. scoring (8 GT metrics), 1 thread', () => run('score', 0, IMAGES));
  await timed('B. scoring (8 GT metrics), 2 worker threads', () => inWorkers('score', 2));
  sampleExtras();
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
