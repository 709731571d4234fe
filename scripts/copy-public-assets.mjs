#!/usr/bin/env node
/**
 * Copies the binary assets that browsers load at run time from node_modules into public/, so that
 * they are served from our own origin (a participant's browser makes zero requests to other
 * origins):
 *   - node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm  → public/tfjs-wasm/
 *   - node_modules/webgazer/dist/mediapipe/face_mesh/**       → public/mediapipe/face_mesh/
 *     (WebGazer's MediaPipe FaceMesh solution: loader scripts, wasm, packed model data; the
 *     adapter points `webgazer.params.faceMeshSolutionPath` at '/mediapipe/face_mesh').
 * Both targets are git-ignored. Run by `postinstall`, by `npm start` before a build and by the
 * e2e script. Copies only files whose size or mtime differ, so repeated runs are cheap.
 * Usage: node scripts/copy-public-assets.mjs [--quiet]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quiet = process.argv.includes('--quiet');

/** Source dir, target dir (relative to the repository root), which files, whether to descend. */
const COPIES = [
  { src: 'node_modules/@tensorflow/tfjs-backend-wasm/dist', dst: 'public/tfjs-wasm', keep: (name) => name.endsWith('.wasm'), recursive: false },
  { src: 'node_modules/webgazer/dist/mediapipe', dst: 'public/mediapipe', keep: () => true, recursive: true },
];

/** Same size and same modification second: already copied (utimes keeps whole seconds everywhere). */
function upToDate(from, to) {
  if (!fs.existsSync(to)) return false;
  const s = fs.statSync(from);
  const d = fs.statSync(to);
  return s.size === d.size && Math.floor(s.mtimeMs / 1000) === Math.floor(d.mtimeMs / 1000);
}

function copyTree(src, dst, keep, recursive) {
  let copied = 0;
  let total = 0;
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dst, entry.name);
    if (entry.isDirectory()) {
      if (!recursive) continue;
      const r = copyTree(from, to, keep, recursive);
      copied += r.copied;
      total += r.total;
      continue;
    }
    if (!entry.isFile() || !keep(entry.name)) continue;
    total += 1;
    if (upToDate(from, to)) continue;
    fs.mkdirSync(dst, { recursive: true });
    const s = fs.statSync(from);
    fs.copyFileSync(from, to);
    fs.utimesSync(to, s.atime, s.mtime);
    copied += 1;
  }
  return { copied, total };
}

let failed = false;
for (const { src: srcRel, dst: dstRel, keep, recursive } of COPIES) {
  const src = path.join(root, srcRel);
  if (!fs.existsSync(src)) {
    console.error(`copy-public-assets: ${srcRel} is missing; run npm install`);
    failed = true;
    continue;
  }
  const { copied, total } = copyTree(src, path.join(root, dstRel), keep, recursive);
  if (total === 0) {
    console.error(`copy-public-assets: no files found under ${srcRel}`);
    failed = true;
  } else if (!quiet) {
    console.log(`copy-public-assets: ${dstRel}: ${total} files (${copied} copied)`);
  }
}
process.exit(failed ? 1 : 0);
