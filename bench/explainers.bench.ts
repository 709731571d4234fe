/**
 * Model-side benchmark (`npm run bench:explainers [-- --images N --bundle DIR --step N]`), TF.js
 * wasm backend in Node, on the ResNet50-shaped model of scripts/make-resnet50-bundle.ts (seeded
 * random weights; built into a temporary folder unless --bundle names one):
 *  1. forward pass, ms per image at batch 1 and batch 16 (medians after one warm-up pass);
 *  2. "evaluation without ground truth": insertion + deletion for one 224×224 image at step 224
 *     (2 × 225 forward passes + 1 for the class) in batches of 16, through the library function
 *     the CLI and the scoring worker call (lib/evaluation/evaluate.ts); median over --images demo
 *     images (default 3).
 * Reference (PyTorch 1.13, same 2-core CPU, measured by the project): ResNet50 forward 45 ms/image
 * in batches of 16, hence ≈ 451 × 45 ms ≈ 20 s per image for both curves. Printed beside ours.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { evaluateWithoutGroundTruth } from '../lib/evaluation/evaluate';
import { loadModelBundle, type ModelBundle } from '../lib/models/bundle';
import { scoreBatchFor } from '../lib/models/predict';
import { initTfNode } from '../lib/models/tf-node';
import { writeResNet50Bundle } from '../scripts/make-resnet50-bundle';

/** PyTorch 1.13 on this CPU (issue 4 / issue 8): ResNet50 forward, ms per image, batches of 16. */
const PYTORCH_FORWARD_MS_BATCH16 = 45;
const BATCH = 16;

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median ms per image of forward passes at `batch` (one warm-up pass, then `runs` timed ones). */
async function forwardMs(bundle: ModelBundle, batch: number, runs: number): Promise<number> {
  const [h, w] = bundle.config.inputSize;
  const score = scoreBatchFor(bundle, { output: 'probability', batchSize: batch });
  const inputs = Array.from({ length: batch }, (_, i) => new Float32Array(h * w * 3).fill(i - batch / 2));
  await score(inputs);
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await score(inputs);
    samples.push((performance.now() - t0) / batch);
  }
  return medianOf(samples);
}

/** A saliency map centred on the object (timing does not depend on the map). */
function centredMap(cx: number, cy: number): { width: number; height: number; data: Float64Array } {
  const data = new Float64Array(224 * 224);
  for (let y = 0; y < 224; y++) for (let x = 0; x < 224; x++) data[y * 224 + x] = Math.exp(-((x - cx) ** 2 + (y - cy) ** 2) / 1800);
  return { width: 224, height: 224, data };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { images: { type: 'string', default: '3' }, bundle: { type: 'string' }, step: { type: 'string', default: '224' } } });
  const images = Number(values.images);
  const step = Number(values.step);
  if (!(Number.isInteger(images) && images >= 1 && Number.isInteger(step) && step >= 1)) throw new Error('--images and --step must be positive integers');
  await initTfNode('wasm');
  let dir = values.bundle;
  let temporary: string | null = null;
  if (dir === undefined) {
    temporary = await mkdtemp(path.join(tmpdir(), 'gazebench-resnet50-'));
    dir = temporary;
    process.stderr.write('building the ResNet50-shaped bundle (seed 0)…\n');
    await writeResNet50Bundle(dir, 0);
  }
  const bundle = await loadModelBundle(dir);
  try {
    const before = tf.memory().numTensors;
    const f1 = await forwardMs(bundle, 1, 5);
    const f16 = await forwardMs(bundle, BATCH, 2);
    const passes = 2 * (Math.ceil((224 * 224) / step) + 1) + 1;
    const seconds: number[] = [];
    for (let i = 0; i < images; i++) {
      const shape = generateShapeImage(2026, 1000 + i, SHAPE_CLASSES[i % SHAPE_CLASSES.length]);
      const t0 = performance.now();
      await evaluateWithoutGroundTruth({
        bundle,
        image: shape,
        saliency: centredMap(shape.center.x, shape.center.y),
        metrics: ['insertion', 'deletion'],
        step,
        batchSize: BATCH,
      });
      seconds.push((performance.now() - t0) / 1000);
      process.stderr.write(`image ${i + 1}/${images}: ${seconds.at(-1)?.toFixed(1)} s\n`);
    }
    if (tf.memory().numTensors !== before) throw new Error(`tensor leak: ${tf.memory().numTensors - before} tensors`);
    const idSeconds = medianOf(seconds);
    const pytorchSeconds = (passes * PYTORCH_FORWARD_MS_BATCH16) / 1000;
    const rows: Array<[string, string, string, string]> = [
      ['ResNet50 forward, batch 1 (ms/image)', f1.toFixed(0), '—', '—'],
      [`ResNet50 forward, batch ${BATCH} (ms/image)`, f16.toFixed(0), String(PYTORCH_FORWARD_MS_BATCH16), `${(f16 / PYTORCH_FORWARD_MS_BATCH16).toFixed(1)}×`],
      [`insertion + deletion, 224², step ${step}, batch ${BATCH} (s/image, median of ${images})`, idSeconds.toFixed(1), `≈ ${pytorchSeconds.toFixed(0)}`, `${(idSeconds / pytorchSeconds).toFixed(1)}×`],
    ];
    console.log(`TF.js ${tf.version.tfjs}, backend ${tf.getBackend()}, Node ${process.version}; ${passes} forward passes per image for both curves`);
    console.log('| measurement | TF.js wasm (Node) | PyTorch 1.13 reference | ratio |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    bundle.dispose();
    if (temporary !== null) await rm(temporary, { recursive: true, force: true });
  }
}

await main();
