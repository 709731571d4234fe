/**
 * Model-side benchmark, TF.js wasm backend in Node, beside PyTorch in the same run (issue 18), on
 * a model of MODELS (ResNet50: scripts/make-resnet50-bundle.ts; MobileNetV2:
 * scripts/make-mobilenetv2-bundle.ts; seeded random weights, built into a temporary folder unless
 * --bundle names one).
 *
 *   npm run bench:explainers -- [--model resnet50|mobilenetv2] [--bundle DIR] [--methods forward,gradcam,scorecam,rise,insdel]
 *     [--images N] [--scorecam-images N] [--scorecam-batch B] [--rise-n N] [--step N]
 *     [--wasm-threads T] [--pool P] [--reference auto|none] [--torch-threads T]
 *
 *  - forward: ms per image at batch 1 and batch 16 (medians after one warm-up pass) in this
 *    thread; with --pool P also through the forward pool (P batches of 16 at once), and a SHA-256
 *    of the batch-16 outputs on a fixed input, so that runs with other thread settings can be
 *    checked for identical results;
 *  - gradcam, scorecam, rise: ms per image of `explain` (lib/explainers, the code path of the CLI,
 *    the worker and the playground) for the predicted class's logit (Grad-CAM, Score-CAM at the
 *    bundle's targetLayer) or probability (RISE, N --rise-n = 500, s 8, p1 0.5), batches of 16
 *    (Score-CAM: --scorecam-batch); median over --images demo-style images (default 3; Score-CAM
 *    over --scorecam-images, default 1: up to one forward pass per channel). One Grad-CAM
 *    warm-up call on another image comes first;
 *  - insdel: insertion + deletion for one 224×224 image at step --step (224: 2 × 225 forward passes
 *    + 1 for the class) through lib/evaluation/evaluate.ts, median over --images images.
 * --wasm-threads: XNNPACK threads of this thread's backend (lib/models/wasm-threads.ts; default 1).
 * --pool: worker threads for Score-CAM, RISE, insertion/deletion (lib/models/forward-pool.ts;
 * default 1 = none). Both compete for the same cores.
 * Reference: after the TF.js measurements (never at the same time), bench/reference/
 * torch_reference.py runs the same methods on torchvision's model of the same key with
 * /usr/bin/python3 (PYTORCH_PYTHON overrides), --torch-threads intra-op threads (default: every
 * core). Without torch/torchvision there the table says "reference absent: <why>"; no stored
 * figure is used. Score-CAM has no PyTorch run (thousands of passes): its reference is that run's
 * forward cost × the passes counted here, marked as an estimate.
 * The load average (os.loadavg) is printed at the start and after each method: the machine's two
 * cores are shared, so a figure means little without it.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { evaluateWithoutGroundTruth } from '../lib/evaluation/evaluate';
import { getExplainer, type ExplainOptions } from '../lib/explainers/index';
import { loadModelBundle, type ModelBundle } from '../lib/models/bundle';
import { createForwardPool, type ForwardPool } from '../lib/models/forward-pool';
import { pooledScoreBatch, scoreBatchFor } from '../lib/models/predict';
import { initTfNode, wasmThreadsInUse } from '../lib/models/tf-node';
import { writeMobileNetV2Bundle } from '../scripts/make-mobilenetv2-bundle';
import { writeResNet50Bundle } from '../scripts/make-resnet50-bundle';

/**
 * The models the bench knows, by the key that bench/reference/torch_reference.py MODELS uses for
 * torchvision's counterpart. To add one: a row here (and there).
 */
const MODELS: Readonly<Record<string, { readonly label: string; readonly write: (dir: string, seed: number) => Promise<void> }>> = {
  resnet50: { label: 'ResNet50', write: writeResNet50Bundle },
  mobilenetv2: { label: 'MobileNetV2', write: writeMobileNetV2Bundle },
};
const BATCH = 16;
/** Seconds between progress lines of one explanation. */
const PROGRESS_S = 60;
const METHODS = ['forward', 'gradcam', 'scorecam', 'rise', 'insdel'] as const;
type Method = (typeof METHODS)[number];
const REFERENCE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'reference', 'torch_reference.py');

function medianOf(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** Median ms per image of forward passes at `batch` (one warm-up pass, then `runs` timed ones). */
async function forwardMs(bundle: ModelBundle, batch: number, runs: number): Promise<number> {
  const score = scoreBatchFor(bundle, { output: 'probability', batchSize: batch });
  const inputs = fixedInputs(bundle, batch);
  await score(inputs);
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await score(inputs);
    samples.push((performance.now() - t0) / batch);
  }
  return medianOf(samples);
}

function fixedInputs(bundle: ModelBundle, n: number): Float32Array[] {
  const [h, w] = bundle.config.inputSize;
  return Array.from({ length: n }, (_, i) => Float32Array.from({ length: h * w * 3 }, (_, j) => Math.sin(0.001 * j + i) * 100));
}

/** SHA-256 (first 16 hex digits) of the batch-16 logits on fixedInputs: equal digests = bit-identical outputs. */
async function forwardDigest(bundle: ModelBundle, pool: ForwardPool | null = null): Promise<string> {
  const score = pool === null ? scoreBatchFor(bundle, { output: 'logit', batchSize: BATCH }) : pooledScoreBatch(bundle, pool, { output: 'logit', batchSize: BATCH });
  const outputs = await score(fixedInputs(bundle, BATCH));
  const hash = createHash('sha256');
  for (const o of outputs) hash.update(new Uint8Array(o.buffer, o.byteOffset, o.byteLength));
  return hash.digest('hex').slice(0, 16);
}

/** Median ms per image through the pool: pool.size batches of 16 per call. */
async function poolForwardMs(bundle: ModelBundle, pool: ForwardPool, runs: number): Promise<number> {
  const n = BATCH * pool.size;
  const inputs = fixedInputs(bundle, n);
  const packed = new Float32Array(n * (inputs[0] as Float32Array).length);
  inputs.forEach((x, i) => packed.set(x, i * x.length));
  await pool.forward(packed, n, BATCH, 'probability');
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await pool.forward(packed, n, BATCH, 'probability');
    samples.push((performance.now() - t0) / n);
  }
  return medianOf(samples);
}

interface Reference {
  readonly torch: string;
  readonly torchvision: string;
  readonly threads: number;
  readonly constructor: string;
  readonly loadavg: number[][];
  readonly methods: Partial<Record<Method, number[]>>;
}

/** The PyTorch side, or why it is absent. */
async function pytorchReference(args: string[]): Promise<Reference | string> {
  const python = process.env.PYTORCH_PYTHON || '/usr/bin/python3';
  const run = promisify(execFile);
  try {
    await run(python, ['-c', 'import torch, torchvision'], { timeout: 60_000 });
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    return `${python} cannot import torch and torchvision (${text.split('\n').filter((l) => l.trim() !== '').at(-1) ?? text})`;
  }
  try {
    const { stdout } = await run(python, [REFERENCE_SCRIPT, ...args], { timeout: 3_600_000, maxBuffer: 1 << 20 });
    return JSON.parse(stdout) as Reference;
  } catch (error) {
    return `${REFERENCE_SCRIPT} failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
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
      model: { type: 'string', default: 'resnet50' }, bundle: { type: 'string' }, methods: { type: 'string', default: METHODS.join(',') },
      images: { type: 'string', default: '3' }, 'scorecam-images': { type: 'string', default: '1' }, 'scorecam-batch': { type: 'string', default: String(BATCH) },
      'rise-n': { type: 'string', default: '500' }, step: { type: 'string', default: '224' }, 'wasm-threads': { type: 'string', default: '1' },
      pool: { type: 'string', default: '1' }, reference: { type: 'string', default: 'auto' }, 'torch-threads': { type: 'string', default: String(availableParallelism()) },
    },
  });
  const model = MODELS[values.model];
  if (model === undefined) throw new Error(`--model: unknown '${values.model}' (${Object.keys(MODELS).join(', ')})`);
  const images = positive('images', values.images);
  const scoreCamImages = positive('scorecam-images', values['scorecam-images']);
  const scoreCamBatch = positive('scorecam-batch', values['scorecam-batch']);
  const riseN = positive('rise-n', values['rise-n']);
  const step = positive('step', values.step);
  const wasmThreads = positive('wasm-threads', values['wasm-threads']);
  const poolSize = positive('pool', values.pool);
  const torchThreads = positive('torch-threads', values['torch-threads']);
  if (values.reference !== 'auto' && values.reference !== 'none') throw new Error(`--reference: expected auto or none, got '${values.reference}'`);
  const methods = values.methods.split(',').map((m) => m.trim()) as Method[];
  for (const m of methods) if (!(METHODS as readonly string[]).includes(m)) throw new Error(`--methods: unknown '${m}' (${METHODS.join(', ')})`);
  await initTfNode('wasm', { wasmThreads });
  let dir = values.bundle;
  let temporary: string | null = null;
  if (dir === undefined) {
    temporary = await mkdtemp(path.join(tmpdir(), `gazebench-${values.model}-`));
    dir = temporary;
    process.stderr.write(`building the ${model.label}-shaped bundle (seed 0)…\n`);
    await model.write(dir, 0);
  }
  const bundle = await loadModelBundle(dir);
  const loads = [`start ${load()}`];
  const ours = new Map<Method, { label: string; value: number; samples: number[]; passes?: number }>();
  let pool: ForwardPool | null = null;
  try {
    if (poolSize > 1) pool = await createForwardPool({ dir, size: poolSize });
    const setting = `XNNPACK threads ${wasmThreadsInUse() ?? '?'}, pool ${pool?.size ?? 'none'}`;
    const before = tf.memory().numTensors;
    const usePool = pool === null ? {} : { pool };
    const extraRows: Row[] = [];
    if (methods.includes('forward')) {
      const f1 = await forwardMs(bundle, 1, 5);
      const f16 = await forwardMs(bundle, BATCH, 2);
      const digest = await forwardDigest(bundle);
      process.stderr.write(`forward: ${f1.toFixed(0)} ms/image at batch 1, ${f16.toFixed(0)} at batch ${BATCH}, outputs sha256 ${digest} (load ${load()})\n`);
      extraRows.push([`${model.label} forward, batch 1, this thread (ms/image)`, f1.toFixed(0), '—', '—']);
      extraRows.push([`${model.label} forward outputs, batch ${BATCH}, fixed input (sha256)`, digest, '—', '—']);
      ours.set('forward', { label: `${model.label} forward, batch ${BATCH}, this thread (ms/image)`, value: f16, samples: [f16] });
      if (pool !== null) {
        const fp = await poolForwardMs(bundle, pool, 2);
        const poolDigest = await forwardDigest(bundle, pool);
        process.stderr.write(`forward on the pool: ${fp.toFixed(0)} ms/image, outputs sha256 ${poolDigest} (load ${load()})\n`);
        extraRows.push([`${model.label} forward, ${pool.size} × batch ${BATCH} on the pool (ms/image)`, fp.toFixed(0), '', '']);
        extraRows.push([`${model.label} forward outputs on the pool, batch ${BATCH}, fixed input (sha256)`, poolDigest, '—', '—']);
      }
      loads.push(`forward ${load()}`);
    }
    if (methods.includes('gradcam')) {
      await explainMs(bundle, 'gradcam', 1, { image: benchImage(999) }); // warm-up
      const s = (await explainMs(bundle, 'gradcam', images, {})).samples;
      ours.set('gradcam', { label: `Grad-CAM, ${bundle.config.targetLayer ?? 'last conv'} (ms/image, median of ${images}: ${list(s)})`, value: medianOf(s), samples: s });
      loads.push(`gradcam ${load()}`);
    }
    if (methods.includes('scorecam')) {
      const { samples: s, passes } = await explainMs(bundle, 'scorecam', scoreCamImages, { batchSize: scoreCamBatch, ...usePool });
      ours.set('scorecam', { label: `Score-CAM → ${passes} forward passes (last image), batch ${scoreCamBatch} (ms/image, median of ${scoreCamImages}: ${list(s)})`, value: medianOf(s), samples: s, passes });
      loads.push(`scorecam ${load()}`);
    }
    if (methods.includes('rise')) {
      const { samples: s } = await explainMs(bundle, 'rise', images, { params: { N: riseN }, target: { classIndex: 'predicted', output: 'probability' }, batchSize: BATCH, ...usePool });
      ours.set('rise', { label: `RISE, N ${riseN}, s 8, p1 0.5, batch ${BATCH} (ms/image, median of ${images}: ${list(s)})`, value: medianOf(s), samples: s });
      loads.push(`rise ${load()}`);
    }
    if (methods.includes('insdel')) {
      const passes = 2 * (Math.ceil((224 * 224) / step) + 1) + 1;
      const seconds: number[] = [];
      for (let i = 0; i < images; i++) {
        const shape = benchImage(i);
        const t0 = performance.now();
        await evaluateWithoutGroundTruth({
          bundle, image: shape, saliency: centredMap(shape.center.x, shape.center.y), metrics: ['insertion', 'deletion'], step, batchSize: BATCH, ...usePool,
        });
        seconds.push((performance.now() - t0) / 1000);
        process.stderr.write(`insertion + deletion image ${i + 1}/${images}: ${(seconds.at(-1) as number).toFixed(1)} s (load ${load()})\n`);
      }
      ours.set('insdel', { label: `insertion + deletion, 224², step ${step} (${passes} passes), batch ${BATCH} (s/image, median of ${images}: ${list(seconds, 1)})`, value: medianOf(seconds), samples: seconds });
      loads.push(`insdel ${load()}`);
    }
    if (tf.memory().numTensors !== before) throw new Error(`tensor leak: ${tf.memory().numTensors - before} tensors`);

    // The reference runs after ours, so that the two never share the cores.
    // Score-CAM's reference is the forward cost × its passes, so it needs 'forward' there.
    const torchMethods = [...new Set(methods.flatMap((m) => (m === 'scorecam' ? ['forward'] : [m])))];
    const reference = values.reference === 'none'
      ? 'reference absent: --reference none'
      : await pytorchReference(['--model', values.model, '--methods', torchMethods.join(','), '--images', String(images), '--rise-n', String(riseN), '--step', String(step), '--threads', String(torchThreads)]);
    const refMs = (m: Method): number | null => (typeof reference === 'string' ? null : (() => { const r = reference.methods[m]; return r === undefined ? null : medianOf(r); })());
    const absent = typeof reference === 'string' ? (reference.startsWith('reference absent') ? reference : `reference absent: ${reference}`) : null;
    const rows: Row[] = [...extraRows];
    for (const [m, r] of ours) {
      const digits = m === 'insdel' ? 1 : 0;
      let ref = refMs(m);
      let note = '';
      if (m === 'scorecam') {
        const f = refMs('forward');
        ref = f === null || r.passes === undefined ? null : f * r.passes;
        note = f === null ? '' : ` (${r.passes} × ${f.toFixed(0)} ms, estimate from this run's forward)`;
      }
      const refText = ref === null ? (absent ?? 'reference absent: not run') : `${ref.toFixed(digits)}${note}${m === 'scorecam' || typeof reference === 'string' ? '' : ` (${list(reference.methods[m] ?? [], digits)})`}`;
      rows.push([r.label, r.value.toFixed(digits), refText, ref === null ? '—' : ratio(r.value, ref)]);
    }
    console.log(`TF.js ${tf.version.tfjs}, backend ${tf.getBackend()} (${setting}), Node ${process.version}; load average (1/5/15 min) ${loads.join('; ')}`);
    console.log(typeof reference === 'string'
      ? absent
      : `PyTorch ${reference.torch}, torchvision ${reference.torchvision}, ${reference.threads} intra-op threads, ${reference.constructor}; load average during it ${reference.loadavg.map((l) => l.map((v) => v.toFixed(1)).join(' / ')).join('; ')}`);
    console.log('| measurement | TF.js wasm (Node) | PyTorch, same run | ratio |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  } finally {
    await pool?.close();
    bundle.dispose();
    if (temporary !== null) await rm(temporary, { recursive: true, force: true });
  }
}

await main();
