/**
 * `gazebench evaluate`: insertion, deletion, ROAD and Average Drop / Increase in Confidence of a
 * saliency map for any TF.js model bundle, without ground truth (issue 8).
 *
 *   gazebench evaluate --model <bundle dir> --image <file> --saliency <map.(json|npy|png)>
 *     [--metrics insertion,deletion[,road,adic]] [--class predicted|K] [--step N] [--batch B]
 *     [--seed N] [--out result.json] [--plot curves.png] [--backend wasm|cpu]
 *
 * Conventions and the implementation are lib/evaluation/evaluate.ts (the scoring worker's too).
 * Output: `{classIndex, label, step, insertion: {curve, auc}, deletion: {curve, auc}, road?,
 * adic?}` as JSON, to --out or stdout. Files are written to a temporary name and renamed only
 * after everything succeeded, so bad input (exit 2, one line on stderr) writes nothing. Progress
 * goes to stderr.
 */
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { curvePlotPng } from '../evaluation/curve-plot';
import { EVALUATION_METRICS, evaluateWithoutGroundTruth, type EvaluationMetric, type EvaluationProgress } from '../evaluation/evaluate';
import { readGridFile } from '../io/grid-file';
import { ImageFileError, readImageFile } from '../io/image-file';
import { MetricError } from '../metrics/errors';
import { checkGrid } from '../metrics/validate';
import { loadModelBundle, ModelBundleError } from '../models/bundle';
import { maybeForwardPool, poolSizeFromEnv, type ForwardPool } from '../models/forward-pool';
import { initTfNode } from '../models/tf-node';
import { UsageError } from './main';

const HELP = `Usage: gazebench evaluate --model <bundle dir> --image <file> --saliency <map.(json|npy|png)>
  [--metrics insertion,deletion[,road,adic]]  metrics to compute (default insertion,deletion)
  [--class predicted|K]   class to score (default: the model's prediction on the image)
  [--step N]              pixels changed per insertion/deletion step (default: input width)
  [--batch B]             images per forward pass (default 16)
  [--seed N]              seed of ROAD's imputation noise (default 0)
  [--out result.json]     write the JSON result there (default: stdout)
  [--plot curves.png]     also draw the insertion and deletion curves
  [--backend wasm|cpu]    TF.js backend (default wasm)
Environment: GAZEBENCH_THREADS worker threads for the forward passes (wasm; default every core,
  1 = none); GAZEBENCH_WASM_THREADS XNNPACK threads of this thread's backend (default 1).
Exit codes: 0 success, 2 bad input (one line on stderr, nothing written).`;

/** Seconds between progress lines when stderr is not a terminal. */
const PROGRESS_INTERVAL_S = 5;

function integer(flag: string, text: string, min: number): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`--${flag}: expected an integer, got '${text}'`);
  const value = Number(text);
  if (value < min) throw new UsageError(`--${flag}: must be ${min === 0 ? 'non-negative' : `at least ${min}`}, got ${value}`);
  return value;
}

function parseMetrics(text: string): EvaluationMetric[] {
  const names = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (names.length === 0) throw new UsageError(`--metrics: empty list (choose from ${EVALUATION_METRICS.join(', ')})`);
  for (const n of names) {
    if (!(EVALUATION_METRICS as readonly string[]).includes(n)) {
      throw new UsageError(`--metrics: unknown metric '${n}' (choose from ${EVALUATION_METRICS.join(', ')})`);
    }
  }
  return [...new Set(names)] as EvaluationMetric[];
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required (see --help)`);
  return value;
}

function progressPrinter(): (p: EvaluationProgress) => void {
  const started = Date.now();
  let last = 0;
  const tty = process.stderr.isTTY === true;
  return (p) => {
    const now = Date.now();
    const finished = p.done === p.total;
    if (!finished && now - last < (tty ? 200 : PROGRESS_INTERVAL_S * 1000)) return;
    last = now;
    const line = `evaluate: ${p.metric} — ${p.done}/${p.total} forward passes, ${((now - started) / 1000).toFixed(1)} s`;
    process.stderr.write(tty ? `\r${line}${finished ? '\n' : ''}` : `${line}\n`);
  };
}

/** Writes every (file, bytes) pair to a temp name in its folder, then renames them all. */
async function writeAll(outputs: ReadonlyArray<readonly [string, string | Uint8Array]>): Promise<void> {
  const staged: Array<[string, string, string]> = [];
  try {
    for (const [file, bytes] of outputs) {
      const target = path.resolve(file);
      const dir = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}-`));
      const tmp = path.join(dir, path.basename(target));
      staged.push([dir, tmp, target]);
      await writeFile(tmp, bytes);
    }
    for (const [, tmp, target] of staged) await rename(tmp, target);
  } finally {
    for (const [dir] of staged) await rm(dir, { recursive: true, force: true });
  }
}

async function evaluate(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: 'string' }, image: { type: 'string' }, saliency: { type: 'string' },
      metrics: { type: 'string', default: 'insertion,deletion' }, class: { type: 'string', default: 'predicted' },
      step: { type: 'string' }, batch: { type: 'string' }, seed: { type: 'string' }, out: { type: 'string' },
      plot: { type: 'string' }, backend: { type: 'string', default: 'wasm' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const modelDir = required('model', values.model);
  const imageFile = required('image', values.image);
  const saliencyFile = required('saliency', values.saliency);
  const metrics = parseMetrics(values.metrics);
  const classIndex = values.class === 'predicted' ? 'predicted' : integer('class', values.class, 0);
  const step = values.step === undefined ? undefined : integer('step', values.step, 1);
  const batchSize = values.batch === undefined ? undefined : integer('batch', values.batch, 1);
  const roadSeed = values.seed === undefined ? undefined : integer('seed', values.seed, 0);
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend: expected wasm or cpu, got '${backend}'`);
  if (values.plot !== undefined && !metrics.includes('insertion') && !metrics.includes('deletion')) {
    throw new UsageError('--plot needs the insertion or deletion metric');
  }

  for (const [flag, file] of [['out', values.out], ['plot', values.plot]] as const) {
    if (file === undefined) continue;
    const folder = path.dirname(path.resolve(file));
    const ok = await stat(folder).then((s) => s.isDirectory(), () => false);
    if (!ok) throw new UsageError(`--${flag}: folder ${folder} does not exist`);
  }

  const saliency = await readGridFile(saliencyFile);
  if (saliency.width * saliency.height === 0) {
    throw new MetricError('evaluate', 'saliency', `${saliencyFile} has 0 pixels (${saliency.width}x${saliency.height}); it cannot be resized`);
  }
  checkGrid('evaluate', 'saliency', saliency);
  const image = await readImageFile(imageFile);
  await initTfNode(backend);
  const bundle = await loadModelBundle(modelDir);
  let pool: ForwardPool | null = null;
  try {
    // Worker threads for the forward passes (GAZEBENCH_THREADS, default every core).
    if (backend === 'wasm') pool = await maybeForwardPool(bundle.dir, poolSizeFromEnv());
    for (const note of bundle.notes) process.stderr.write(`evaluate: note: ${note}\n`);
    const result = await evaluateWithoutGroundTruth({
      bundle, image, saliency, metrics, classIndex,
      ...(step === undefined ? {} : { step }),
      ...(batchSize === undefined ? {} : { batchSize }),
      ...(roadSeed === undefined ? {} : { roadSeed }),
      pool,
      onProgress: progressPrinter(),
    });
    const json = `${JSON.stringify(result, null, 2)}\n`;
    const outputs: Array<readonly [string, string | Uint8Array]> = [];
    if (values.out !== undefined) outputs.push([values.out, json]);
    if (values.plot !== undefined) {
      const title = `class ${result.classIndex}: ${result.label}`;
      outputs.push([values.plot, curvePlotPng({ insertion: result.insertion, deletion: result.deletion, title })]);
    }
    await writeAll(outputs);
    if (values.out === undefined) process.stdout.write(json);
    return 0;
  } finally {
    await pool?.close();
    bundle.dispose();
  }
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await evaluate(argv);
  } catch (error) {
    // main() reports MetricError, UsageError, grid-file and file-system errors; these two are ours.
    if (error instanceof ModelBundleError || error instanceof ImageFileError) {
      process.stderr.write(`gazebench evaluate: ${error.message.split('\n')[0]}\n`);
      return 2;
    }
    throw error;
  }
}
