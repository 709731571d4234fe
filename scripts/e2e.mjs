#!/usr/bin/env node
/**
 * `npm run test:e2e`: builds the production site if needed, starts it with
 * `npm start` semantics on a throwaway DATA_DIR and a free port, runs the
 * Playwright suite in system Chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium), and stops the server. A missing Chromium is a failure
 * with install instructions, never a silent skip.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.error(
    `e2e: Chromium not found at ${chromium}. Install it with 'sudo apt-get install -y chromium' (Debian/Ubuntu) ` +
      `or point CHROMIUM_PATH at a Chromium/Chrome binary. The e2e suite does not download browsers.`,
  );
  process.exit(1);
}

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

/**
 * Demo runs: the committed explainer maps (db/seed/demo-runs/<explainer>/manifest.json) when there
 * are any; otherwise stand-in test maps (scripts/make-test-demo-runs.ts) in a temp folder, so the
 * leaderboard checks always have runs to score.
 */
function demoRunsEnv() {
  const committed = path.join(root, 'db', 'seed', 'demo-runs');
  const has = fs.existsSync(committed) && fs.readdirSync(committed).some((d) => fs.existsSync(path.join(committed, d, 'manifest.json')));
  if (has) return { env: {}, dir: null };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-runs-'));
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/make-test-demo-runs.ts'), dir], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('e2e: could not write the test demo runs');
  console.log('e2e: no committed demo runs in db/seed/demo-runs; using generated test maps');
  return { env: { GAZEBENCH_DEMO_RUNS_DIR: dir }, dir };
}

const port = await freePort();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-'));
const demoRuns = demoRunsEnv();
const baseUrl = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/start.ts')], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, ...demoRuns.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '' },
});
let status = 1;
try {
  await waitForHealth(`${baseUrl}/api/health`, server, 8 * 60_000);
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/@playwright/test/cli.js'), 'test', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, E2E_BASE_URL: baseUrl, CHROMIUM_PATH: chromium, E2E_DATA_DIR: dataDir },
  });
  status = r.status ?? 1;
} catch (err) {
  console.error(`e2e: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  server.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  if (server.exitCode === null) server.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (demoRuns.dir) fs.rmSync(demoRuns.dir, { recursive: true, force: true });
}
process.exit(status);
