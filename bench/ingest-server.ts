/**
 * The server side of bench:ingest (bench/ingest.bench.ts): a free port, a current build, waiting
 * for health and for the job worker's start-up work, stopping the server, and the CPU accounting
 * of a process tree from /proc.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { DbHandle } from '../db/client';
import { buildIsCurrent, writeBuildStamp } from '../lib/server/build-stamp';

export function log(line: string): void {
  process.stderr.write(`[bench:ingest] ${line}\n`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function ensureBuild(root: string): Promise<void> {
  if (buildIsCurrent(root)) return;
  while (spawnSync('pgrep', ['-f', 'next[ -]build']).status === 0) {
    log('another next build is running; waiting');
    await new Promise((r) => setTimeout(r, 15_000));
  }
  log('building the site (next build) …');
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' } });
  if (r.status !== 0) throw new Error(`next build failed (exit ${r.status})`);
  writeBuildStamp(root);
}

export async function waitForHealth(base: string, server: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode}`);
    const ok = await fetch(`${base}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('server did not become healthy');
}

/**
 * Waits until the server's job worker has nothing left to do (the demo seed's ground-truth reference
 * rows: a few minutes of CPU on two cores), so the timed phases measure ingest, not ingest beside
 * that start-up work. --no-wait-idle measures beside it.
 */
export async function waitForIdleWorker(handle: DbHandle): Promise<void> {
  const started = performance.now();
  let quiet = 0;
  while (quiet < 3) {
    const rows = await handle.sql.unsafe(
      `select (select count(*)::int from pgboss.job where state in ('created', 'retry', 'active')) as jobs,
              (select count(*)::int from density_maps d where not exists (select 1 from reference_scores r where r.density_map_id = d.id)) as maps`,
    );
    if (process.env.BENCH_DEBUG) log(`waiting: ${JSON.stringify(rows[0])}`);
    quiet = Number(rows[0]?.jobs) === 0 && Number(rows[0]?.maps) === 0 ? quiet + 1 : 0;
    if (performance.now() - started > 20 * 60_000) throw new Error('the job worker is still busy after 20 min');
    await new Promise((r) => setTimeout(r, 2000));
  }
  log(`job worker idle after ${((performance.now() - started) / 1000).toFixed(0)} s (start-up work: the demo's reference rows)`);
}

/** SIGTERM, then waits for the exit (SIGKILL after 20 s): the database is dropped only after this. */
export async function stopServer(server: ChildProcess): Promise<void> {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((r) => server.once('exit', r));
  server.kill('SIGTERM');
  const stopped = await Promise.race([exited.then(() => true), new Promise((r) => setTimeout(() => r(false), 20_000))]);
  if (!stopped) {
    log('server did not stop within 20 s of SIGTERM; killing it');
    server.kill('SIGKILL');
    await exited;
  }
}

/** CPU seconds (user + system) used so far by these processes (Linux /proc; clock ticks of 1/100 s). */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // the process has exited
    }
  }
  return ticks / 100;
}

/** The server process and all its descendants. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const ppid = Number(fs.readFileSync(`/proc/${name}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      parents.set(Number(name), ppid);
    } catch {
      // gone
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [pid, ppid] of parents) if (ppid === out[i]) out.push(pid);
  return out;
}
