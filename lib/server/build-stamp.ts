/**
 * "Build if needed": a hash of everything `next build` compiles. `npm start`
 * rebuilds when the build directory (.next, or .next-e2e for the e2e build) is
 * missing or the hash differs from the one saved after its last successful build.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const INPUT_FILES = ['package.json', 'next.config.ts', 'tsconfig.json', 'postcss.config.mjs', 'proxy.ts'];
const INPUT_DIRS = ['app', 'components', 'lib', 'db'];
const SKIP = /\.test\.tsx?$/;
const STAMP_NAME = 'gazebench-build.json';

/**
 * The build directory next.config.ts uses: `.next`, or `.next-e2e` for the e2e build
 * (GAZEBENCH_E2E_BUILD=1, the only build with the test-only synthetic gaze source).
 */
export function distDirName(env: NodeJS.ProcessEnv = process.env): '.next' | '.next-e2e' {
  return env.GAZEBENCH_E2E_BUILD === '1' ? '.next-e2e' : '.next';
}

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

export function buildIsCurrent(root: string, distDir: string = distDirName()): boolean {
  const stamp = path.join(root, distDir, STAMP_NAME);
  if (!fs.existsSync(path.join(root, distDir, 'BUILD_ID')) || !fs.existsSync(stamp)) return false;
  const saved = JSON.parse(fs.readFileSync(stamp, 'utf8')) as { hash?: string };
  return saved.hash === sourceHash(root);
}

export function writeBuildStamp(root: string, distDir: string = distDirName()): void {
  fs.writeFileSync(path.join(root, distDir, STAMP_NAME), JSON.stringify({ hash: sourceHash(root), at: new Date().toISOString() }));
}
