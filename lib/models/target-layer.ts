/**
 * The target layer names a stored model accepts (PATCH /api/v1/models/{id}): exactly those the
 * explainers accept — lib/models/split.ts `resolveFeatureLayer`: an exact layer path, a nested
 * model's path (its output's layer), or a bare name that is the last segment of exactly one path
 * (`out_relu` in a Teachable Machine export), with a 4-D (NHWC) output. The loaded model decides,
 * not model.json's topology, so that the route and the explainers cannot disagree; it is loaded
 * with TF.js from the blob store (lib/storage/model-bundles.ts). An unknown, ambiguous or non-4-D
 * name is a 400 whose detail lists the candidate paths (split.ts's message).
 */
import { HttpError } from '@/lib/http/errors';
import { modelBundleDir, type StoredModelFiles } from '@/lib/storage/model-bundles';
import { loadModelBundle } from './bundle';
import { ModelSplitError, resolveFeatureLayer } from './split';
import { initTfNode } from './tf-node';

/** The path `name` stands for in the stored model; throws HttpError 400 (field targetLayer) when the explainers would refuse it. */
export async function resolveStoredTargetLayer(dataDir: string, model: StoredModelFiles, name: string): Promise<string> {
  await initTfNode('wasm');
  // Without the stored target layer: a stale one must not stop the check of the new one.
  const bundle = await loadModelBundle(await modelBundleDir(dataDir, { ...model, targetLayer: null }));
  try {
    if (bundle.layersModel === undefined) throw new HttpError(400, 'invalid_request', 'graph models have no layers to target', 'targetLayer');
    return resolveFeatureLayer(bundle.layersModel, name).path;
  } catch (error) {
    if (error instanceof ModelSplitError) throw new HttpError(400, 'invalid_request', error.message, 'targetLayer');
    throw error;
  } finally {
    bundle.dispose();
  }
}
