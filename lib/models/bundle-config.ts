/**
 * A bundle's settings (issue 4 "Models", issue 16): which of gazebench.json, Teachable Machine's
 * metadata.json or the model itself gives the labels, preprocessing and input size, the caller's
 * overrides on top (CLI flags), each checked against the model's input shape and class count; and
 * the check that a configured target layer exists (a name or a nested path, lib/models/split.ts).
 * Split out of bundle-core.ts unchanged: its createModelBundle calls both, createGraphModelBundle
 * `finishConfig`. Errors are ModelBundleErrors naming the file and key at fault.
 */
import type * as tf from '@tensorflow/tfjs';
import { CONFIG_JSON, METADATA_JSON, ModelBundleError, type BundleConfig, type CreateBundleOptions } from './bundle-core';
import type { MetadataConfig } from './metadata';
import { findLayerPath, ModelSplitError } from './split';

function fromMetadata(
  dir: string,
  metadata: MetadataConfig,
  shape: { h: number | null; w: number | null },
  numClasses: number,
  notes: string[],
): BundleConfig {
  const size = metadata.inputSize ?? (shape.h === null || shape.w === null ? null : ([shape.h, shape.w] as [number, number]));
  if (size === null) throw new ModelBundleError(dir, `${METADATA_JSON} imageSize`, 'absent, and the model input has no fixed height and width');
  const [h, w] = size;
  if ((shape.h !== null && shape.h !== h) || (shape.w !== null && shape.w !== w)) {
    throw new ModelBundleError(dir, `${METADATA_JSON} imageSize`, `${h} does not match the model input [${shape.h ?? '?'}, ${shape.w ?? '?'}]`);
  }
  if (metadata.labels.length !== numClasses) {
    throw new ModelBundleError(dir, `${METADATA_JSON} labels`, `${metadata.labels.length} labels for a model with ${numClasses} outputs`);
  }
  notes.push(`labels and inputSize [${h}, ${w}] from ${METADATA_JSON} (Teachable Machine), preprocessing "${metadata.preprocessing}" (centre crop, x/127 − 1)`);
  return { labels: [...metadata.labels], preprocessing: metadata.preprocessing, inputSize: [h, w] };
}

function baseConfig(
  dir: string,
  config: BundleConfig | null,
  shape: { h: number | null; w: number | null },
  numClasses: number,
  notes: string[],
  metadata: MetadataConfig | undefined,
): BundleConfig {
  if (config === null && metadata !== undefined) return fromMetadata(dir, metadata, shape, numClasses, notes);
  if (config === null) {
    if (shape.h === null || shape.w === null) {
      throw new ModelBundleError(dir, CONFIG_JSON, 'absent, and the model input has no fixed height and width: add gazebench.json with inputSize [h, w]');
    }
    notes.push(`no ${CONFIG_JSON}: inputSize [${shape.h}, ${shape.w}] taken from the model input, preprocessing "unit" (x/255) assumed, labels "0".."${numClasses - 1}"`);
    return { labels: Array.from({ length: numClasses }, (_, i) => String(i)), preprocessing: 'unit', inputSize: [shape.h, shape.w] };
  }
  const [h, w] = config.inputSize;
  if ((shape.h !== null && shape.h !== h) || (shape.w !== null && shape.w !== w)) {
    throw new ModelBundleError(dir, `${CONFIG_JSON} inputSize`, `[${h}, ${w}] does not match the model input [${shape.h ?? '?'}, ${shape.w ?? '?'}]`);
  }
  if (config.labels.length !== numClasses) {
    throw new ModelBundleError(dir, `${CONFIG_JSON} labels`, `${config.labels.length} labels for a model with ${numClasses} outputs`);
  }
  return config;
}

/** Throws ModelBundleError (field "gazebench.json targetLayer") when `name` names no layer of `model` (split.ts findLayerPath). */
export function checkTargetLayer(dir: string, model: tf.LayersModel, name: string): void {
  let path: string | null;
  try {
    path = findLayerPath(model, name);
  } catch (error) {
    if (error instanceof ModelSplitError) throw new ModelBundleError(dir, `${CONFIG_JSON} targetLayer`, error.message);
    throw error;
  }
  if (path === null) throw new ModelBundleError(dir, `${CONFIG_JSON} targetLayer`, `no layer named '${name}' in the model (a name, or a path such as outer/inner/layer in nested models)`);
}

/** The bundle's settings: gazebench.json, else metadata.json, else inferred; then the caller's overrides. */
export function finishConfig(
  dir: string,
  config: BundleConfig | null,
  shape: { h: number | null; w: number | null },
  numClasses: number,
  notes: string[],
  options: CreateBundleOptions,
): BundleConfig {
  const base = baseConfig(dir, config, shape, numClasses, notes, options.metadata);
  const { labels, preprocessing } = options.overrides ?? {};
  if (labels !== undefined && labels.length !== numClasses) {
    throw new ModelBundleError(dir, 'labels', `${labels.length} labels given for a model with ${numClasses} outputs`);
  }
  if (labels !== undefined) notes.push('labels given by the caller (they win over the files)');
  if (preprocessing !== undefined) notes.push(`preprocessing "${preprocessing}" given by the caller (it wins over the files)`);
  return { ...base, ...(labels === undefined ? {} : { labels: [...labels] }), ...(preprocessing === undefined ? {} : { preprocessing }) };
}
