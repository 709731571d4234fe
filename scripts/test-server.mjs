/**
 * Starts the site like `npm start` (scripts/start.ts: build if needed, migrate, seed the demo,
 * serve) on a throwaway DATA_DIR, a free loopback port and its embedded PostgreSQL, for the e2e suite and
 * the participant-JS measurement. `extraEnv.GAZEBENCH_E2E_BUILD = '1'` serves the e2e build
 * (.next-e2e) instead of the normal one (.next).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitForHealth(url, server, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode} before becoming ready`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`server did not answer ${url} within ${timeoutMs / 1000} s`);
}

/** @returns {Promise<{ baseUrl: string, dataDir: string, stop: () => Promise<void> }>} */
export async function startTestServer(extraEnv = {}, { timeoutMs = 12 * 60_000 } = {}) {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-'));
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', ...extraEnv };
  if (!('GAZEBENCH_E2E_BUILD' in extraEnv)) delete env.GAZEBENCH_E2E_BUILD;
  delete env.NEXT_PUBLIC_GAZEBENCH_TEST_GAZE;
  const server = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/start.ts')], {
    cwd: root,
    stdio: 'inherit',
    env,
  });
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      // A graceful stop closes the pools and stops the embedded PostgreSQL (a checkpoint: seconds).
      const timer = setTimeout(() => server.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    stopEmbeddedPostgres(dataDir);
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForHealth(`${baseUrl}/api/health`, server, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, dataDir, stop };
}

/** After a killed server: stop its embedded PostgreSQL (immediate shutdown; the directory goes next). */
export function stopEmbeddedPostgres(dataDir) {
  let pid;
  try {
    pid = Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    // already gone
  }
}

/** Files under `dir` (recursively) whose name ends with `ext`. */
export function listFiles(dir, ext) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p, ext));
    else if (entry.name.endsWith(ext)) out.push(p);
  }
  return out;
}

/**
 * Strings that exist only in the test-only synthetic gaze source
 * (lib/gaze/client/synthetic-source.ts: SYNTHETIC_GAZE_MARKER and the window property its script
 * comes from). Returns the built JS files of `distDir` (client chunks and server bundles) that
 * contain one.
 */
export const SYNTHETIC_MARKERS = ['gazebench-synthetic-gaze-source', '__gazebenchTestGaze'];
export function filesWithSyntheticSource(distDir) {
  const files = [...listFiles(path.join(distDir, 'static'), '.js'), ...listFiles(path.join(distDir, 'server'), '.js')];
  return files.filter((f) => {
    const text = fs.readFileSync(f, 'utf8');
    return SYNTHETIC_MARKERS.some((m) => text.includes(m));
  });
}
