/**
 * Model uploads (issue 7, "Models"), in two steps so a researcher sees test predictions before
 * anything is saved:
 *
 * 1. `stageModelBundle`: the multipart body (model.json, its weight shards, optional gazebench.json
 *    or Teachable Machine metadata.json, whose labels and input size are detected; the upload
 *    answer's `rewrites` lists what a Keras 3 model.json needed rewritten to load)
 *    is streamed into DATA_DIR/uploads/<uploadId>/bundle (lib/http/multipart.ts; cap
 *    GAZEBENCH_MAX_MODEL_BYTES), file names are checked (one safe path segment each), every shard
 *    the manifest names must be there (400 naming the missing ones) and hold exactly the bytes its
 *    weights need (422; TF.js itself would silently ignore extra bytes), and the bundle is loaded once
 *    with TF.js (wasm) to detect its input size, classes, head and layers, and which explanation
 *    methods can run on it (`methods`, lib/explainers/capability.ts: a graph model with control
 *    flow runs perturbation methods only; 422 only when no method can run). meta.json records the
 *    owner and the detection; staged uploads expire after STAGING_TTL_HOURS.
 * 2. `predictStaged` (any number of times) loads the bundle with candidate settings and returns
 *    the top-3 classes on a few dataset images; `finalizeModel` checks the settings the same way,
 *    renames the files into the content-addressed store and inserts the model row.
 *
 * Bundle digest (`models.sha256`): SHA-256 of the `sha256sum`-style listing of model.json and its
 * shards, sorted by name (`LC_ALL=C sha256sum model.json *.bin | sort -k2 | sha256sum`). The
 * served gazebench.json is generated from the model row, so it is not part of the digest.
 * Settings are tried in a private folder of hard links, so concurrent calls cannot see each
 * other's gazebench.json.
 */
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '@/db/client';
import { createModel, getModelBySlug, type ModelRow } from '@/db/queries/models';
import type { ModelFile } from '@/db/schema';
import { BUNDLE_FILE_NAME } from '@/lib/api/models';
import { HttpError } from '@/lib/http/errors';
import { receiveMultipart } from '@/lib/http/multipart';
import { decodeImage } from '@/lib/io/image-file';
import { uploadLimits } from '@/lib/limits';
import { readBlob, putBlobFile } from '@/lib/storage/blobs';
import { loadModelBundle, METADATA_JSON, ModelBundleError, type BundleConfig, type ConfigSource, type HeadActivation, type ModelBundle } from './bundle';
import { predictClass } from './predict';
import { initTfNode } from './tf-node';
import { methodsFor, type MethodCapabilityEntry } from '@/lib/explainers';
import { defaultFeatureLayer } from './split';
import { resolveTargetLayerIn } from './target-layer';
import { manifestGroups, manifestPaths } from './topology';

export const STAGING_TTL_HOURS = 24;
/** model.json is parsed in memory: bigger ones are refused. */
export const MAX_MODEL_JSON_BYTES = 64 * 1024 * 1024;
const MAX_BUNDLE_FILES = 500;
const MODEL_JSON = 'model.json';
const CONFIG_JSON = 'gazebench.json';
const TOP_K = 3;

export interface ModelSettings {
  labels: string[];
  preprocessing: BundleConfig['preprocessing'];
  inputSize: [number, number];
  targetLayer: string | null;
}

export interface StagedUpload {
  uploadId: string;
  ownerId: string;
  createdAt: string;
  expiresAt: string;
  format: 'layers-model' | 'graph-model';
  bytes: number;
  sha256: string;
  files: ModelFile[];
  detected: ModelSettings & { numClasses: number; head: HeadActivation; configSource: ConfigSource };
  /** Model card fields found in the uploaded gazebench.json (to prefill the form). */
  card: { name?: string; architecture?: string; trainingData?: string; license?: string };
  /** Layer names of a layers-model; for a graph model, its 4-D convolution nodes (CAM candidates), input first. */
  layers: string[];
  /** Every registered method and whether it can run on this model, and why not (lib/explainers/capability.ts). */
  methods: MethodCapabilityEntry[];
  notes: string[];
  /** Keras 3 forms rewritten in model.json to load it (bundle `rewrites`); the file is kept as uploaded. */
  rewrites: string[];
}

function uploadsRoot(dataDir: string): string {
  return path.join(dataDir, 'uploads');
}

function stagingDir(dataDir: string, uploadId: string): string {
  if (!/^[0-9a-f-]{36}$/.test(uploadId)) throw new HttpError(400, 'invalid_request', 'not an upload id', 'uploadId');
  return path.join(uploadsRoot(dataDir), uploadId);
}

export function bundleDigest(files: readonly ModelFile[]): string {
  const listing = [...files]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((f) => `${f.sha256}  ${f.name}\n`)
    .join('');
  return createHash('sha256').update(listing).digest('hex');
}

/** Removes staged uploads older than the TTL (best effort; called before each new upload). */
export async function pruneStagedUploads(dataDir: string, now = Date.now()): Promise<void> {
  const root = uploadsRoot(dataDir);
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const dir = path.join(/*turbopackIgnore: true*/ root, name);
    const info = await stat(dir).catch(() => null);
    if (info && now - info.mtimeMs > STAGING_TTL_HOURS * 3_600_000) await rm(dir, { recursive: true, force: true });
  }
}

function bundleError(error: ModelBundleError): HttpError {
  // "gazebench.json labels" → "labels": the settings are fields of the request.
  const field = error.field === 'weights' ? 'files' : error.field.replace(/^(gazebench|metadata)\.json /, '');
  const reason = error.message.replace(`model bundle ${error.dir}: `, '');
  return new HttpError(422, 'invalid_model', reason, field);
}

async function withBundle<T>(dir: string, fn: (bundle: ModelBundle) => Promise<T>): Promise<T> {
  await initTfNode('wasm');
  let bundle: ModelBundle;
  try {
    bundle = await loadModelBundle(dir);
  } catch (error) {
    if (error instanceof ModelBundleError) throw bundleError(error);
    throw error;
  }
  try {
    return await fn(bundle);
  } finally {
    bundle.dispose();
  }
}

/** The automatic CAM node of a graph that CAM methods can split (graph-analysis.ts), else null. */
function graphTargetNode(bundle: ModelBundle): string | null {
  const facts = bundle.graph;
  return facts === undefined || facts.dynamicOp !== null ? null : (facts.camCandidates.at(-1) ?? null);
}

function pickCard(json: unknown): StagedUpload['card'] {
  const out: StagedUpload['card'] = {};
  if (typeof json !== 'object' || json === null) return out;
  for (const key of ['name', 'architecture', 'trainingData', 'license'] as const) {
    const v = (json as Record<string, unknown>)[key];
    if (typeof v === 'string' && v.trim() !== '') out[key] = v.trim().slice(0, key === 'trainingData' ? 5000 : key === 'architecture' ? 2000 : 200);
  }
  return out;
}

async function readModelJson(file: string): Promise<unknown> {
  const info = await stat(file);
  if (info.size > MAX_MODEL_JSON_BYTES) throw new HttpError(413, 'too_large', `model.json is larger than ${MAX_MODEL_JSON_BYTES} bytes`, 'files');
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new HttpError(422, 'invalid_model', `model.json is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, 'model.json');
  }
}

/** Step 1: receive, check and detect. Throws HttpError; nothing stays staged on failure. */
export async function stageModelBundle(dataDir: string, ownerId: string, request: Request): Promise<StagedUpload> {
  await pruneStagedUploads(dataDir);
  const limits = uploadLimits();
  const uploadId = randomUUID();
  const dir = stagingDir(dataDir, uploadId);
  const bundleDir = path.join(/*turbopackIgnore: true*/ dir, 'bundle');
  await mkdir(bundleDir, { recursive: true });
  try {
    const names = new Set<string>();
    const received = await receiveMultipart(request, { maxFileBytes: limits.maxModelBytes, maxTotalBytes: limits.maxModelBytes, maxFiles: MAX_BUNDLE_FILES }, (filename) => {
      const name = filename.replace(/\\/g, '/').split('/').pop() ?? '';
      if (!BUNDLE_FILE_NAME.test(name)) throw new HttpError(400, 'invalid_request', `'${name.slice(0, 80)}' is not an acceptable bundle file name (letters, digits, . _ -)`, 'files');
      if (names.has(name)) throw new HttpError(400, 'invalid_request', `'${name}' is uploaded twice`, 'files');
      names.add(name);
      return path.join(/*turbopackIgnore: true*/ bundleDir, name);
    });
    const byName = new Map(received.files.map((f) => [path.basename(f.path), f]));
    if (!byName.has(MODEL_JSON)) throw new HttpError(400, 'invalid_request', 'model.json is missing from the upload', 'files');
    const modelJson = await readModelJson(path.join(bundleDir, MODEL_JSON));
    let shards: string[];
    try {
      shards = manifestPaths(modelJson);
    } catch (error) {
      throw new HttpError(422, 'invalid_model', `model.json: ${error instanceof Error ? error.message : String(error)}`, 'model.json');
    }
    const bad = shards.find((s) => !BUNDLE_FILE_NAME.test(s));
    if (bad !== undefined) throw new HttpError(422, 'invalid_model', `model.json names the shard '${bad}', which is not a plain file name`, 'model.json');
    const missing = [...new Set(shards)].filter((s) => !byName.has(s));
    if (missing.length > 0) throw new HttpError(400, 'missing_shard', `missing weight shard${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`, 'files');
    for (const [i, group] of manifestGroups(modelJson).entries()) {
      const held = group.paths.reduce((sum, p) => sum + (byName.get(p)?.bytes ?? 0), 0);
      if (group.bytes !== null && held !== group.bytes) {
        throw new HttpError(422, 'invalid_model', `weight group ${i} (${group.paths.join(', ')}): the shards hold ${held} bytes, model.json describes ${group.bytes}`, 'files');
      }
    }
    const notes: string[] = [];
    const kept = new Set([MODEL_JSON, CONFIG_JSON, METADATA_JSON, ...shards]);
    for (const name of byName.keys()) {
      if (kept.has(name)) continue;
      await rm(path.join(/*turbopackIgnore: true*/ bundleDir, name), { force: true });
      notes.push(`'${name}' is not part of the bundle (model.json does not name it) and was dropped`);
    }
    const files: ModelFile[] = [MODEL_JSON, ...new Set(shards)].map((name) => {
      const f = byName.get(name);
      if (!f) throw new Error(`stageModelBundle: ${name} vanished`);
      return { name, bytes: f.bytes, sha256: f.sha256 };
    });
    const card = byName.has(CONFIG_JSON) ? pickCard(await readModelJson(path.join(bundleDir, CONFIG_JSON)).catch(() => null)) : {};
    if (card.name === undefined && byName.has(METADATA_JSON)) {
      const metadata = await readModelJson(path.join(bundleDir, METADATA_JSON)).catch(() => null);
      const modelName = pickCard(typeof metadata === 'object' && metadata !== null ? { name: (metadata as Record<string, unknown>).modelName } : null).name;
      if (modelName !== undefined) card.name = modelName;
    }
    const detected = await withBundle(bundleDir, async (bundle) => ({
      format: bundle.format,
      layers: bundle.layersModel?.layers.map((l) => l.name) ?? [...(bundle.graph?.camCandidates ?? [])],
      methods: methodsFor(bundle),
      notes: [...bundle.notes],
      rewrites: [...bundle.rewrites],
      settings: {
        labels: [...bundle.config.labels],
        preprocessing: bundle.config.preprocessing,
        inputSize: [bundle.config.inputSize[0], bundle.config.inputSize[1]] as [number, number],
        // The explainers' automatic choice (split.ts; graph-analysis.ts for graph models), so that
        // the stored default is the layer they would use.
        targetLayer: bundle.config.targetLayer ?? (bundle.format === 'layers-model' && bundle.layersModel !== undefined ? defaultFeatureLayer(bundle.layersModel) : graphTargetNode(bundle)),
        numClasses: bundle.numClasses,
        head: bundle.head,
        configSource: bundle.configSource,
      },
    }));
    if (!detected.methods.some((m) => m.ok)) {
      throw new HttpError(422, 'invalid_model', `no explanation method can run on this model: ${detected.methods[0]?.reason ?? 'unknown reason'}`, 'model.json');
    }
    const now = new Date();
    const staged: StagedUpload = {
      uploadId, ownerId, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + STAGING_TTL_HOURS * 3_600_000).toISOString(),
      format: detected.format, bytes: files.reduce((s, f) => s + f.bytes, 0), sha256: bundleDigest(files), files,
      detected: detected.settings, card, layers: detected.layers, methods: detected.methods, notes: [...notes, ...detected.notes], rewrites: detected.rewrites,
    };
    await writeFile(path.join(/*turbopackIgnore: true*/ dir, 'meta.json'), JSON.stringify(staged));
    return staged;
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/** A staged upload, or undefined when it does not exist (or expired). */
export async function readStagedUpload(dataDir: string, uploadId: string): Promise<StagedUpload | undefined> {
  const text = await readFile(path.join(stagingDir(dataDir, uploadId), 'meta.json'), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const staged = JSON.parse(text) as StagedUpload;
  return Date.parse(staged.expiresAt) > Date.now() ? staged : undefined;
}

export function resolveSettings(staged: StagedUpload, given: Partial<ModelSettings>): ModelSettings {
  return {
    labels: given.labels ?? staged.detected.labels,
    preprocessing: given.preprocessing ?? staged.detected.preprocessing,
    inputSize: given.inputSize ?? staged.detected.inputSize,
    targetLayer: given.targetLayer === undefined ? staged.detected.targetLayer : given.targetLayer,
  };
}

/**
 * Loads the staged bundle with `settings` (in a private folder of hard links) and runs `fn` with
 * it and the target layer's full path. The target layer is checked by the explainers' rule
 * (target-layer.ts: exact path or unique bare name, 4-D output; for graphs, a node the CAM split
 * takes), the rule PATCH applies, not by the looser load-time check: the bundle is loaded without
 * it, then it is resolved.
 */
async function withSettings<T>(dataDir: string, staged: StagedUpload, settings: ModelSettings, fn: (bundle: ModelBundle, targetLayer: string | null) => Promise<T>): Promise<T> {
  const dir = stagingDir(dataDir, staged.uploadId);
  const trial = path.join(/*turbopackIgnore: true*/ dir, `try-${randomUUID()}`);
  await mkdir(trial);
  try {
    for (const f of staged.files) await link(path.join(/*turbopackIgnore: true*/ dir, 'bundle', f.name), path.join(/*turbopackIgnore: true*/ trial, f.name));
    const config = { labels: settings.labels, preprocessing: settings.preprocessing, inputSize: settings.inputSize };
    await writeFile(path.join(/*turbopackIgnore: true*/ trial, CONFIG_JSON), JSON.stringify(config));
    return await withBundle(trial, (bundle) => fn(bundle, settings.targetLayer ? resolveTargetLayerIn(bundle, settings.targetLayer, 422) : null));
  } finally {
    await rm(trial, { recursive: true, force: true });
  }
}

export interface TestImage {
  id: string;
  name: string;
  classLabel: string | null;
  sha256: string;
}

export interface TestPrediction {
  imageId: string;
  imageName: string;
  classLabel: string | null;
  top: { classIndex: number; label: string; probability: number }[];
}

/** Step 2: top-3 classes of the staged bundle with `settings` on `images`. */
export async function predictStaged(dataDir: string, staged: StagedUpload, settings: ModelSettings, images: readonly TestImage[]): Promise<TestPrediction[]> {
  return withSettings(dataDir, staged, settings, async (bundle) => {
    const out: TestPrediction[] = [];
    for (const img of images) {
      const decoded = await decodeImage(await readBlob(dataDir, img.sha256), img.name);
      const { probabilities } = await predictClass(bundle, decoded);
      const order = Array.from(probabilities.keys()).sort((a, b) => (probabilities[b] as number) - (probabilities[a] as number));
      const top = order.slice(0, TOP_K).map((i) => ({ classIndex: i, label: bundle.config.labels[i] ?? String(i), probability: probabilities[i] as number }));
      out.push({ imageId: img.id, imageName: img.name, classLabel: img.classLabel, top });
    }
    return out;
  });
}

export interface ModelCard {
  slug: string;
  name: string;
  architecture: string;
  trainingData: string;
  license: string;
  visibility: 'public' | 'private';
}

/** Step 3: checks the settings by loading, stores the files, inserts the model. */
export async function finalizeModel(db: Db, dataDir: string, staged: StagedUpload, card: ModelCard, settings: ModelSettings): Promise<ModelRow> {
  if (await getModelBySlug(db, card.slug)) throw new HttpError(409, 'slug_taken', `a model with the slug '${card.slug}' exists`, 'slug');
  const targetLayer = await withSettings(dataDir, staged, settings, async (_bundle, resolved) => resolved);
  const dir = stagingDir(dataDir, staged.uploadId);
  for (const f of staged.files) await putBlobFile(dataDir, path.join(/*turbopackIgnore: true*/ dir, 'bundle', f.name), f.sha256);
  const id = randomUUID();
  const row = await createModel(db, {
    id, slug: card.slug, name: card.name, architecture: card.architecture, trainingData: card.trainingData, license: card.license,
    format: staged.format === 'graph-model' ? 'graph' : 'layers', url: `/api/v1/models/${id}/files/${MODEL_JSON}`,
    labels: settings.labels, preprocessing: settings.preprocessing, inputHeight: settings.inputSize[0], inputWidth: settings.inputSize[1],
    targetLayer, ownerId: staged.ownerId, visibility: card.visibility, sha256: staged.sha256, bytes: staged.bytes, files: staged.files,
    rewrites: staged.rewrites, methods: staged.methods,
  });
  if (!row) throw new HttpError(409, 'slug_taken', `a model with the slug '${card.slug}' exists`, 'slug');
  await rm(dir, { recursive: true, force: true });
  return row;
}

/** gazebench.json for a stored model, generated from its row. */
export function bundleConfigOf(model: ModelRow): Record<string, unknown> {
  return {
    name: model.name,
    labels: model.labels,
    preprocessing: model.preprocessing,
    inputSize: [model.inputHeight, model.inputWidth],
    ...(model.targetLayer ? { targetLayer: model.targetLayer } : {}),
    architecture: model.architecture,
    trainingData: model.trainingData,
    license: model.license,
  };
}
