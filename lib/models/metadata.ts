/**
 * Model settings from a `metadata.json` beside model.json (issue 16): Teachable Machine image
 * exports (@teachablemachine/image, `Metadata` in its src/custom-mobilenet.ts) write
 *   {"tfjsVersion", "tmVersion", "packageName", "packageVersion", "modelName", "timeStamp",
 *    "labels": [...], "userMetadata": {}, "imageSize": 224}
 * and feed their models a centre crop scaled x/127 − 1 (@teachablemachine/image 0.8.5
 * src/utils/tf.ts line 38, `div(127).sub(1)`; not x/127.5 − 1): our "teachable-machine" preset
 * (lib/models/preprocess.ts). Only `labels` is required
 * here; without `imageSize` the input size comes from the model. gazebench.json, when present,
 * wins (bundle-core.ts `finishConfig`). Errors are ModelBundleErrors naming the key.
 */
import { z } from 'zod';
import { METADATA_JSON, ModelBundleError, type Preprocessing } from './bundle-core';

/** Teachable Machine image models' metadata.json (@teachablemachine/image `Metadata`); other keys are ignored. */
export const teachableMetadataSchema = z.object({
  labels: z.array(z.string().min(1)).min(1),
  imageSize: z.number().int().positive().optional(),
  modelName: z.string().optional(),
  tmVersion: z.string().optional(),
  packageName: z.string().optional(),
});
/** Teachable Machine's centre crop and x/127 − 1 (preprocess.ts "teachable-machine"). */
export const TEACHABLE_MACHINE_PREPROCESSING: Preprocessing = 'teachable-machine';

/** Settings taken from a metadata.json: no input size when it names none. */
export interface MetadataConfig {
  readonly labels: string[];
  readonly preprocessing: Preprocessing;
  readonly inputSize?: [number, number];
  readonly modelName?: string;
}

/** Validates a parsed Teachable Machine metadata.json. */
export function parseMetadata(dir: string, json: unknown): MetadataConfig {
  const parsed = teachableMetadataSchema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ModelBundleError(dir, METADATA_JSON, issues.join('; '));
  }
  const { labels, imageSize, modelName } = parsed.data;
  return {
    labels, preprocessing: TEACHABLE_MACHINE_PREPROCESSING,
    ...(imageSize === undefined ? {} : { inputSize: [imageSize, imageSize] as [number, number] }),
    ...(modelName === undefined ? {} : { modelName }),
  };
}
