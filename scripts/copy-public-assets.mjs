#!/usr/bin/env node
/**
 * Copies the binaries the browser loads at run time from node_modules into public/, so that they
 * are served from our own origin (no CDN, works offline, COEP-compatible):
 *   - @tensorflow/tfjs-backend-wasm/dist/*.wasm → public/tfjs-wasm/   (the explainer worker's
 *     `setWasmPaths('/tfjs-wasm/')`)
 *   - webgazer/dist/mediapipe/**               → public/mediapipe/    (WebGazer's face mesh)
 * Both targets are git-ignored. Run from `postinstall`, and by scripts/start.ts and scripts/e2e.mjs
 * before building, so a fresh clone works whichever way it is started. A file is copied only when
 * the target is missing or differs in size or is older than the source, so repeated runs are cheap.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** [source relative to node_modules, target relative to public/, file filter]. */
export const PUBLIC_ASSETS = [
  { from: '@tensorflow/tfjs-backend-wasm/dist', to: 'tfjs-wasm', include: (name) => name.endsWith('.wasm'), recursive: false },
  { from: 'webgazer/dist/mediapipe', to: 'mediapipe', include: () => true, recursive: true },
];

function isCurrent(src, dest) {
  const s = fs.statSync(src);
  const d = fs.statSync(dest, { throwIfNoEntry: false });
  return d !== undefined && d.size === s.size && d.mtimeMs >= s.mtimeMs;
}

function copyTree(srcDir, destDir, include, recursive, stats) {
  fs.mkdirSync(destDir, { recursive: true });
  for (const entry of fs.readdirSync(srcDir, { withFileTypes: true })) {
    const src = path.join(srcDir, entry.name);
    const dest = path.join(destDir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) copyTree(src, dest, include, recursive, stats);
    } else if (entry.isFile() && include(entry.name)) {
      if (isCurrent(src, dest)) {
        stats.unchanged++;
      } else {
        fs.copyFileSync(src, dest);
        stats.copied++;
      }
    }
  }
}

/**
 * Copies every asset of PUBLIC_ASSETS from `<root>/node_modules` to `<root>/public`.
 * Throws, naming the package, when a source folder is missing.
 * @param {string} root repository root
 * @returns {{copied: number, unchanged: number}}
 */
export function copyPublicAssets(root) {
  const stats = { copied: 0, unchanged: 0 };
  for (const asset of PUBLIC_ASSETS) {
    const src = path.join(root, 'node_modules', asset.from);
    if (!fs.existsSync(src)) {
      throw new Error(`copy-public-assets: ${src} is missing; is ${asset.from.split('/dist')[0]} installed (npm install)?`);
    }
    copyTree(src, path.join(root, 'public', asset.to), asset.include, asset.recursive, stats);
  }
  return stats;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    const { copied, unchanged } = copyPublicAssets(root);
    console.log(`copy-public-assets: ${copied} copied, ${unchanged} up to date (public/tfjs-wasm, public/mediapipe)`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
