/**
 * Model loading inside the explainer worker: the demo model from our own origin
 * (`/models/demo-shapes/model.json` and the gazebench.json — or Teachable Machine metadata.json —
 * beside it), or files the user picked, read with `tf.io.browserFiles` — they never leave the
 * browser. Layers topologies pass through `layersTopology` (Keras 3 forms rewritten; the notes
 * say what was). Both end in the platform-neutral
 * `createModelBundle` / `createGraphModelBundle` of lib/models/bundle-core.ts, the same code the
 * Node CLI uses, so a model behaves identically in both places.
 * Errors are ModelBundleErrors naming the file at fault (model.json, a missing shard, gazebench.json).
 */
import * as tf from '@tensorflow/tfjs';
import {
  CONFIG_JSON, createGraphModelBundle, createModelBundle, detectFormat, errorMessage, isRecord, layersTopology, METADATA_JSON, MODEL_JSON,
  ModelBundleError, parseBundleConfig, withTopology, type BundleConfig, type CreateBundleOptions, type ModelBundle,
} from '@/lib/models/bundle-core';
import { methodsFor } from '@/lib/explainers';
import { parseMetadata } from '@/lib/models/metadata';
import type { ModelInfo, ModelSource } from './protocol';

export interface LoadedModel {
  readonly bundle: ModelBundle;
  readonly info: ModelInfo;
}

function parseJson(name: string, field: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelBundleError(name, field, `not valid JSON: ${errorMessage(error)}`);
  }
}

/** Shard paths listed in model.json's weightsManifest. */
function manifestPaths(name: string, json: Record<string, unknown>): string[] {
  const paths: string[] = [];
  for (const group of json.weightsManifest as unknown[]) {
    const groupPaths = isRecord(group) && Array.isArray(group.paths) ? group.paths : null;
    if (groupPaths === null) throw new ModelBundleError(name, MODEL_JSON, 'weightsManifest entry without a paths array');
    for (const p of groupPaths) {
      if (typeof p !== 'string') throw new ModelBundleError(name, MODEL_JSON, `weight shard path ${JSON.stringify(p)} is not a string`);
      paths.push(p);
    }
  }
  return paths;
}

function displayName(raw: unknown, fallback: string): string {
  return isRecord(raw) && typeof raw.name === 'string' && raw.name.length > 0 ? raw.name : fallback;
}

async function fetchText(url: string, name: string, field: string, optional: boolean): Promise<string | null> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ModelBundleError(name, field, `cannot fetch ${url}: ${errorMessage(error)}`);
  }
  if (optional && response.status === 404) return null;
  if (!response.ok) throw new ModelBundleError(name, field, `cannot fetch ${url}: HTTP ${response.status}`);
  return response.text();
}

interface Parts {
  readonly name: string;
  readonly json: Record<string, unknown>;
  readonly rawConfig: unknown;
  /** Parsed metadata.json; only read when there is no gazebench.json. */
  readonly rawMetadata: unknown;
  readonly handler: tf.io.IOHandler;
}

async function fromUrl(url: string): Promise<Parts> {
  const name = url;
  const json = parseJson(name, MODEL_JSON, (await fetchText(url, name, MODEL_JSON, false)) as string);
  detectFormat(name, json);
  const configUrl = new URL(CONFIG_JSON, new URL(url, self.location.href)).pathname;
  const configText = await fetchText(configUrl, name, CONFIG_JSON, true);
  const rawConfig = configText === null ? null : parseJson(name, CONFIG_JSON, configText);
  let rawMetadata: unknown = null;
  if (rawConfig === null) {
    const metadataText = await fetchText(new URL(METADATA_JSON, new URL(url, self.location.href)).pathname, name, METADATA_JSON, true);
    rawMetadata = metadataText === null ? null : parseJson(name, METADATA_JSON, metadataText);
  }
  return { name, json: json as Record<string, unknown>, rawConfig, rawMetadata, handler: tf.io.http(url) };
}

async function fromFiles(modelJson: File, weights: readonly File[], config: File | null, metadata: File | null): Promise<Parts> {
  const name = modelJson.name;
  const json = parseJson(name, MODEL_JSON, await modelJson.text());
  detectFormat(name, json);
  // tf.io.browserFiles matches shards by base name; name every one that was not picked.
  const picked = new Set(weights.map((f) => f.name));
  const missing = manifestPaths(name, json as Record<string, unknown>).filter((p) => !picked.has(p.split('/').pop() ?? p));
  if (missing.length > 0) {
    throw new ModelBundleError(name, 'weights', `missing weight shard${missing.length > 1 ? 's' : ''}: ${missing.join(', ')} (pick them together with ${name})`);
  }
  const rawConfig = config === null ? null : parseJson(name, CONFIG_JSON, await config.text());
  const rawMetadata = metadata === null || rawConfig !== null ? null : parseJson(name, METADATA_JSON, await metadata.text());
  return { name, json: json as Record<string, unknown>, rawConfig, rawMetadata, handler: tf.io.browserFiles([modelJson, ...weights]) };
}

/** Loads a model bundle from the demo URL or from local files. */
export async function loadBrowserModel(source: ModelSource): Promise<LoadedModel> {
  const parts = source.kind === 'url' ? await fromUrl(source.url) : await fromFiles(source.modelJson, source.weights, source.config, source.metadata);
  const { name, json, rawConfig, rawMetadata, handler } = parts;
  const config: BundleConfig | null = rawConfig === null ? null : parseBundleConfig(name, rawConfig);
  const options: CreateBundleOptions = { name, ...(rawMetadata === null ? {} : { metadata: parseMetadata(name, rawMetadata) }) };
  const format = detectFormat(name, json);
  let bundle: ModelBundle;
  if (format === 'graph-model') {
    let model: tf.GraphModel;
    try {
      model = await tf.loadGraphModel(handler);
    } catch (error) {
      throw new ModelBundleError(name, MODEL_JSON, `cannot load the GraphModel: ${errorMessage(error)}`);
    }
    try {
      bundle = await createGraphModelBundle(model, json, config, options);
    } catch (error) {
      model.dispose();
      throw error;
    }
  } else {
    const { modelJson, rewrites } = layersTopology(name, json);
    let model: tf.LayersModel;
    try {
      model = await tf.loadLayersModel(rewrites.length === 0 ? handler : withTopology(handler, modelJson));
    } catch (error) {
      throw new ModelBundleError(name, MODEL_JSON, `cannot load the LayersModel: ${errorMessage(error)}`);
    }
    try {
      bundle = createModelBundle(model, config, { ...options, rewrites });
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  const info: ModelInfo = {
    name: displayName(rawConfig, name),
    format: bundle.format,
    labels: bundle.config.labels,
    inputSize: bundle.config.inputSize,
    preprocessing: bundle.config.preprocessing,
    numClasses: bundle.numClasses,
    targetLayer: bundle.config.targetLayer ?? null,
    configSource: bundle.configSource,
    notes: [...bundle.notes, ...bundle.rewrites.map((r) => `model.json rewritten for TF.js: ${r}`)],
    methods: methodsFor(bundle).map(({ method, ok, reason }) => ({ method, ok, ...(reason === undefined ? {} : { reason }) })),
  };
  return { bundle, info };
}
