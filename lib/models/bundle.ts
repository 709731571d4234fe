/**
 * Model bundles from disk (Node): `loadModelBundle(dir)` reads a folder with a TF.js `model.json`
 * + weight shards and an optional `gazebench.json`, checks every file before TF.js sees it, and
 * hands the loaded model to the platform-neutral core (bundle-core.ts, re-exported here; the
 * browser uses `createModelBundle` from there directly). Conventions are in bundle-core.ts.
 * Every failure is a ModelBundleError naming the bundle, the field and the reason.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  CONFIG_JSON, createGraphModelBundle, createModelBundle, detectFormat, errorMessage, isRecord, MODEL_JSON, ModelBundleError,
  parseBundleConfig, type BundleConfig, type ModelBundle,
} from './bundle-core';
import { fileSystemHandler } from './fs-io';

export * from './bundle-core';

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

async function readConfig(dir: string): Promise<BundleConfig | null> {
  const exists = await stat(path.join(dir, CONFIG_JSON)).then(() => true, () => false);
  if (!exists) return null;
  return parseBundleConfig(dir, await readJson(dir, CONFIG_JSON));
}

async function loadLayers(dir: string, config: BundleConfig | null): Promise<ModelBundle> {
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(fileSystemHandler(dir));
  } catch (error) {
    throw new ModelBundleError(dir, MODEL_JSON, `cannot load the LayersModel: ${errorMessage(error)}`);
  }
  try {
    return createModelBundle(model, config, { name: dir });
  } catch (error) {
    model.dispose();
    throw error;
  }
}

async function loadGraph(dir: string, json: Record<string, unknown>, config: BundleConfig | null): Promise<ModelBundle> {
  let model: tf.GraphModel;
  try {
    model = await tf.loadGraphModel(fileSystemHandler(dir));
  } catch (error) {
    throw new ModelBundleError(dir, MODEL_JSON, `cannot load the GraphModel: ${errorMessage(error)}`);
  }
  try {
    return createGraphModelBundle(model, json, config, { name: dir });
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/**
 * Loads the bundle in `dir` (TF.js must be initialised, e.g. `initTfNode('wasm')`).
 * Throws ModelBundleError naming the field at fault.
 */
export async function loadModelBundle(dir: string): Promise<ModelBundle> {
  const folder = path.resolve(dir);
  const isDir = await stat(folder).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new ModelBundleError(folder, 'dir', 'not a directory');
  const json = await readJson(folder, MODEL_JSON);
  const format = detectFormat(folder, json);
  await checkShards(folder, (json as { weightsManifest: unknown[] }).weightsManifest);
  const config = await readConfig(folder);
  return format === 'graph-model' ? loadGraph(folder, json as Record<string, unknown>, config) : loadLayers(folder, config);
}
