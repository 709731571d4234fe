/**
 * "Build if needed": a hash of everything `next build` compiles. `npm start`
 * rebuilds when .next is missing or the hash differs from the one saved after
 * the last successful build.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const INPUT_FILES = ['package.json', 'next.config.ts', 'tsconfig.json', 'postcss.config.mjs', 'proxy.ts'];
const INPUT_DIRS = ['app', 'components', 'lib', 'db'];
const SKIP = /\.test\.tsx?$/;
export const STAMP_FILE = path.join('.next', 'gazebench-build.json');

function walk(dir: string, out: string[]): void {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(p, out);
    else if (!SKIP.test(entry.name)) out.push(p);
  }
}

export function sourceHash(root: string): string {
  const files: string[] = [];
  for (const f of INPUT_FILES) if (fs.existsSync(path.join(root, f))) files.push(path.join(root, f));
  for (const d of INPUT_DIRS) walk(path.join(root, d), files);
  files.sort();
  const h = createHash('sha256');
  for (const f of files) {
    h.update(path.relative(root, f));
    h.update(fs.readFileSync(f));
  }
  return h.digest('hex');
}

export function buildIsCurrent(root: string): boolean {
  const stamp = path.join(root, STAMP_FILE);
  if (!fs.existsSync(path.join(root, '.next', 'BUILD_ID')) || !fs.existsSync(stamp)) return false;
  const saved = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { hash?: string };
  return saved.hash === sourceHash(root);
}

export function writeBuildStamp(root: string): void {
  fs.writeFileSync(path.join(root, STAMP_FILE), JSON.stringify({ hash: sourceHash(root), at: new Date().toISOString() }));
}
