/**
 * Server time per image of insertion + deletion (issue 18): recomputed in full (what the evaluation
 * job does for a map without curves: evaluate.ts, 1 + 2(n + 1) forward passes) vs a browser curve
 * spot-checked at k points (verify-curves.ts: 1 + 2(k + 2) passes when both curves pass). TF.js
 * wasm in Node, batches of 16. The full run's curves serve as the honest client's.
 *
 *   npx tsx bench/curve-verify.bench.ts [--bundle DIR] [--images N] [--k K] [--step S]
 *
 * Default bundle: the demo CNN (public/models/demo-shapes); pass the folder written by
 * scripts/make-resnet50-bundle.ts for the ResNet50-shaped model. Prints each image's times, the
 * medians and the load average (os.loadavg) before and after: the two cores are shared.
 */
import { loadavg } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { evaluateWithoutGroundTruth } from '../lib/evaluation/evaluate';
import { verifyClientCurves } from '../lib/evaluation/verify-curves';
import { loadModelBundle } from '../lib/models/bundle';
import { initTfNode } from '../lib/models/tf-node';
import { CURVE_TOLERANCE, DEFAULT_CURVE_SAMPLES, newCurveSeed } from '../lib/scoring/curve-check';

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(' / ');
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { bundle: { type: 'string' }, images: { type: 'string', default: '3' }, k: { type: 'string' }, step: { type: 'string' } } });
  const dir = values.bundle ?? path.resolve('public/models/demo-shapes');
  const k = values.k === undefined ? DEFAULT_CURVE_SAMPLES : Number(values.k);
  await initTfNode('wasm');
  const bundle = await loadModelBundle(dir);
  const [h, w] = bundle.config.inputSize;
  const step = values.step === undefined ? w : Number(values.step);
  const n = Math.ceil((w * h) / step);
  console.log(`bundle ${path.basename(dir)} ${w}×${h}, step ${step} (n = ${n}), k = ${k}, τ = ${CURVE_TOLERANCE}; passes full ${1 + 2 * (n + 1)}, verified ${1 + 2 * (Math.min(k, n - 1) + 2)}; load ${load()}`);
  const full: number[] = [];
  const verified: number[] = [];
  for (let i = 0; i < Number(values.images); i++) {
    const shape = generateShapeImage(2026, 1000 + i, SHAPE_CLASSES[i % SHAPE_CLASSES.length]);
    const data = new Float64Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = Math.exp(-((x - (shape.center.x * w) / 224) ** 2 + (y - (shape.center.y * h) / 224) ** 2) / 1800);
    const saliency = { width: w, height: h, data };
    const t0 = performance.now();
    const r = await evaluateWithoutGroundTruth({ bundle, image: shape, saliency, metrics: ['insertion', 'deletion'], step });
    full.push((performance.now() - t0) / 1000);
    const client = { classIndex: r.classIndex, step, insertion: r.insertion?.curve ?? [], deletion: r.deletion?.curve ?? [] };
    const t1 = performance.now();
    const v = await verifyClientCurves({ bundle, image: shape, saliency, client, step, samples: k, tolerance: CURVE_TOLERANCE, seed: newCurveSeed() });
    verified.push((performance.now() - t1) / 1000);
    console.log(
      `image ${i}: full ${full.at(-1)?.toFixed(1)} s, verified ${verified.at(-1)?.toFixed(1)} s (${v.insertion.source}/${v.deletion.source}, max |Δ| ${Math.max(v.insertion.check.maxDiff ?? 0, v.deletion.check.maxDiff ?? 0).toExponential(1)}); load ${load()}`,
    );
  }
  console.log(`median per image: full ${median(full).toFixed(1)} s, verified ${median(verified).toFixed(1)} s, ratio ${(median(full) / median(verified)).toFixed(2)}×; load ${load()}`);
  bundle.dispose();
}

await main();
