#!/usr/bin/env node
/**
 * Fixes, in node_modules, a bug of an installed dependency that takes a whole server down, until
 * upstream ships the fix. Idempotent (a marker comment), run from `postinstall`, scripts/start.ts
 * and scripts/test.mjs. Fails loudly when a pinned version no longer has the text it patches.
 *
 * postgres (postgres.js) 3.4.9 / 3.4.10, src/connection.js (and its cjs/ and cf/ builds):
 *   `nextWrite` writes to `socket` from a setImmediate, after `closed()` has set it to null:
 *   "TypeError: Cannot read properties of null (reading 'write')", thrown from a timer, so
 *   uncaught (porsager/postgres#1154, #1208; fixes in PRs #1168, #1176, #1209, unmerged). And
 *   `closed()`/`terminate()` clear that timer without forgetting it, so a reconnected connection
 *   never flushes again. Patched: with no socket, nextWrite drops the buffer and fails the
 *   connection's queries with CONNECTION_CLOSED (their callers get an error instead of waiting
 *   forever); teardown forgets the timer and the buffer. And index.js: releasing a reserved
 *   connection that closed meanwhile put it back among the open ones, where every later query
 *   failed on it; it stays with the closed ones, which the pool reconnects on demand. The
 *   array-type lookup that a new connection runs unawaited rejected unhandled when the
 *   connection died during it. And a COPY TO whose end arrived while its readable was full left
 *   the socket paused for good (the connection's next query never answered): CopyDone resumes it. Reproduced and checked by
 *   tests/integration/driver-resilience.test.ts; met first by the crash test (issue 15).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const MARKER = '/* gazebench patch: postgres#1208 */';
const COPY_MARKER = '/* gazebench patch: copy-resume */';
const PATCHES = [
  {
    pkg: 'postgres',
    versions: ['3.4.9', '3.4.10'],
    files: ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'],
    marker: MARKER,
    edits: [
      ['  function nextWrite(fn) {\n', `  function nextWrite(fn) {\n    ${MARKER}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options))\n      return false\n    }\n`],
      // terminate() and closed(): forget the cancelled timer and the unsent buffer.
      ['    clearImmediate(nextWriteTimer)\n', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n', 2],
      // The array-type lookup of a new connection is not awaited: when the connection dies
      // during it, its rejection was unhandled. Handled now, and retried on the reconnect.
      ['        return fetchArrayTypes()\n', '        return fetchArrayTypes().catch(() => { needsTypes = true })\n'],
    ],
  },
  {
    pkg: 'postgres',
    versions: ['3.4.9', '3.4.10'],
    files: ['src/index.js', 'cjs/src/index.js', 'cf/src/index.js'],
    marker: MARKER,
    // A reserved connection that closed while reserved goes back to the closed queue (the pool
    // reconnects it on demand), not to the open one, where every later query would fail on it.
    edits: [['    sql.release = () => {\n      c.reserved = null\n      onopen(c)\n', `    sql.release = () => {\n      ${MARKER}\n      if (c.queue === closed) return\n      c.reserved = null\n      onopen(c)\n`]],
  },
  {
    pkg: 'postgres',
    versions: ['3.4.9', '3.4.10'],
    files: ['src/connection.js', 'cjs/src/connection.js', 'cf/src/connection.js'],
    marker: COPY_MARKER,
    edits: [
      // A COPY TO's readable pauses the socket when its buffer is full and resumes it from its
      // read(). When the copy's last rows and its end arrive in one socket read before anyone
      // reads, the stream ends buffered, read() is never called again, and the socket stays
      // paused: every later query on that connection waits forever (met by `gazebench backup`).
      ['  function CopyDone() {\n    stream && stream.push(null)\n    stream = null\n', `  function CopyDone() {\n    stream && stream.push(null)\n    stream = null\n    ${COPY_MARKER}\n    socket && socket.resume()\n`],
    ],
  },
];

export function patchDependencies(root, log = () => {}) {
  for (const patch of PATCHES) {
    const dir = path.join(root, 'node_modules', patch.pkg);
    const manifest = path.join(dir, 'package.json');
    if (!fs.existsSync(manifest)) continue;
    const { version } = JSON.parse(fs.readFileSync(manifest, 'utf8'));
    if (!patch.versions.includes(version)) {
      log(`patch-dependencies: ${patch.pkg} ${version} is not one of ${patch.versions.join(', ')}; check whether it still needs the patch in scripts/patch-dependencies.mjs`);
      continue;
    }
    for (const rel of patch.files) {
      const file = path.join(dir, rel);
      if (!fs.existsSync(file)) continue;
      let text = fs.readFileSync(file, 'utf8');
      if (text.includes(patch.marker)) continue;
      for (const [from, to, count = 1] of patch.edits) {
        const found = text.split(from).length - 1;
        if (found !== count) throw new Error(`patch-dependencies: ${patch.pkg} ${version} ${rel}: expected ${count} × ${JSON.stringify(from.trim())}, found ${found}`);
        text = text.split(from).join(to);
      }
      fs.writeFileSync(file, text);
      log(`patch-dependencies: patched ${patch.pkg} ${version} ${rel}`);
    }
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  patchDependencies(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), (line) => console.log(line));
}
