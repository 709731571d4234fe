/**
 * `npm start`: build if needed, migrate, seed the demo once, start the job
 * worker in-process, serve the site. Every start-up failure is one line on
 * stderr and a non-zero exit.
 *
 * WEB_PROCESSES=N (N > 1) serves from N node:cluster processes sharing the port:
 * this primary process does everything else (migrations, seed, build, job worker), forks the web
 * processes, replaces one that dies, and stops them all on SIGINT/SIGTERM.
 */
import { spawn } from 'node:child_process';
import cluster from 'node:cluster';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig, type AppConfig } from '@/lib/config';
import { BootError, bootDatabase, ensureWritableDir } from '@/lib/server/boot';
import { buildIsCurrent, distDirName, writeBuildStamp } from '@/lib/server/build-stamp';
import { startWorker } from '@/lib/jobs/worker';
import { copyPublicAssets } from './copy-public-assets.mjs';
import { patchDependencies } from './patch-dependencies.mjs';
import { createHttpServer } from '@/lib/server/http-server';
import { openDb, setDbHandle } from '@/db/client';
import { claimDataDir } from '@/lib/server/server-lock';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => console.log(`[gazebench] ${line}`);
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

function fail(message: string): never {
  console.error(`gazebench: ${message}`);
  process.exit(1);
}

function checkPortFree(port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) =>
      reject(new BootError(err.code === 'EADDRINUSE' ? `port ${port} is already in use; set PORT to a free port` : `cannot listen on ${host}:${port}: ${err.message}`)),
    );
    probe.listen(port, host, () => probe.close(() => resolve()));
  });
}

async function main(): Promise<void> {
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  process.env.GAZEBENCH_ROOT = root;
  const config = loadConfig();
  // The e2e build carries the test-only synthetic gaze source: it may only ever serve loopback.
  const distDir = distDirName();
  if (distDir !== '.next' && !LOOPBACK_HOSTS.has(config.host)) {
    fail(`the e2e build (${distDir}, GAZEBENCH_E2E_BUILD=1) only serves a loopback HOST, not ${config.host}; unset GAZEBENCH_E2E_BUILD`);
  }
  ensureWritableDir(config.dataDir);
  await checkPortFree(config.port, config.host);

  process.env.DATA_DIR = config.dataDir;
  // One `npm start` per DATA_DIR when it owns the embedded database (other processes attach).
  if (!config.databaseUrl) claimDataDir(config.dataDir);
  // public/tfjs-wasm and public/mediapipe (git-ignored) must exist before the server starts.
  const assets = copyPublicAssets(root);
  if (assets.copied > 0) log(`copied ${assets.copied} browser assets into public/`);
  // Three things overlap (first start of a fresh clone: the build is most of it; a restart:
  // Next's prepare is): `next build` when the build is stale, then Next's prepare, run beside the
  // database start, migrations and demo seed, which need neither.
  const building = buildIsCurrent(root, distDir) ? undefined : buildSite(distDir);
  const serving = config.webProcesses > 1 ? Promise.resolve(undefined) : (building ?? Promise.resolve()).then(() => createHttpServer(root, config));
  // Both are awaited below; a failure before that point must not be an unhandled rejection.
  building?.catch(() => undefined);
  serving.catch(() => undefined);
  const handle = await bootDatabase(config, { root, seed: true, log });
  // Normally done by postinstall; applied here for the next start if that was skipped.
  patchDependencies(root, (line) => log(`${line} (in effect from the next start)`));

  // The worker's first jobs (scoring the demo runs) would slow the build down: it starts after,
  // beside the listen (web requests that queue jobs use their own send-only queue, lib/jobs/queue.ts).
  await building;
  const starting = config.inProcessWorker ? startWorker(handle) : Promise.resolve(undefined);
  starting.catch(() => undefined);
  let boss: Awaited<typeof starting>;
  const workerStarted = starting.then((b) => {
    boss = b;
    if (b) log('job worker running in-process');
  }, (err: unknown) => fail(`job worker: ${err instanceof Error ? err.message : String(err)}`));
  const stopWorker = async () => {
    await workerStarted;
    await boss?.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
  };

  if (config.webProcesses > 1) {
    serveInCluster(config, async () => {
      await stopWorker();
      await handle.close().catch(() => undefined);
    });
    return;
  }
  const server = (await serving) as Awaited<ReturnType<typeof createHttpServer>>;
  server.once('error', (err: NodeJS.ErrnoException) =>
    fail(err.code === 'EADDRINUSE' ? `port ${config.port} is already in use; set PORT to a free port` : err.message),
  );
  server.listen(config.port, config.host, () => log(`ready on http://localhost:${config.port} (db: ${handle.location} PostgreSQL)`));

  const shutdown = async () => {
    server.close();
    await stopWorker();
    await handle.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

/**
 * `next build` in a child process (scripts/build-site.mjs, which ends the build if this process
 * dies, even by SIGKILL), beside the database start; the stamp is written when it succeeds.
 */
function buildSite(distDir: string): Promise<void> {
  log(`building the site (next build → ${distDir}) beside the database start …`);
  // No earlier build, no cache to reuse: the first build skips writing one (next.config.ts).
  const first = !fs.existsSync(path.join(root, distDir));
  const child = spawn(process.execPath, [path.join(root, 'scripts/build-site.mjs')], {
    cwd: root,
    stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, NODE_ENV: 'production', ...(first ? { GAZEBENCH_BUILD_CACHE: '0' } : {}) },
  });
  const killChild = () => child.kill('SIGTERM');
  process.on('exit', killChild);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => reject(new BootError(`next build could not start: ${err.message}`)));
    child.once('exit', (code, signal) => {
      process.off('exit', killChild);
      if (code !== 0) return reject(new BootError(`next build failed (exit ${code ?? signal})`));
      writeBuildStamp(root, distDir);
      log(`site built (${distDir})`);
      resolve();
    });
  });
}

/** Restarts allowed within RESTART_WINDOW_MS before the primary gives up (a crash loop). */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

function serveInCluster(config: AppConfig, closePrimary: () => Promise<void>): void {
  let stopping = false;
  let listening = 0;
  const restarts: number[] = [];
  cluster.setupPrimary({ args: process.argv.slice(2) });
  for (let i = 0; i < config.webProcesses; i++) cluster.fork();
  cluster.on('listening', () => {
    listening += 1;
    if (listening === config.webProcesses) log(`ready on http://localhost:${config.port} (${config.webProcesses} web processes, db: ${config.databaseUrl ? 'external' : 'embedded'} PostgreSQL)`);
  });
  cluster.on('exit', (worker, code, signal) => {
    if (stopping || code === 0) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length > 0 && (restarts[0] as number) < now - RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) fail(`web processes keep dying (${restarts.length} in ${RESTART_WINDOW_MS / 1000} s); last: pid ${worker.process.pid}, ${signal ?? `exit ${code}`}`);
    log(`web process ${worker.process.pid} ended (${signal ?? `exit ${code}`}); starting another`);
    cluster.fork();
  });
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w) => w !== undefined);
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      const timer = setTimeout(() => { w.process.kill('SIGKILL'); resolve(); }, 5000);
      w.once('exit', () => { clearTimeout(timer); resolve(); });
      w.process.kill('SIGTERM');
    })));
    await closePrimary();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

/** A web process of the cluster: the primary has migrated, seeded and built; this one only serves. */
async function serveWebProcess(): Promise<void> {
  process.env.NEXT_TELEMETRY_DISABLED = '1';
  process.env.GAZEBENCH_ROOT = root;
  const config = loadConfig();
  const handle = await openDb({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  setDbHandle(handle);
  const server = await createHttpServer(root, config);
  server.listen(config.port, config.host);
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    server.close();
    server.closeIdleConnections();
    void handle.close().catch(() => undefined).then(() => process.exit(0));
  };
  // Ctrl+C reaches every process of the group; the primary also sends SIGTERM when it stops.
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

if (cluster.isWorker) {
  serveWebProcess().catch((err: unknown) => {
    console.error(`gazebench: web process ${process.pid}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
} else main().catch((err: unknown) => {
  if (err instanceof BootError || err instanceof ConfigError) fail(err.message);
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
});
