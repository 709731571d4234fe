/**
 * Facts read from a TF.js model.json without loading the model (no TF.js here): the weight shard
 * paths its manifest names, the layer paths of a layers-model topology (Keras `model_config`,
 * Sequential or Functional, nested or not, as tensorflowjs_converter writes it). The default CAM
 * target layer is not guessed here: lib/models/split.ts `defaultFeatureLayer` decides it on the
 * loaded model (the upload stores what the explainers would pick).
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

interface LayerInfo {
  readonly name: string;
  readonly className: string;
}

/** Shard paths listed in weightsManifest, in order (throws on a malformed manifest). */
export function manifestPaths(modelJson: unknown): string[] {
  if (!isRecord(modelJson) || !Array.isArray(modelJson.weightsManifest)) throw new Error('model.json has no weightsManifest array');
  const out: string[] = [];
  for (const group of modelJson.weightsManifest) {
    if (!isRecord(group) || !Array.isArray(group.paths)) throw new Error('a weightsManifest entry has no paths array');
    for (const p of group.paths) {
      if (typeof p !== 'string') throw new Error(`weight shard path ${JSON.stringify(p)} is not a string`);
      out.push(p);
    }
  }
  return out;
}

const NESTED_CLASSES = new Set(['Sequential', 'Model', 'Functional']);

/** The layer list of a Sequential or Functional config (old Sequential layouts: the config is the list). */
function configLayers(config: unknown): unknown[] {
  return Array.isArray(config) ? config : isRecord(config) && Array.isArray(config.layers) ? config.layers : [];
}

function collectLayers(layers: readonly unknown[], prefix: string, out: LayerInfo[]): void {
  for (const layer of layers) {
    if (!isRecord(layer)) continue;
    const name = typeof layer.name === 'string' ? layer.name : isRecord(layer.config) && typeof layer.config.name === 'string' ? layer.config.name : null;
    if (name === null) continue;
    const className = typeof layer.class_name === 'string' ? layer.class_name : '';
    out.push({ name: `${prefix}${name}`, className });
    if (NESTED_CLASSES.has(className)) collectLayers(configLayers(layer.config), `${prefix}${name}/`, out);
  }
}

/**
 * Layers of a layers-model topology, nested models included (a Teachable Machine export is a
 * Sequential of Sequentials): `name` is the layer's path, the names of the nested models holding
 * it and its own joined by '/', as lib/models/split.ts names layers; a nested model comes before
 * its layers. [] for graph models or unknown layouts.
 */
export function topologyLayers(modelJson: unknown): LayerInfo[] {
  if (!isRecord(modelJson) || !isRecord(modelJson.modelTopology)) return [];
  const topology = modelJson.modelTopology;
  const modelConfig = isRecord(topology.model_config) ? topology.model_config : topology;
  const out: LayerInfo[] = [];
  collectLayers(configLayers(modelConfig.config), '', out);
  return out;
}

export function layerNames(modelJson: unknown): string[] {
  return topologyLayers(modelJson).map((l) => l.name);
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES: Record<string, number> = { uint8: 1, uint16: 2, float16: 2 };

export interface ManifestGroup {
  readonly paths: readonly string[];
  /** Bytes the group's weights take (tfjs-core io/io_utils decodeWeights), or null when unknown (string weights). */
  readonly bytes: number | null;
}

/** Per weightsManifest group: its shard paths and how many bytes its shards must hold together. */
export function manifestGroups(modelJson: unknown): ManifestGroup[] {
  manifestPaths(modelJson);
  const groups = (modelJson as { weightsManifest: { paths: string[]; weights?: unknown }[] }).weightsManifest;
  return groups.map((g) => {
    let bytes: number | null = 0;
    for (const w of Array.isArray(g.weights) ? g.weights : []) {
      if (!isRecord(w) || !Array.isArray(w.shape)) return { paths: g.paths, bytes: null };
      const q = isRecord(w.quantization) && typeof w.quantization.dtype === 'string' ? QUANTIZED_BYTES[w.quantization.dtype] : undefined;
      const size = q ?? (typeof w.dtype === 'string' ? DTYPE_BYTES[w.dtype] : undefined);
      if (size === undefined) return { paths: g.paths, bytes: null };
      const count = w.shape.reduce<number>((a, d) => a * (typeof d === 'number' ? d : NaN), 1);
      if (!Number.isFinite(count)) return { paths: g.paths, bytes: null };
      bytes = (bytes ?? 0) + count * size;
    }
    return { paths: g.paths, bytes };
  });
}
