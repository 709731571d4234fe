/**
 * Model bundles from disk (Node): `loadModelBundle(dir)` reads a folder with a TF.js `model.json`
 * + weight shards and an optional `gazebench.json` or Teachable Machine `metadata.json`, checks every file before TF.js sees it, and
 * hands the loaded model to the platform-neutral core (bundle-core.ts, re-exported here; the
 * browser uses `createModelBundle` from there directly). Conventions are in bundle-core.ts.
 * Every failure is a ModelBundleError naming the bundle, the field and the reason.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  CONFIG_JSON, createGraphModelBundle, createModelBundle, detectFormat, errorMessage, isRecord, layersTopology, METADATA_JSON, MODEL_JSON,
  ModelBundleError, parseBundleConfig, withTopology, type BundleConfig, type BundleOverrides, type CreateBundleOptions, type ModelBundle,
} from './bundle-core';
import { fileSystemHandler } from './fs-io';
import { parseMetadata, type MetadataConfig } from './metadata';

export * from './bundle-core';
export * from './metadata';

async function readJson(dir: string, file: string): Promise<unknown> {
  const full = path.join(dir, file);
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (error) {
    throw new ModelBundleError(dir, file, `cannot read ${full}: ${errorMessage(error)}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ModelBundleError(dir, file, `not valid JSON: ${errorMessage(error)}`);
  }
}

/** Names every shard listed in the manifest that is not a file in the folder. */
async function checkShards(dir: string, manifest: unknown[]): Promise<void> {
  const missing: string[] = [];
  for (const group of manifest) {
    const paths = isRecord(group) && Array.isArray(group.paths) ? group.paths : null;
    if (paths === null) throw new ModelBundleError(dir, MODEL_JSON, 'weightsManifest entry without a paths array');
    for (const name of paths) {
      if (typeof name !== 'string') throw new ModelBundleError(dir, MODEL_JSON, `weight shard path ${JSON.stringify(name)} is not a string`);
      const isFile = await stat(path.resolve(dir, name)).then((s) => s.isFile(), () => false);
      if (!isFile) missing.push(name);
    }
  }
  if (missing.length > 0) throw new ModelBundleError(dir, 'weights', `missing weight shard${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
}

async function exists(file: string): Promise<boolean> {
  return stat(file).then(() => true, () => false);
}

/** gazebench.json, else metadata.json (only read when gazebench.json is absent). */
async function readConfig(dir: string): Promise<{ config: BundleConfig | null; metadata?: MetadataConfig }> {
  if (await exists(path.join(dir, CONFIG_JSON))) return { config: parseBundleConfig(dir, await readJson(dir, CONFIG_JSON)) };
  if (await exists(path.join(dir, METADATA_JSON))) return { config: null, metadata: parseMetadata(dir, await readJson(dir, METADATA_JSON)) };
  return { config: null };
}

async function loadLayers(dir: string, json: Record<string, unknown>, config: BundleConfig | null, options: CreateBundleOptions): Promise<ModelBundle> {
  const { modelJson, rewrites } = layersTopology(dir, json);
  const handler = rewrites.length === 0 ? fileSystemHandler(dir) : withTopology(fileSystemHandler(dir), modelJson);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(handler);
  } catch (error) {
    throw new ModelBundleError(dir, MODEL_JSON, `cannot load the LayersModel: ${errorMessage(error)}`);
  }
  try {
    return createModelBundle(model, config, { ...options, name: dir, rewrites });
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function loadGraph(dir: string, json: Record<string, unknown>, config: BundleConfig | null, options: CreateBundleOptions): Promise<ModelBundle> {
  let model: tf.GraphModel;
  try {
    model = await tf.loadGraphModel(fileSystemHandler(dir));
  } catch (error) {
    throw new ModelBundleError(dir, MODEL_JSON, `cannot load the GraphModel: ${errorMessage(error)}`);
  }
  try {
    return await createGraphModelBundle(model, json, config, { ...options, name: dir });
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Loads the bundle in `dir` (TF.js must be initialised, e.g. `initTfNode('wasm')`); `overrides`
 * (CLI flags) win over gazebench.json and metadata.json.
 * Throws ModelBundleError naming the field at fault.
 */
export async function loadModelBundle(dir: string, overrides: BundleOverrides = {}): Promise<ModelBundle> {
  const folder = path.resolve(dir);
  const isDir = await stat(folder).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new ModelBundleError(folder, 'dir', 'not a directory');
  const json = await readJson(folder, MODEL_JSON);
  const format = detectFormat(folder, json);
  await checkShards(folder, (json as { weightsManifest: unknown[] }).weightsManifest);
  const { config, metadata } = await readConfig(folder);
  const options: CreateBundleOptions = { overrides, ...(metadata === undefined ? {} : { metadata }) };
  const record = json as Record<string, unknown>;
  return format === 'graph-model' ? loadGraph(folder, record, config, options) : loadLayers(folder, record, config, options);
}
