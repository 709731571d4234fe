#!/usr/bin/env node
/**
 * `next build` for scripts/start.ts, which runs it beside the database start. The build is ended
 * when start.ts goes away by any means, SIGKILL included (the IPC channel to it closes): an
 * orphaned build would hold Next's build lock and make the next `npm start` fail with "Another
 * next build process is already running". The build runs in a process group of its own so that
 * it and its workers end together.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const child = spawn(process.execPath, [path.join(root, 'node_modules/next/dist/bin/next'), 'build'], {
  cwd: root,
  stdio: 'inherit',
  detached: true,
  env: process.env,
});

function end(code) {
  try {
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
  process.exit(code);
}

process.on('disconnect', () => end(1));
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => end(1));
child.on('error', (err) => {
  console.error(`next build could not start: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
