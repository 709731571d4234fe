/**
 * `gazebench explain`: saliency maps of a TF.js model bundle for images, by any registered method
 * (lib/explainers/index.ts), headless in Node (issue 4, "Node CLI").
 *
 *   gazebench explain --model <dir> --image <file|dir> --method gradcam[,fem,…] --out <dir>
 *     [--class predicted|K] [--target logit|probability] [--layer NAME] [--seed N]
 *     [--param k=v …] [--batch B] [--format json,npy,png] [--backend wasm|cpu]
 *
 * Per image and method, `<out>/<image-stem>.<method>.<ext>`:
 *  - json: {method, params, classIndex, label, output, score, layer?, width, height, data, raw?,
 *    extras?}; `data` is the map at the model's input resolution, row-major, min-max scaled to
 *    [0, 1] (constant → zeros, lib/imaging normalizeForOutput); `raw` the CAM at feature
 *    resolution, scaled likewise (pytorch-grad-cam `scale_cam_image`); `score` the target output.
 *  - npy: `data` as float32 (height, width).
 *  - png: the image resized to the input resolution with the jet-coloured map over it at
 *    opacity 0.5 (pytorch-grad-cam `show_cam_on_image` image_weight 0.5).
 * Methods the model cannot run (capability.ts: no gradients or CAM on a graph with control flow, no
 * CAM without a conv layer or node) and a --layer that is not there are refused before the first image.
 * Everything is written to a temporary folder and moved into --out only when all images and
 * methods succeeded, so bad input (exit 2, one line on stderr) writes nothing. Progress: stderr.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { assertCanRun, EXPLAINERS, ExplainerError, POOLED_METHODS, resolveCamLayer, type Explanation } from '../explainers/index';
import { applyColormap, blendOver } from '../imaging/colormap';
import { normalizeForOutput } from '../imaging/normalize';
import type { Preprocessing } from '../models/bundle-core';
import { inputPlane } from '../models/preprocess';
import { ImageFileError, readImageFile, type DecodedImage } from '../io/image-file';
import { writeNpy } from '../io/npy';
import { encodePng } from '../io/png';
import { loadModelBundle, ModelBundleError, PREPROCESSING_PRESETS } from '../models/bundle';
import { maybeForwardPool, poolSizeFromEnv, type ForwardPool } from '../models/forward-pool';
import { initTfNode } from '../models/tf-node';
import { bundleOverrides, integer, listImages, parseMethods, parseTarget, progressPrinter, required, routeParams, stagedFolder } from './explain-options';
import { UsageError } from './main';

const FORMATS = ['json', 'npy', 'png'] as const;
type Format = (typeof FORMATS)[number];
const OVERLAY_OPACITY = 0.5;

function help(): string {
  const width = Math.max(...Object.keys(EXPLAINERS).map((n) => n.length));
  const methods = Object.values(EXPLAINERS).map((e) => `  ${e.name.padEnd(width)}  ${e.description}${Object.keys(e.defaults).length > 0 ? ` (params: ${Object.entries(e.defaults).map(([k, v]) => `${k}=${String(v)}`).join(', ')})` : ''}`);
  return `Usage: gazebench explain --model <bundle dir> --image <file|dir> --method gradcam[,fem,…] --out <dir>
  [--class predicted|K]          class to explain (default: the model's prediction)
  [--target logit|probability]   model output explained (default logit)
  [--layer NAME]                 layer of CAM methods, a name or a path into nested models such as
                                 sequential_1/model1/out_relu (default: gazebench.json targetLayer, else the
                                 last conv layer, nested models included); graph models: a node name
                                 (default: the last 4-D convolution node before pooling)
  [--preprocessing NAME]         ${PREPROCESSING_PRESETS.join('|')} (default: gazebench.json, else metadata.json, else unit)
  [--labels a,b,…]               class labels (default: gazebench.json, else metadata.json, else 0..n-1)
  [--seed N]                     seed of randomised methods (default 0)
  [--param k=v]                  method parameter, repeatable; 'method.k=v' for one method; 'preset=NAME'
  [--batch B]                    inputs per forward pass (default 16)
  [--format json,npy,png]        files per image and method (default json)
  [--backend wasm|cpu]           TF.js backend (default wasm)
Environment: GAZEBENCH_THREADS worker threads for the forward passes of ${[...POOLED_METHODS].join(', ')} (wasm; default every
  core, 1 = none; same maps either way); GAZEBENCH_WASM_THREADS XNNPACK threads of this thread's backend (default 1).
Writes <out>/<image-stem>.<method>.<format>; maps min-max scaled to [0, 1].
Exit codes: 0 success, 2 bad input (one line on stderr, nothing written).
Methods:
${methods.join('\n')}`;
}

function parseFormats(text: string): Format[] {
  const names = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (names.length === 0) throw new UsageError(`--format: empty list (choose from ${FORMATS.join(', ')})`);
  for (const n of names) if (!(FORMATS as readonly string[]).includes(n)) throw new UsageError(`--format: unknown format '${n}' (choose from ${FORMATS.join(', ')})`);
  return names as Format[];
}

/**
 * The image as the model input of width × height holds it (preprocess.ts `inputPlane`: bilinear
 * resize, or Teachable Machine's centre crop), opaque RGBA: the pixels the map explains.
 */
function resizedRgba(image: DecodedImage, width: number, height: number, preset: Preprocessing): Uint8Array {
  const out = new Uint8Array(width * height * 4).fill(255);
  const n = image.width * image.height;
  for (let c = 0; c < 3; c++) {
    const plane = new Float64Array(n);
    for (let i = 0; i < n; i++) plane[i] = image.rgba[i * 4 + c] as number;
    const r = inputPlane(plane, image.width, image.height, preset, width, height);
    for (let i = 0; i < width * height; i++) out[i * 4 + c] = Math.min(255, Math.max(0, Math.round(r[i] as number)));
  }
  return out;
}

/** Typed arrays (LIME's weights, segment maps) as JSON arrays. */
const jsonReplacer = (_key: string, value: unknown): unknown => (ArrayBuffer.isView(value) && !(value instanceof DataView) ? Array.from(value as unknown as ArrayLike<number>) : value);

export function explanationJson(result: Explanation, label: string, output: string): string {
  const data = normalizeForOutput(result.map);
  const raw = result.raw === undefined ? undefined : normalizeForOutput(result.raw);
  return `${JSON.stringify({
    method: result.method, params: result.params, classIndex: result.classIndex, label, output, score: result.score,
    ...(result.layer === undefined ? {} : { layer: result.layer }),
    width: data.width, height: data.height, data: Array.from(data.data),
    ...(raw === undefined ? {} : { raw: { width: raw.width, height: raw.height, data: Array.from(raw.data) } }),
    ...(result.extras === undefined ? {} : { extras: result.extras }),
  }, jsonReplacer)}\n`;
}

async function explain(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      model: { type: 'string' }, image: { type: 'string' }, method: { type: 'string' }, out: { type: 'string' },
      class: { type: 'string', default: 'predicted' }, target: { type: 'string', default: 'logit' }, layer: { type: 'string' },
      seed: { type: 'string' }, param: { type: 'string', multiple: true, default: [] }, batch: { type: 'string' },
      format: { type: 'string', default: 'json' }, backend: { type: 'string', default: 'wasm' }, help: { type: 'boolean', short: 'h' },
      preprocessing: { type: 'string' }, labels: { type: 'string' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${help()}\n`);
    return 0;
  }
  const modelDir = required('model', values.model);
  const imageInput = required('image', values.image);
  const methods = parseMethods(required('method', values.method));
  const outDir = required('out', values.out);
  const target = parseTarget(values.class, values.target);
  const seed = values.seed === undefined ? undefined : integer('seed', values.seed, 0);
  const batchSize = values.batch === undefined ? undefined : integer('batch', values.batch, 1);
  const formats = parseFormats(values.format);
  const params = routeParams(values.param, methods);
  if (values.layer === '') throw new UsageError('--layer: empty name');
  const overrides = bundleOverrides(values.preprocessing, values.labels);
  const backend = values.backend;
  if (backend !== 'wasm' && backend !== 'cpu') throw new UsageError(`--backend: expected wasm or cpu, got '${backend}'`);

  const files = await listImages(imageInput);
  const images: Array<[string, DecodedImage]> = [];
  for (const file of files) images.push([path.parse(file).name, await readImageFile(file)]);
  const staged = await stagedFolder(outDir);
  try {
    await initTfNode(backend);
    const bundle = await loadModelBundle(modelDir, overrides);
    let pool: ForwardPool | null = null;
    try {
      // Worker threads (GAZEBENCH_THREADS, default every core) only when a method can use them.
      if (backend === 'wasm' && methods.some((m) => POOLED_METHODS.has(m.name))) pool = await maybeForwardPool(bundle.dir, poolSizeFromEnv());
      for (const note of bundle.notes) process.stderr.write(`explain: note: ${note}\n`);
      for (const rewrite of bundle.rewrites) process.stderr.write(`explain: note: model.json rewritten for TF.js: ${rewrite}\n`);
      // Refuse before the first image what cannot run on this model (a graph with control flow has
      // no gradients; a model without a conv layer or node has no CAM), and a --layer that is not there.
      for (const method of methods) {
        assertCanRun(bundle, method);
        if (method.kind === 'cam') resolveCamLayer(method.name, bundle, values.layer);
      }
      for (const [stem, image] of images) {
        for (const method of methods) {
          const result = await method.explain({
            bundle, image, target, params: params.get(method.name) ?? {},
            ...(values.layer === undefined ? {} : { layer: values.layer }),
            ...(seed === undefined ? {} : { seed }),
            ...(batchSize === undefined ? {} : { batchSize }),
            pool,
            onProgress: progressPrinter('explain', `${stem} ${method.name}`),
          });
          const base = `${stem}.${method.name}`;
          const label = bundle.config.labels[result.classIndex] ?? String(result.classIndex);
          if (formats.includes('json')) await staged.write(`${base}.json`, explanationJson(result, label, target.output));
          const scaled = normalizeForOutput(result.map);
          if (formats.includes('npy')) await staged.write(`${base}.npy`, writeNpy(scaled, 'float32'));
          if (formats.includes('png')) {
            const overlay = blendOver(resizedRgba(image, scaled.width, scaled.height, bundle.config.preprocessing), applyColormap(scaled, 'jet'), OVERLAY_OPACITY);
            await staged.write(`${base}.png`, encodePng({ width: scaled.width, height: scaled.height, data: new Uint8Array(overlay.buffer) }));
          }
        }
      }
    } finally {
      await pool?.close();
      bundle.dispose();
    }
    const written = await staged.commit();
    process.stderr.write(`explain: wrote ${written.length} file${written.length === 1 ? '' : 's'} to ${path.resolve(outDir)}\n`);
    return 0;
  } catch (error) {
    await staged.discard();
    throw error;
  }
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await explain(argv);
  } catch (error) {
    // main() reports UsageError, parse and file-system errors; these are ours.
    if (error instanceof ModelBundleError || error instanceof ImageFileError || error instanceof ExplainerError) {
      process.stderr.write(`gazebench explain: ${error.message.split('\n')[0]}\n`);
      return 2;
    }
    throw error;
  }
}
