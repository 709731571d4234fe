#!/usr/bin/env node
/**
 * `npm test`: the whole suite, in order —
 *   0. the type check (`tsc --noEmit` over the app, lib, db, scripts and tests: `next build`
 *      skips it, see next.config.ts);
 *   1. unit tests (vitest, project "unit");
 *   2. integration tests on the embedded PostgreSQL (a throwaway cluster: tests/setup/database.ts);
 *   3. the same integration tests on the PostgreSQL at TEST_DATABASE_URL when it is set;
 *   4. the Playwright e2e suite against a production build in system Chromium.
 * Prints one closing line "Total: N passed, N failed[, N skipped]" and exits
 * non-zero when anything failed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { patchDependencies } from './patch-dependencies.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
// The dependency fixes of postinstall, in case it was skipped (npm install --ignore-scripts).
patchDependencies(root, (line) => console.log(line));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-test-'));
const totals = { passed: 0, failed: 0, skipped: 0 };
const failedSteps = [];

const stepTimes = [];

function run(name, cmd, args, env = {}) {
  console.log(`\n=== ${name} ===`);
  const started = Date.now();
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  stepTimes.push(`${name}: ${Math.round((Date.now() - started) / 1000)} s`);
  return r.status ?? 1;
}

function vitest(name, project, env = {}) {
  const out = path.join(tmp, `${name.replace(/\W+/g, '-')}.json`);
  const status = run(name, process.execPath, [
    path.join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--project', project,
    '--reporter=default', '--reporter=json', `--outputFile.json=${out}`,
  ], env);
  if (fs.existsSync(out)) {
    const r = JSON.parse(fs.readFileSync(out, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests ?? 0);
    if (r.numTotalTests === 0) failedSteps.push(`${name} (no tests ran)`);
  }
  if (status !== 0) failedSteps.push(name);
}

if (run('typecheck (tsc --noEmit)', process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit']) !== 0) {
  failedSteps.push('typecheck');
  totals.failed += 1;
}
vitest('unit', 'unit');
vitest('integration (embedded PostgreSQL)', 'integration', { TEST_DATABASE_URL: '' });
if (process.env.TEST_DATABASE_URL) {
  vitest('integration (TEST_DATABASE_URL)', 'integration');
} else {
  console.log('\nTEST_DATABASE_URL not set: the integration suite ran on the embedded PostgreSQL only.');
}

const e2eJson = path.join(tmp, 'e2e.json');
const e2eStatus = run('e2e (Playwright, Chromium)', process.execPath, [path.join(root, 'scripts/e2e.mjs')], {
  PLAYWRIGHT_JSON_OUTPUT_NAME: e2eJson,
});
if (fs.existsSync(e2eJson)) {
  const s = JSON.parse(fs.readFileSync(e2eJson, 'utf8')).stats ?? {};
  totals.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  totals.failed += s.unexpected ?? 0;
  totals.skipped += s.skipped ?? 0;
}
if (e2eStatus !== 0) failedSteps.push('e2e');

fs.rmSync(tmp, { recursive: true, force: true });
console.log(`\nStep times: ${stepTimes.join('; ')}`);
if (failedSteps.length) console.log(`\nFailed steps: ${failedSteps.join(', ')}`);
console.log(`\nTotal: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedSteps.length || totals.failed ? 1 : 0);
