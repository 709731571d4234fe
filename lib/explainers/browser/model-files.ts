/**
 * Sorting the files a user picks for a local model bundle (issue 4, "Models"): `model.json`, the
 * weight shards it lists, an optional `gazebench.json` and an optional Teachable Machine
 * `metadata.json`. Pure (File objects in, File objects
 * out); the worker reads them with tf.io.browserFiles and names any shard that is missing.
 */
import type { ModelSource } from './protocol';

export type ModelFiles = Extract<ModelSource, { kind: 'files' }>;

/** The picked files as a model source, or the reason they are not one. */
export function sortModelFiles(files: readonly File[]): { ok: true; source: ModelFiles } | { ok: false; reason: string } {
  const config = files.filter((f) => f.name === 'gazebench.json');
  const metadata = files.filter((f) => f.name === 'metadata.json');
  const jsons = files.filter((f) => f.name.endsWith('.json') && f.name !== 'gazebench.json' && f.name !== 'metadata.json');
  const named = jsons.filter((f) => f.name === 'model.json');
  const modelJson = named.length === 1 ? named[0] : jsons.length === 1 ? jsons[0] : undefined;
  if (modelJson === undefined) {
    return {
      ok: false,
      reason: jsons.length === 0 ? 'pick the model.json of a TF.js model with its weight shards' : `several JSON files (${jsons.map((f) => f.name).join(', ')}): pick one model.json`,
    };
  }
  if (config.length > 1) return { ok: false, reason: 'more than one gazebench.json' };
  if (metadata.length > 1) return { ok: false, reason: 'more than one metadata.json' };
  const weights = files.filter((f) => f !== modelJson && !f.name.endsWith('.json'));
  return { ok: true, source: { kind: 'files', modelJson, weights, config: config[0] ?? null, metadata: metadata[0] ?? null } };
}
