/**
 * Model-side benchmark, TF.js wasm backend in Node, on the ResNet50-shaped model of
 * scripts/make-resnet50-bundle.ts or (--model mobilenetv2) the MobileNetV2-shaped model of
 * scripts/make-mobilenetv2-bundle.ts (seeded random weights; built into a temporary folder unless
 * --bundle names one). ResNet50 figures are printed beside the PyTorch reference of issue 4;
 * MobileNetV2 has no measured reference here (bench/torch-mobilenetv2.py measures one).
 *
 *   npm run bench:explainers -- [--model resnet50|mobilenetv2] [--bundle DIR] [--methods forward,gradcam,scorecam,rise,insdel]
 *     [--images N] [--scorecam-images N] [--scorecam-batch B] [--rise-n N] [--step N]
 *
 *  - forward: ms per image at batch 1 and batch 16 (medians after one warm-up pass);
 *  - gradcam, scorecam, rise: ms per image of `explain` (lib/explainers, the code path of the CLI,
 *    the worker and the playground) for the predicted class's logit (Grad-CAM, Score-CAM at layer
 *    conv5_block3_out, the bundle's targetLayer) or probability (RISE, N --rise-n = 500, s 8,
 *    p1 0.5), batches of 16 (Score-CAM: --scorecam-batch); median over --images demo-style images
 *    (default 3; Score-CAM over --scorecam-images, default 1: 2048 channels = up to 2048 forward
 *    passes at most, minutes per image; the passes actually run are counted and the reference
 *    scaled to them). One Grad-CAM warm-up call on another image comes first;
 *  - insdel: insertion + deletion for one 224×224 image at step --step (224: 2 × 225 forward passes
 *    + 1 for the class) through lib/evaluation/evaluate.ts, median over --images images.
 * Reference (PyTorch 1.13, same 2-core CPU, measured by the project, issue 4): ResNet50 forward
 * 45 ms/image in batches of 16; Grad-CAM 144 ms/image. For Score-CAM and RISE the reference is
 * the same forward cost times their forward passes (2048 and 500), stated as an estimate.
 * The load average (os.loadavg) is printed at the start and after each method: the machine's two
 * cores are shared, so a figure means little without it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { evaluateWithoutGroundTruth } from '../lib/evaluation/evaluate';
import { getExplainer, type ExplainOptions } from '../lib/explainers/index';
import { loadModelBundle, type ModelBundle } from '../lib/models/bundle';
import { scoreBatchFor } from '../lib/models/predict';
import { initTfNode } from '../lib/models/tf-node';
import { writeMobileNetV2Bundle } from '../scripts/make-mobilenetv2-bundle';
import { writeResNet50Bundle } from '../scripts/make-resnet50-bundle';

/** PyTorch 1.13 on this CPU (issue 4 / issue 8): ResNet50 forward, ms per image, batches of 16. */
const PYTORCH_FORWARD_MS_BATCH16 = 45;
/** PyTorch 1.13 on this CPU (issue 4): pytorch-grad-cam GradCAM on ResNet50, ms per image. */
const PYTORCH_GRADCAM_MS = 144;
const BATCH = 16;
/** Channels of ResNet50's conv5_block3_out: Score-CAM's forward passes per image at most (constant channels share one). */
const RESNET50_LAST_CHANNELS = 2048;
/** Seconds between progress lines of one explanation. */
const PROGRESS_S = 60;
const METHODS = ['forward', 'gradcam', 'scorecam', 'rise', 'insdel'] as const;
/** The models the bench builds: name in the table, bundle writer, whether the issue-4 PyTorch figures apply. */
const MODELS = {
  resnet50: { title: 'ResNet50', write: writeResNet50Bundle, reference: true },
  mobilenetv2: { title: 'MobileNetV2', write: writeMobileNetV2Bundle, reference: false },
} as const;
type ModelName = keyof typeof MODELS;
type Method = (typeof METHODS)[number];

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

const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' / ');

function positive(name: string, text: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got '${text}'`);
  return n;
}

/** Demo-style test image i (not one of the 80 demo images). */
const benchImage = (i: number) => generateShapeImage(2026, 1000 + i, SHAPE_CLASSES[i % SHAPE_CLASSES.length]);

/** ms per image of `explain` with these options over `images` images, and the forward passes of the last one. */
async function explainMs(bundle: ModelBundle, method: string, images: number, extra: Partial<ExplainOptions>): Promise<{ samples: number[]; passes: number }> {
  const explainer = getExplainer(method);
  const samples: number[] = [];
  let passes = 0;
  for (let i = 0; i < images; i++) {
    const t0 = performance.now();
    let last = t0;
    // Progress every PROGRESS_S: a run stopped early (Score-CAM takes minutes) still leaves a rate.
    const onProgress = (p: { done: number; total: number }): void => {
      const now = performance.now();
      passes = p.total;
      if (now - last < PROGRESS_S * 1000 || p.done === p.total) return;
      last = now;
      process.stderr.write(`${method} image ${i + 1}: ${p.done}/${p.total} passes in ${((now - t0) / 1000).toFixed(0)} s (load ${load()})\n`);
    };
    await explainer.explain({ bundle, image: benchImage(i), target: { classIndex: 'predicted', output: 'logit' }, onProgress, ...extra });
    samples.push(performance.now() - t0);
    process.stderr.write(`${method} image ${i + 1}/${images}: ${(samples.at(-1) as number).toFixed(0)} ms, ${passes} progress units (load ${load()})\n`);
  }
  return { samples, passes };
}

type Row = [string, string, string, string];
const ratio = (ours: number, reference: number): string => `${(ours / reference).toFixed(1)}×`;
const list = (samples: number[], digits = 0): string => samples.map((v) => v.toFixed(digits)).join(', ');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: 'resnet50' }, bundle: { type: 'string' }, methods: { type: 'string', default: METHODS.join(',') }, images: { type: 'string', default: '3' },
      'scorecam-images': { type: 'string', default: '1' }, 'scorecam-batch': { type: 'string', default: String(BATCH) },
      'rise-n': { type: 'string', default: '500' }, step: { type: 'string', default: '224' },
    },
  });
  const images = positive('images', values.images);
  const scoreCamImages = positive('scorecam-images', values['scorecam-images']);
  const scoreCamBatch = positive('scorecam-batch', values['scorecam-batch']);
  const riseN = positive('rise-n', values['rise-n']);
  const step = positive('step', values.step);
  const methods = values.methods.split(',').map((m) => m.trim()) as Method[];
  for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) throw new Error(`--methods: unknown '${m}' (${METHODS.join(', ')})`);
  if (!Object.hasOwn(MODELS, values.model)) throw new Error(`--model: unknown '${values.model}' (${Object.keys(MODELS).join(', ')})`);
  const spec = MODELS[values.model as ModelName];
  const title = spec.title;
  /** The PyTorch column: the issue-4 figure for ResNet50, '—' for a model without a measured reference. */
  const ref = (text: string): string => (spec.reference ? text : '—');
  const refRatio = (ours: number, reference: number): string => (spec.reference ? ratio(ours, reference) : '—');
  await initTfNode('wasm');
  let dir = values.bundle;
  let temporary: string | null = null;
  if (dir === undefined) {
    temporary = await mkdtemp(path.join(tmpdir(), `gazebench-${values.model}-`));
    dir = temporary;
    process.stderr.write(`building the ${title}-shaped bundle (seed 0)…\n`);
    await spec.write(dir, 0);
  }
  const bundle = await loadModelBundle(dir);
  const loads = [`start ${load()}`];
  const rows: Row[] = [];
  try {
    const before = tf.memory().numTensors;
    if (methods.includes('forward')) {
      const f1 = await forwardMs(bundle, 1, 5);
      const f16 = await forwardMs(bundle, BATCH, 2);
      process.stderr.write(`forward: ${f1.toFixed(0)} ms/image at batch 1, ${f16.toFixed(0)} at batch ${BATCH} (load ${load()})\n`);
      rows.push([`${title} forward, batch 1 (ms/image)`, f1.toFixed(0), '—', '—']);
      rows.push([`${title} forward, batch ${BATCH} (ms/image)`, f16.toFixed(0), ref(String(PYTORCH_FORWARD_MS_BATCH16)), refRatio(f16, PYTORCH_FORWARD_MS_BATCH16)]);
      loads.push(`forward ${load()}`);
    }
    if (methods.includes('gradcam')) {
      await explainMs(bundle, 'gradcam', 1, { image: benchImage(999) }); // warm-up
      const s = (await explainMs(bundle, 'gradcam', images, {})).samples;
      rows.push([`${title} Grad-CAM, ${bundle.config.targetLayer ?? 'automatic layer'} (ms/image, median of ${images}: ${list(s)})`, medianOf(s).toFixed(0), ref(String(PYTORCH_GRADCAM_MS)), refRatio(medianOf(s), PYTORCH_GRADCAM_MS)]);
      loads.push(`gradcam ${load()}`);
    }
    if (methods.includes('scorecam')) {
      const { samples: s, passes } = await explainMs(bundle, 'scorecam', scoreCamImages, { batchSize: scoreCamBatch });
      // Constant channels share one pass (scorecam.ts), so the passes are counted, not assumed.
      const reference = passes * PYTORCH_FORWARD_MS_BATCH16;
      rows.push([`${title} Score-CAM, ${spec.reference ? RESNET50_LAST_CHANNELS : '?'} channels → ${passes} forward passes (last image), batch ${scoreCamBatch} (ms/image, median of ${scoreCamImages}: ${list(s)})`, medianOf(s).toFixed(0), ref(`≈ ${reference} (${passes} × 45 ms, estimate)`), refRatio(medianOf(s), reference)]);
      loads.push(`scorecam ${load()}`);
    }
    if (methods.includes('rise')) {
      const { samples: s } = await explainMs(bundle, 'rise', images, { params: { N: riseN }, target: { classIndex: 'predicted', output: 'probability' }, batchSize: BATCH });
      const reference = riseN * PYTORCH_FORWARD_MS_BATCH16;
      rows.push([`${title} RISE, N ${riseN}, s 8, p1 0.5, batch ${BATCH} (ms/image, median of ${images}: ${list(s)})`, medianOf(s).toFixed(0), ref(`≈ ${reference} (${riseN} × 45 ms, estimate)`), refRatio(medianOf(s), reference)]);
      loads.push(`rise ${load()}`);
    }
    if (methods.includes('insdel')) {
      const passes = 2 * (Math.ceil((224 * 224) / step) + 1) + 1;
      const seconds: number[] = [];
      for (let i = 0; i < images; i++) {
        const shape = benchImage(i);
        const t0 = performance.now();
        await evaluateWithoutGroundTruth({
          bundle, image: shape, saliency: centredMap(shape.center.x, shape.center.y), metrics: ['insertion', 'deletion'], step, batchSize: BATCH,
        });
        seconds.push((performance.now() - t0) / 1000);
        process.stderr.write(`insertion + deletion image ${i + 1}/${images}: ${(seconds.at(-1) as number).toFixed(1)} s (load ${load()})\n`);
      }
      const reference = (passes * PYTORCH_FORWARD_MS_BATCH16) / 1000;
      rows.push([`${title} insertion + deletion, 224², step ${step} (${passes} passes), batch ${BATCH} (s/image, median of ${images}: ${list(seconds, 1)})`, medianOf(seconds).toFixed(1), ref(`≈ ${reference.toFixed(0)} (${passes} × 45 ms)`), refRatio(medianOf(seconds), reference)]);
      loads.push(`insdel ${load()}`);
    }
    if (tf.memory().numTensors !== before) throw new Error(`tensor leak: ${tf.memory().numTensors - before} tensors`);
    console.log(`TF.js ${tf.version.tfjs}, backend ${tf.getBackend()}, Node ${process.version}; load average (1/5/15 min) ${loads.join('; ')}`);
    console.log('| measurement | TF.js wasm (Node) | PyTorch 1.13 reference | ratio |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    bundle.dispose();
    if (temporary !== null) await rm(temporary, { recursive: true, force: true });
  }
}

await main();
