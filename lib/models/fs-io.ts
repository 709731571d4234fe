/**
 * A tf.io.IOHandler for a model folder on the local file system, the layout
 * `tf.loadLayersModel('http://…/model.json')` and tensorflowjs_converter use:
 * model.json (topology + weightsManifest) beside the weight shard files that
 * its weightsManifest names, paths relative to the folder.
 *
 * Matches the format of tfjs-node's `file://` handler (tfjs-node
 * `io/file_system.ts`, NodeFileSystem) without needing the native binding:
 * load reads every shard in manifest order; save writes model.json and one
 * `weights.bin`. Saving writes to a temporary folder beside the target and
 * renames the files in (weights first, model.json last), so a crash never
 * leaves a half-written file; other files in the folder are kept.
 */
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const MODEL_JSON = 'model.json';
const WEIGHTS_BIN = 'weights.bin';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

async function readModelJson(file: string): Promise<tf.io.ModelJSON> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`fileSystemHandler: cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`fileSystemHandler: ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (!isRecord(parsed) || !isRecord(parsed.modelTopology) || !Array.isArray(parsed.weightsManifest)) {
    throw new Error(`fileSystemHandler: ${file} is not a TF.js model.json (it needs a modelTopology object and a weightsManifest array)`);
  }
  return parsed as unknown as tf.io.ModelJSON;
}

/** Resolves a shard path named in model.json, refusing paths that leave the folder. */
function shardPath(dir: string, name: string, modelFile: string): string {
  const full = path.resolve(dir, name);
  const rel = path.relative(dir, full);
  if (typeof name !== 'string' || name === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new Error(`fileSystemHandler: weight shard path "${name}" in ${modelFile} is outside the model folder`);
  }
  return full;
}

async function loadShards(dir: string, manifest: tf.io.WeightsManifestConfig, modelFile: string): Promise<ArrayBuffer[]> {
  const buffers: ArrayBuffer[] = [];
  for (const group of manifest) {
    for (const name of group.paths) {
      const file = shardPath(dir, name, modelFile);
      let bytes: Buffer;
      try {
        bytes = await readFile(file);
      } catch (error) {
        throw new Error(`fileSystemHandler: weight shard "${name}" named in ${modelFile} is missing or unreadable (${file})`, {
          cause: error,
        });
      }
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  return buffers;
}

async function save(dir: string, artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
  if (!isRecord(artifacts.modelTopology) || artifacts.modelTopology instanceof ArrayBuffer) {
    throw new Error('fileSystemHandler: only models with a JSON topology can be saved');
  }
  const weightSpecs = artifacts.weightSpecs ?? [];
  const weights =
    artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData);
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology,
    format: artifacts.format,
    generatedBy: artifacts.generatedBy,
    convertedBy: artifacts.convertedBy,
    weightsManifest: [{ paths: [WEIGHTS_BIN], weights: weightSpecs }],
  };
  if (artifacts.trainingConfig !== undefined) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.signature !== undefined) modelJson.signature = artifacts.signature;
  if (artifacts.userDefinedMetadata !== undefined) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.modelInitializer !== undefined) modelJson.modelInitializer = artifacts.modelInitializer;

  const target = path.resolve(dir);
  await mkdir(path.dirname(target), { recursive: true });
  const tmp = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}-tmp-`));
  try {
    await writeFile(path.join(tmp, WEIGHTS_BIN), new Uint8Array(weights));
    await writeFile(path.join(tmp, MODEL_JSON), JSON.stringify(modelJson));
    await mkdir(target, { recursive: true });
    await rename(path.join(tmp, WEIGHTS_BIN), path.join(target, WEIGHTS_BIN));
    await rename(path.join(tmp, MODEL_JSON), path.join(target, MODEL_JSON));
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights }) };
}

/** IOHandler reading and writing `dir/model.json` and its weight files. */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  const folder = path.resolve(dir);
  return {
    load: async () => {
      const modelFile = path.join(folder, MODEL_JSON);
      const modelJson = await readModelJson(modelFile);
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers = await loadShards(folder, manifest, modelFile);
        // Joined here: TF.js 4.22's CompositeArrayBuffer assumes every shard
        // but the last has the first shard's size and misreads other splits.
        return [tf.io.getWeightSpecs(manifest), tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
    save: (artifacts) => save(folder, artifacts),
  };
}
