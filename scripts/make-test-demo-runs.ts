/**
 * Writes stand-in demo runs for tests (the e2e suite, when db/seed/demo-runs holds no real
 * explainer maps yet): two folders in the demo-runs layout (db/seed/demo-runs.ts) with maps from
 * trivial deterministic functions — a centre-bias Gaussian and a left-to-right ramp. They are NOT
 * explanations and are labelled as test maps.
 *
 *   npx tsx scripts/make-test-demo-runs.ts <dir>
 */
import fs from 'node:fs';
import path from 'node:path';
import { demoDataset, demoImageName, SHAPE_SIZE } from '@/lib/demo/shapes';
import { writeNpy } from '@/lib/io/npy';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: make-test-demo-runs.ts <dir>');
  process.exit(2);
}
const n = SHAPE_SIZE;
const sets = [
  {
    folder: 'test-centre',
    manifest: { explainer: 'test-centre-bias', name: 'Test maps: centre bias (not an explainer)', evaluate: ['insertion', 'deletion'], evaluationStep: n * 8 },
    map: (x: number, y: number) => Math.exp(-(((x + 0.5 - n / 2) ** 2 + (y + 0.5 - n / 2) ** 2) / (2 * (n / 4) ** 2))),
  },
  {
    folder: 'test-ramp',
    manifest: { explainer: 'test-ramp', name: 'Test maps: left-to-right ramp (not an explainer)', evaluate: ['insertion', 'deletion'], evaluationStep: n * 8 },
    map: (x: number) => x / (n - 1),
  },
];
const images = demoDataset().map((img, i) => demoImageName(img, i));
for (const set of sets) {
  const out = path.join(dir, set.folder);
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'manifest.json'), `${JSON.stringify(set.manifest, null, 2)}\n`);
  const data = Float32Array.from({ length: n * n }, (_, i) => set.map(i % n, Math.floor(i / n)));
  const npy = writeNpy({ width: n, height: n, data });
  for (const name of images) fs.writeFileSync(path.join(out, `${name.replace(/\.png$/, '')}.npy`), npy);
}
console.log(`wrote ${sets.length} test demo runs × ${images.length} maps to ${dir}`);
