/**
 * The target layer names a stored model accepts (PATCH /api/v1/models/{id}): exactly those the
 * explainers accept — lib/models/split.ts `resolveFeatureLayer`: an exact layer path, a nested
 * model's path (its output's layer), or a bare name that is the last segment of exactly one path
 * (`out_relu` in a Teachable Machine export), with a 4-D (NHWC) output. The loaded model decides,
 * not model.json's topology, so that the route and the explainers cannot disagree; it is loaded
 * with TF.js from the blob store (lib/storage/model-bundles.ts). An unknown, ambiguous or non-4-D
 * name is a 400 whose detail lists the candidate paths (split.ts's message). A graph model takes
 * a node name, checked as the CAM methods check it (lib/models/graph-split.ts: the node exists,
 * the output depends on it, and it gives a 4-D activation on a blank input).
 */
import { HttpError } from '@/lib/http/errors';
import { modelBundleDir, type StoredModelFiles } from '@/lib/storage/model-bundles';
import * as tf from '@tensorflow/tfjs';
import { loadModelBundle, type ModelBundle } from './bundle';
import { splitGraphModel } from './graph-split';
import { ModelSplitError, resolveFeatureLayer } from './split';
import { initTfNode } from './tf-node';

/** The path `name` stands for in the stored model; throws HttpError 400 (field targetLayer) when the explainers would refuse it. */
export async function resolveStoredTargetLayer(dataDir: string, model: StoredModelFiles, name: string): Promise<string> {
  await initTfNode('wasm');
  // Without the stored target layer: a stale one must not stop the check of the new one.
  const bundle = await loadModelBundle(await modelBundleDir(dataDir, { ...model, targetLayer: null }));
  try {
    return resolveTargetLayerIn(bundle, name, 400);
  } finally {
    bundle.dispose();
  }
}

/**
 * The path `name` stands for in a loaded `bundle` (loaded without a target layer), by the rule
 * above; throws HttpError `status` (field targetLayer) when the explainers would refuse it. Shared
 * by PATCH (400) and the upload's predict/save steps (422, as for their other settings).
 */
export function resolveTargetLayerIn(bundle: ModelBundle, name: string, status: 400 | 422): string {
  const code = status === 400 ? 'invalid_request' : 'invalid_model';
  try {
    if (bundle.format === 'graph-model') return checkGraphNode(bundle, name);
    if (bundle.layersModel === undefined) throw new HttpError(status, code, 'the model has no layers to target', 'targetLayer');
    return resolveFeatureLayer(bundle.layersModel, name).path;
  } catch (error) {
    if (error instanceof ModelSplitError) throw new HttpError(status, code, error.message, 'targetLayer');
    throw error;
  }
}

/** A graph node the CAM split accepts: its activation on a blank input must be 4-D. */
function checkGraphNode(bundle: ModelBundle, name: string): string {
  const split = splitGraphModel(bundle, name);
  const [height, width] = bundle.config.inputSize;
  tf.tidy(() => {
    split.features(tf.zeros([1, height, width, bundle.channels]) as tf.Tensor4D);
  });
  return split.layer;
}
