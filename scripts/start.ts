/**
 * `npm start`: build if needed, migrate, seed the demo once, start the job
 * worker in-process, serve the site. Every start-up failure is one line on
 * stderr and a non-zero exit.
 */
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '@/lib/config';
import { BootError, bootDatabase, ensureWritableDir } from '@/lib/server/boot';
import { buildIsCurrent, distDirName, writeBuildStamp } from '@/lib/server/build-stamp';
import { startWorker } from '@/lib/jobs/worker';
import { copyPublicAssets } from './copy-public-assets.mjs';
import { serveFastRoute } from '@/lib/server/fast-routes';

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
  const handle = await bootDatabase(config, { root, seed: true, log });
  // public/tfjs-wasm and public/mediapipe (git-ignored) must exist before the server starts.
  const assets = copyPublicAssets(root);
  if (assets.copied > 0) log(`copied ${assets.copied} browser assets into public/`);
  if (!buildIsCurrent(root, distDir)) {
    log(`building the site (next build → ${distDir}) …`);
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
      cwd: root,
      stdio: 'inherit',
      env: { ...process.env, NODE_ENV: 'production' },
    });
    if (r.status !== 0) fail(`next build failed (exit ${r.status ?? r.signal})`);
    writeBuildStamp(root, distDir);
  }

  const boss = config.inProcessWorker ? await startWorker(handle, config.databaseUrl) : undefined;
  if (boss) log('job worker running in-process');

  const { default: next } = await import('next');
  const app = next({ dev: false, dir: root, hostname: config.host, port: config.port });
  const handler = app.getRequestHandler();
  await app.prepare();
  // Rate limits key on the client address (lib/auth/client-ip.ts reads the last X-Forwarded-For
  // entry). Unless GAZEBENCH_TRUST_PROXY=1 (a reverse proxy sets X-Forwarded-*), whatever the
  // client sent in those headers is dropped and the socket's address used.
  const trustProxy = process.env.GAZEBENCH_TRUST_PROXY === '1';
  const server = http.createServer((req, res) => {
    if (!trustProxy) {
      delete req.headers['x-forwarded-host'];
      delete req.headers['x-forwarded-proto'];
    }
    if (!trustProxy || req.headers['x-forwarded-for'] === undefined) req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? 'unknown';
    void serveFastRoute(req, res).then((served) => (served ? undefined : handler(req, res)));
  });
  server.once('error', (err: NodeJS.ErrnoException) =>
    fail(err.code === 'EADDRINUSE' ? `port ${config.port} is already in use; set PORT to a free port` : err.message),
  );
  server.listen(config.port, config.host, () => log(`ready on http://localhost:${config.port} (db: ${handle.driver})`));

  const shutdown = async () => {
    server.close();
    await boss?.stop({ graceful: true, timeout: 5000 }).catch(() => undefined);
    await handle.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown());
  process.once('SIGTERM', () => void shutdown());
}

main().catch((err: unknown) => {
  if (err instanceof BootError || err instanceof ConfigError) fail(err.message);
  fail(err instanceof Error ? (err.stack ?? err.message) : String(err));
});
