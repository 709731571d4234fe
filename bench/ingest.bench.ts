/**
 * Gaze ingest benchmark (`npm run bench:ingest`, issue 5): N simulated participants posting 1-s
 * batches (~30 samples) to a production server on real PostgreSQL.
 *
 * 1. Creates a throwaway database gazebench_bench_<pid> on PostgreSQL (BENCH_PG_URL, default
 *    postgres://postgres@127.0.0.1:5432/postgres), dropped at the end.
 * 2. Builds the site if the build is stale (waiting while another `next build` runs), then starts
 *    it as `npm start` does (scripts/start.ts: migrations, demo seed, in-process worker, Next.js
 *    production server) with DATABASE_URL pointing at that database.
 * 3. Creates a bench study on the demo dataset (viewingMs 30 000 so a trial takes ~32 batches),
 *    and sets up N participants through the API: session, geometry, validation, first trial.
 * 4. Phase "paced" (open loop): each participant posts --rate batches per second (1 = the real
 *    rate; 5 with 200 participants offers 1,000 batches/s) for --warmup-s untimed seconds and then
 *    --paced-s timed ones, on schedule whether or not earlier answers have come back.
 *    Phase "saturation": each participant posts its next batch as soon as the previous one is
 *    answered, for --seconds (closed loop). In both, a participant moves to its next trial (one
 *    trial-start request, not timed) after each 30-s trial's worth of batches; participant k
 *    starts k mod 30 batches into its first trial, so trial starts are spread out in time.
 * Prints batches/s and p50/p99 latency of the sample requests per phase, with the machine's load.
 * The client runs on the same machine and takes CPU from the server.
 *
 * Before timing, it waits until the server's job worker is idle (its start-up work, the demo's
 * reference rows, takes minutes of CPU); --no-wait-idle times ingest beside that work.
 *
 * --embedded runs the server on its embedded PostgreSQL (the `npm start` default: no DATABASE_URL,
 * a fresh DATA_DIR) instead of a database on BENCH_PG_URL.
 *
 *   npm run bench:ingest -- [--embedded] [--participants 200] [--seconds 20 (0: no saturation phase)] [--paced-s 10] [--rate 1] [--warmup-s 3] [--no-wait-idle]
 *   BENCH_CPU_PROF=.scratch/prof npm run bench:ingest …   (V8 CPU profile of the server)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import postgres from 'postgres';
import { openDb } from '../db/client';
import { runningEmbeddedUrl } from '../db/embedded';
import { createStudy } from '../db/queries/studies';
import { datasets } from '../db/schema';
import { DEMO_DATASET_SLUG } from '../db/seed/demo';
import { pixelsPerDegree } from '../lib/gaze/geometry';
import { createRandom } from '../lib/random';
import type { StartSessionResponse, Trial } from '../lib/studies/contract';
import { RawHttpPool, type RawAnswer } from './raw-http';
import { cpuSeconds, ensureBuild, freePort, log, processTree, stopServer, waitForHealth, waitForIdleWorker } from './ingest-server';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    participants: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    'paced-s': { type: 'string', default: '10' },
    rate: { type: 'string', default: '1' },
    'warmup-s': { type: 'string', default: '3' },
    'no-wait-idle': { type: 'boolean', default: false },
    embedded: { type: 'boolean', default: false },
  },
});
const N = Number(args.participants);
const SATURATION_S = Number(args.seconds);
const PACED_S = Number(args['paced-s']);
/** Batches per second per participant in the paced phase (1 = the real rate). */
const RATE = Number(args.rate);
/** Untimed seconds of the paced load before the timed --paced-s. */
const WARMUP_S = Number(args['warmup-s']);
/** Wait for the server's job worker to finish its start-up work before timing. */
const WAIT_IDLE = !args['no-wait-idle'];
const adminUrl = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const dbName = `gazebench_bench_${process.pid}`;
const EMBEDDED = args.embedded;
/** The bench database: a throwaway one on BENCH_PG_URL, or (--embedded) the server's own, once it runs. */
let dbUrl = Object.assign(new URL(adminUrl), { pathname: `/${dbName}` }).toString();

const GEOMETRY = { pxPerMm: 4, viewingDistanceMm: 600, screenPxPerDeg: pixelsPerDegree(4, 600), window: { width: 1920, height: 1080 }, screen: { width: 1920, height: 1080 }, devicePixelRatio: 1 };
const RECT = { x: 512, y: 92, width: 896, height: 896 };
const BATCHES_PER_TRIAL = 30;
/** Samples per 1-s batch (30 Hz). */
const SAMPLES_PER_BATCH = 30;

async function api(base: string, method: string, url: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Session-Token': token } : {}) },
    body: JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

interface Participant {
  s: StartSessionResponse;
  trials: Trial[];
  trial: number;
  batchInTrial: number;
  shownAt: number;
  seq: number;
  /** Resolves when the current trial has been started on the server. */
  ready: Promise<void>;
}

async function setUp(base: string, k: number): Promise<Participant> {
  const s = (await api(base, 'POST', '/api/v1/studies/bench-study/sessions', { modality: 'webcam' })) as unknown as StartSessionResponse;
  await api(base, 'PUT', `/api/v1/sessions/${s.sessionId}/geometry`, GEOMETRY, s.token);
  const r = createRandom(k + 1);
  const points = Array.from({ length: 5 }, (_, i) => {
    const target = { x: 300 + i * 300, y: 300 + (i % 2) * 400 };
    return { target, samples: Array.from({ length: 45 }, (_, j) => [1000 + i * 3000 + j * 33, target.x + r.normal() * 10, target.y + r.normal() * 10]) };
  });
  await api(base, 'POST', `/api/v1/sessions/${s.sessionId}/validations`, { kind: 'initial', attempt: 1, points }, s.token);
  const p: Participant = { s, trials: s.trials.filter((t) => t.kind === 'image'), trial: -1, batchInTrial: BATCHES_PER_TRIAL, shownAt: 0, seq: 0, ready: Promise.resolve() };
  p.ready = nextTrial(base, p);
  await p.ready;
  // Participants are at different points of their trials, so trial starts spread out in time.
  p.batchInTrial = k % BATCHES_PER_TRIAL;
  return p;
}

/** Moves to the next trial: the local state changes at once, the start request completes later. */
async function nextTrial(base: string, p: Participant): Promise<void> {
  p.trial = (p.trial + 1) % p.trials.length;
  p.shownAt += 100_000;
  p.batchInTrial = 0;
  const t = p.trials[p.trial] as Trial;
  if (p.trial === 0 && p.seq > 0) throw new Error('bench ran out of trials; lower --seconds');
  await p.ready;
  await api(base, 'POST', `/api/v1/sessions/${p.s.sessionId}/trials/${t.id}/start`, { rect: RECT, viewport: GEOMETRY.window, shownAt: p.shownAt }, p.s.token);
}

/**
 * Keep-alive connections for the timed requests (bench/raw-http.ts: pre-formatted requests on
 * plain sockets, 0.13–0.15 ms of generator CPU per batch against ≈ 0.3 ms with node:http): at most one per
 * participant, as a page sending its batches in turn would hold; a batch due while all are busy
 * waits for a free one, and that wait counts in its latency. Idle sockets are dropped after 4 s,
 * before the server's 5-s keep-alive timeout closes them. Set in main() once the port is known.
 */
let pool: RawHttpPool | undefined;
let resets = 0;
/** Sample batches answered 200 with all their samples stored: checked against the database at the end. */
let accepted = 0;

/**
 * One POST; a connection reset before an answer is retried once, as a participant's page would
 * (batches are idempotent by seq). The latency then includes the retry.
 */
async function post(path: string, body: string, token: string): Promise<RawAnswer> {
  const headers = `X-Session-Token: ${token}\r\n`;
  try {
    return await (pool as RawHttpPool).post(path, body, headers);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ECONNRESET') throw err;
    resets++;
    return (pool as RawHttpPool).post(path, body, headers);
  }
}

/**
 * Posts one 1-s batch (30 samples at 30 Hz); returns its latency in ms. Seq, trial and times are
 * taken synchronously, so several batches of one participant may be in flight (open loop).
 */
async function postBatch(base: string, p: Participant, random: ReturnType<typeof createRandom>): Promise<number> {
  if (p.batchInTrial >= BATCHES_PER_TRIAL) p.ready = nextTrial(base, p);
  const seq = p.seq++;
  const t0 = p.shownAt + p.batchInTrial++ * 1000;
  const trialId = (p.trials[p.trial] as Trial).id;
  const samples = Array.from({ length: SAMPLES_PER_BATCH }, (_, i) => [t0 + i * 33.3, 700 + random.normal() * 40, 500 + random.normal() * 40, 0]);
  const body = JSON.stringify({ seq, trialId, samples });
  await p.ready;
  const started = performance.now();
  const res = await post(`/api/v1/sessions/${p.s.sessionId}/samples`, body, p.s.token);
  const ms = performance.now() - started;
  if (res.status !== 200 || !res.text.includes(`"stored":${SAMPLES_PER_BATCH}`)) throw new Error(`batch ${seq}: ${res.status} ${res.text}`);
  accepted++;
  return ms;
}

/** `fn` on a one-connection client of the bench database, closed afterwards. */
async function onBenchDb<T>(fn: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/**
 * Every accepted batch must be in the database once with all its samples: a fast path that
 * answered without storing would otherwise pass as speed.
 */
async function checkStored(): Promise<void> {
  const [row] = await onBenchDb((sql) =>
    sql.unsafe<{ batches: number; samples: number }[]>(`select count(*)::int as batches, coalesce(sum(sample_count), 0)::int as samples from sample_batches`),
  );
  if (row?.batches !== accepted || row.samples !== SAMPLES_PER_BATCH * accepted) {
    throw new Error(`stored ${row?.batches} batches / ${row?.samples} samples, but ${accepted} batches of ${SAMPLES_PER_BATCH} were accepted`);
  }
  log(`database holds all ${accepted} accepted batches (${row.samples} samples)`);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

function report(name: string, latencies: number[], seconds: number): void {
  const s = [...latencies].sort((a, b) => a - b);
  const [l1, l5] = os.loadavg();
  console.log(
    `${name.padEnd(11)} ${String(latencies.length).padStart(6)} batches in ${seconds.toFixed(1)} s = ${(latencies.length / seconds).toFixed(0).padStart(5)} batches/s; ` +
      `latency p50 ${quantile(s, 0.5).toFixed(1)} ms, p99 ${quantile(s, 0.99).toFixed(1)} ms, max ${(s.at(-1) ?? 0).toFixed(1)} ms (load ${l1?.toFixed(2)}/${l5?.toFixed(2)})`,
  );
}

async function main(): Promise<void> {
  let admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  if (!EMBEDDED) await admin.unsafe(`create database ${dbName}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-bench-'));
  let server: ChildProcess | undefined;
  try {
    await ensureBuild(root);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    pool = new RawHttpPool(port, '127.0.0.1', N);
    log(`starting the production server on ${base} with ${EMBEDDED ? 'its embedded PostgreSQL' : dbName}`);
    // BENCH_CPU_PROF=<dir>: the server writes a V8 CPU profile there when it stops.
    const prof = process.env.BENCH_CPU_PROF;
    const nodeArgs = prof
      ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`, '--require', path.join(root, 'node_modules/tsx/dist/preflight.cjs'), '--import', pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href]
      : [path.join(root, 'node_modules/tsx/dist/cli.mjs')];
    server = spawn(process.execPath, [...nodeArgs, path.join(root, 'scripts/start.ts')], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
      // No demo runs: their scoring by the in-process worker would run during the measurement.
      env: { GAZEBENCH_DEMO_RUNS_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-bench-no-runs-')), ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: EMBEDDED ? '' : dbUrl, GAZEBENCH_SECRET: 'bench-secret-0123456789abcdef', NODE_ENV: 'production' },
    });
    await waitForHealth(base, server);
    if (EMBEDDED) {
      dbUrl = runningEmbeddedUrl(dataDir) ?? '';
      if (!dbUrl) throw new Error('the embedded PostgreSQL is not running');
      await admin.end();
      admin = postgres(dbUrl, { max: 1, onnotice: () => {} });
    }
    const handle = await openDb({ dataDir, databaseUrl: dbUrl });
    try {
      if (WAIT_IDLE) await waitForIdleWorker(handle);
      const [ds] = await handle.db.select({ id: datasets.id }).from(datasets).where(eq(datasets.slug, DEMO_DATASET_SLUG));
      await createStudy(handle.db, {
        slug: 'bench-study', datasetId: ds?.id ?? '', name: 'Ingest bench', status: 'open', consentText: '',
        config: { imagesPerParticipant: 10, observersPerImage: 1000, viewingMs: 30_000, driftEvery: 0 },
      });
    } finally {
      await handle.close();
    }
    log(`setting up ${N} participants`);
    const participants: Participant[] = [];
    for (let k = 0; k < N; k += 20) participants.push(...(await Promise.all(Array.from({ length: Math.min(20, N - k) }, (_, i) => setUp(base, k + i)))));

    // Warm-up (not timed): two batches per participant fill the trial-context cache, prepare the
    // statement on every pooled connection and let the JIT compile the path.
    for (let round = 0; round < 2; round++) {
      await Promise.all(participants.map((p, k) => postBatch(base, p, createRandom(9000 + k + round))));
    }

    const paced: number[] = [];
    /** (send time from the start of the phase, latency) for BENCH_DEBUG's per-half-second view. */
    const timeline: [number, number][] = [];
    // The open loop runs WARMUP_S untimed seconds first, at the same rate and without a pause, so
    // the timed seconds see a server in its steady state (JIT, pools, caches) at that load.
    const warmupStart = performance.now();
    const pacedStart = warmupStart + WARMUP_S * 1000;
    await Promise.all(
      participants.map(async (p, k) => {
        const random = createRandom(1000 + k);
        // Open loop: participant k's i-th batch is due at (k/N + i)/RATE s, whatever the answers do.
        const sends: Promise<void>[] = [];
        for (let i = 0; i < (WARMUP_S + PACED_S) * RATE; i++) {
          const due = warmupStart + ((k / N + i) / RATE) * 1000;
          await new Promise((r) => setTimeout(r, Math.max(0, due - performance.now())));
          const at = performance.now() - pacedStart;
          const timed = i >= WARMUP_S * RATE;
          sends.push(postBatch(base, p, random).then((ms) => void (timed && (paced.push(ms), timeline.push([at, ms])))));
        }
        await Promise.all(sends);
      }),
    );
    report(`paced ×${RATE}`, paced, (performance.now() - pacedStart) / 1000);
    if (process.env.BENCH_DEBUG) {
      const stats = await onBenchDb((sql) => sql.unsafe(`select relname, seq_scan, seq_tup_read, idx_scan, n_live_tup, autovacuum_count, autoanalyze_count from pg_stat_user_tables where relname in ('sample_batches', 'trials', 'gaze_sessions') order by relname`));
      log(`table stats: ${JSON.stringify(stats)}`);
      for (let t = 0; t < PACED_S * 1000; t += 500) {
        const slot = timeline.filter(([at]) => at >= t && at < t + 500).map(([, ms]) => ms).sort((a, b) => a - b);
        log(`  ${(t / 1000).toFixed(1)} s: ${slot.length} sent, p50 ${quantile(slot, 0.5).toFixed(1)} ms, max ${(slot.at(-1) ?? 0).toFixed(1)} ms`);
      }
    }
    if (SATURATION_S <= 0) {
      await checkStored();
      console.log(`connection resets retried: ${resets}; participants ${N}; cores ${os.availableParallelism()}; node ${process.version}; ${new Date().toISOString()}`);
      return;
    }

    const serverPids = processTree(server.pid ?? 0);
    const pgPids = (await admin<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${new URL(dbUrl).pathname.slice(1)} and pid <> pg_backend_pid()`).map((r) => r.pid);
    const cpuBefore = [cpuSeconds(serverPids), cpuSeconds(pgPids)];
    const clientBefore = process.cpuUsage();
    const saturated: number[] = [];
    const satStart = performance.now();
    const end = satStart + SATURATION_S * 1000;
    await Promise.all(
      participants.map(async (p, k) => {
        const random = createRandom(5000 + k);
        while (performance.now() < end) saturated.push(await postBatch(base, p, random));
      }),
    );
    report('saturation', saturated, (performance.now() - satStart) / 1000);
    const [nodeCpu, pgCpu] = [cpuSeconds(serverPids) - (cpuBefore[0] ?? 0), cpuSeconds(pgPids) - (cpuBefore[1] ?? 0)];
    const client = process.cpuUsage(clientBefore);
    const clientCpu = (client.user + client.system) / 1e6;
    const perBatch = (cpu: number) => ((1000 * cpu) / saturated.length).toFixed(2);
    console.log(
      `CPU per batch (saturation): server ${perBatch(nodeCpu)} ms + PostgreSQL backends ${perBatch(pgCpu)} ms ` +
        `(+ this load generator ${perBatch(clientCpu)} ms) → two cores given to server and database alone would sustain ≈ ` +
        `${((2 * saturated.length) / (nodeCpu + pgCpu)).toFixed(0)} batches/s`,
    );
    await checkStored();
    console.log(`connection resets retried: ${resets}`);
    console.log(`participants ${N}; cores ${os.availableParallelism()} (${os.cpus()[0]?.model ?? '?'}); node ${process.version}; ${new Date().toISOString()}`);
  } finally {
    if (server) await stopServer(server);
    pool?.destroy();
    if (!EMBEDDED) await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch((err: unknown) => log(`could not drop ${dbName}: ${String(err)}`));
    await admin.end();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  const cause = err instanceof Error && err.cause instanceof Error ? ` (${err.cause.message})` : '';
  console.error(`bench:ingest: ${err instanceof Error ? err.message : String(err)}${cause}`);
  process.exit(1);
});
