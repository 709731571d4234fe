/**
 * `gazebench sanity`: the model-randomisation sanity check (Adebayo et al. 2018; conventions in
 * lib/explainers/sanity.ts) for one image and one or more methods.
 *
 *   gazebench sanity --model <dir> --image <file> --method gradcam[,fem,…] [--layers K]
 *     [--class predicted|K] [--target logit|probability] [--layer NAME] [--seed N]
 *     [--param k=v …] [--batch B] [--out result.json] [--backend wasm|cpu]
 *
 * Output (JSON, to --out or stdout): {image, threshold, results: [{method, classIndex, flagged,
 * steps: [{randomized, spearman}]}]}. A one-line verdict per method goes to stderr.
 * Exit codes: 0 every method's map changed, 1 some method was flagged (its map did not change),
 * 2 bad input (one line on stderr, nothing written).
 */
import { mkdtemp, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ExplainerError } from '../explainers/index';
import { DEFAULT_SANITY_LAYERS, SANITY_UNCHANGED_RHO, sanityCheck } from '../explainers/sanity';
import { ImageFileError, readImageFile } from '../io/image-file';
import { loadModelBundle, ModelBundleError } from '../models/bundle';
import { initTfNode } from '../models/tf-node';
import { integer, parseMethods, parseTarget, progressPrinter, required, routeParams } from './explain-options';
import { UsageError } from './main';

const HELP = `Usage: gazebench sanity --model <bundle dir> --image <file> --method gradcam[,fem,…]
  [--layers K]                   randomise the top K layers with weights, one more per step (default ${DEFAULT_SANITY_LAYERS})
  [--class predicted|K]          class to explain (default: the model's prediction)
  [--target logit|probability]   model output explained (default logit)
  [--layer NAME]                 layer of CAM methods
  [--seed N]                     seed of the re-initialisation and of randomised methods (default 0)
  [--param k=v]                  method parameter, repeatable; 'method.k=v' for one method
  [--batch B]                    inputs per forward pass (default 16)
  [--out result.json]            write the JSON result there (default: stdout)
  [--backend wasm|cpu]           TF.js backend (default wasm)
A method is flagged when the Spearman rank correlation of its map before and after randomising
all K layers is at least ${SANITY_UNCHANGED_RHO}.
Exit codes: 0 all maps changed, 1 a method was flagged, 2 bad input (one line on stderr, nothing written).`;

async function sanity(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: 'string' }, image: { type: 'string' }, method: { type: 'string' }, layers: { type: 'string' },
      class: { type: 'string', default: 'predicted' }, target: { type: 'string', default: 'logit' }, layer: { type: 'string' },
      seed: { type: 'string' }, param: { type: 'string', multiple: true, default: [] }, batch: { type: 'string' },
      out: { type: 'string' }, backend: { type: 'string', default: 'wasm' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const modelDir = required('model', values.model);
  const imageFile = required('image', values.image);
  const methods = parseMethods(required('method', values.method));
  const target = parseTarget(values.class, values.target);
  const layers = values.layers === undefined ? DEFAULT_SANITY_LAYERS : integer('layers', values.layers, 1);
  const seed = values.seed === undefined ? 0 : integer('seed', values.seed, 0);
  const batchSize = values.batch === undefined ? undefined : integer('batch', values.batch, 1);
  const params = routeParams(values.param, methods);
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend: expected wasm or cpu, got '${backend}'`);
  if (values.out !== undefined) {
    const folder = path.dirname(path.resolve(values.out));
    if (!(await stat(folder).then((s) => s.isDirectory(), () => false))) throw new UsageError(`--out: folder ${folder} does not exist`);
  }
  const image = await readImageFile(imageFile);
  await initTfNode(backend);
  const bundle = await loadModelBundle(modelDir);
  const results = [];
  try {
    for (const method of methods) {
      const result = await sanityCheck({
        explainer: method, bundle, image, target, layers, seed, params: params.get(method.name) ?? {},
        ...(values.layer === undefined ? {} : { layer: values.layer }),
        ...(batchSize === undefined ? {} : { batchSize }),
        onStep: (step, total) => process.stderr.write(`sanity: ${method.name} — ${step === 0 ? 'original model' : `top ${step}/${total} layers randomised`}\n`),
        onProgress: progressPrinter('sanity', method.name),
      });
      const last = result.steps[result.steps.length - 1];
      process.stderr.write(`sanity: ${method.name}: Spearman ρ = ${last?.spearman.toFixed(3)} after ${layers} layer${layers === 1 ? '' : 's'} → ${result.flagged ? 'FLAGGED: the map did not change' : 'the map changed'}\n`);
      results.push({ method: result.method, classIndex: result.classIndex, flagged: result.flagged, steps: result.steps });
    }
  } finally {
    bundle.dispose();
  }
  const json = `${JSON.stringify({ image: path.resolve(imageFile), threshold: SANITY_UNCHANGED_RHO, results }, null, 2)}\n`;
  if (values.out === undefined) process.stdout.write(json);
  else {
    const target = path.resolve(values.out);
    const dir = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}-`));
    try {
      await writeFile(path.join(dir, 'result.json'), json);
      await rename(path.join(dir, 'result.json'), target);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  return results.some((r) => r.flagged) ? 1 : 0;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await sanity(argv);
  } catch (error) {
    if (error instanceof ModelBundleError || error instanceof ImageFileError || error instanceof ExplainerError) {
      process.stderr.write(`gazebench sanity: ${error.message.split('\n')[0]}\n`);
      return 2;
    }
    throw error;
  }
}
