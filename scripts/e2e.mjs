#!/usr/bin/env node
/**
 * `npm run test:e2e`:
 *   1. copies the browser assets (tfjs-wasm, MediaPipe face mesh) into public/;
 *   2. production check on the normal build (.next, built if stale as `npm start` does):
 *      scripts/measure-participant-js.ts --check — no trace of the test-only synthetic gaze
 *      source in the build, and ≤ 200 kB gzipped JavaScript before the participant's camera step;
 *   3. starts the e2e build (.next-e2e, GAZEBENCH_E2E_BUILD=1: the only build with the synthetic
 *      gaze source; built if stale) on a throwaway DATA_DIR and a free loopback port, checks the
 *      synthetic source really is in it (so step 2's grep would have found it), and runs the
 *      Playwright suite in system Chromium (CHROMIUM_PATH, default /usr/bin/chromium);
 *   4. stops the server.
 * A missing Chromium is a failure with install instructions, never a silent skip. Arguments are
 * passed to Playwright.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { filesWithSyntheticSource, root, startTestServer } from './test-server.mjs';

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!fs.existsSync(chromium)) {
  console.error(
    `e2e: Chromium not found at ${chromium}. Install it with 'sudo apt-get install -y chromium' (Debian/Ubuntu) ` +
      `or point CHROMIUM_PATH at a Chromium/Chrome binary. The e2e suite does not download browsers.`,
  );
  process.exit(1);
}

const node = (args, env = {}) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });

if (node([path.join(root, 'scripts/copy-public-assets.mjs')]).status !== 0) process.exit(1);

console.log('\ne2e: production build check (synthetic gaze source absent, participant JS budget)');
const prod = node([path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/measure-participant-js.ts'), '--check'], {
  CHROMIUM_PATH: chromium,
});
if (prod.status !== 0) {
  console.error('e2e: the production build check failed');
  process.exit(1);
}

/**
 * Demo runs: two of the committed real runs (db/seed/demo-runs: Grad-CAM and FEM, float16 NPY
 * in gzip) copied to a temp folder with the insertion/deletion step of the old test maps (8 image
 * rows), so the leaderboard checks score real explainer maps in the time two test runs took; all
 * four committed runs at their 4-row step would add minutes of evaluation to every e2e start
 * (tests/integration/demo-runs.test.ts checks all four files and their seeding instead). Without
 * committed runs: stand-in test maps (scripts/make-test-demo-runs.ts).
 */
const E2E_DEMO_RUNS = ['gradcam', 'fem'];
const E2E_EVALUATION_STEP = 224 * 8;

function demoRunsEnv() {
  const committed = path.join(root, 'db', 'seed', 'demo-runs');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-runs-'));
  if (E2E_DEMO_RUNS.every((d) => fs.existsSync(path.join(committed, d, 'manifest.json')))) {
    for (const d of E2E_DEMO_RUNS) {
      fs.cpSync(path.join(committed, d), path.join(dir, d), { recursive: true });
      const file = path.join(dir, d, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
      fs.writeFileSync(file, JSON.stringify({ ...manifest, evaluationStep: E2E_EVALUATION_STEP }));
    }
    console.log(`e2e: demo runs ${E2E_DEMO_RUNS.join(', ')} from db/seed/demo-runs (step ${E2E_EVALUATION_STEP})`);
    return { env: { GAZEBENCH_DEMO_RUNS_DIR: dir }, dir };
  }
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), path.join(root, 'scripts/make-test-demo-runs.ts'), dir], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('e2e: could not write the test demo runs');
  console.log('e2e: no committed demo runs in db/seed/demo-runs; using generated test maps');
  return { env: { GAZEBENCH_DEMO_RUNS_DIR: dir }, dir };
}

let status = 1;
let server;
const demoRuns = demoRunsEnv();
try {
  // GAZEBENCH_TRUST_PROXY: e2e/workspace-steps.ts signUp gives each researcher an address of its own.
  server = await startTestServer({ GAZEBENCH_E2E_BUILD: '1', GAZEBENCH_TRUST_PROXY: '1', ...demoRuns.env });
  if (filesWithSyntheticSource(path.join(root, '.next-e2e')).length === 0) {
    throw new Error('the e2e build (.next-e2e) lacks the synthetic gaze source; the production check above proves nothing');
  }
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/@playwright/test/cli.js'), 'test', ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, E2E_BASE_URL: server.baseUrl, CHROMIUM_PATH: chromium, E2E_DATA_DIR: server.dataDir },
  });
  status = r.status ?? 1;
} catch (err) {
  console.error(`e2e: ${err instanceof Error ? err.message : String(err)}`);
} finally {
  await server?.stop();
  if (demoRuns.dir) fs.rmSync(demoRuns.dir, { recursive: true, force: true });
}
process.exit(status);
