/**
 * Keras 3 → tfjs-layers 4.22 topology normaliser (issue 16; tfjs issues #8328, #8358, #8494).
 * Pure: operates on a parsed model.json, no TF.js. tensorflowjs_converter run under Keras 3
 * (TensorFlow ≥ 2.16) writes the Keras 3 serialisation (keras/src/saving/serialization_lib.py
 * `serialize_keras_object`, keras/src/models/functional.py `get_config`/`serialize_node`), which
 * tfjs-layers' Container.fromConfig (engine/container.ts) does not read. Rewrites:
 *  - InputLayer `batch_shape` → `batch_input_shape` (Keras 3 InputLayer.get_config); `optional: false` dropped.
 *  - `dtype` as a DTypePolicy object {class_name: DTypePolicy|FloatDTypePolicy, config: {name}} →
 *    the policy's name; mixed_float16/mixed_bfloat16 → "float32" (TF.js computes in float32).
 *  - inbound nodes {args, kwargs} whose args hold `__keras_tensor__` objects (keras_history =
 *    [layer, node, tensor]) → the legacy [[layer, node, tensor, kwargs], …], tensors in
 *    depth-first order (Keras `tree.flatten`), so Add/Concatenate get their list of inputs.
 *    A nested Sequential has no built-in node in Keras 3 (functional.py counts one only for
 *    Functional) but has one in tfjs-layers (models.ts `add`), so its node indices gain 1.
 *  - input_layers/output_layers given as one [layer, node, tensor] (a model built on a single
 *    tensor) or a dict (sorted keys, as Keras flattens dicts) → a list of them.
 *  - `module`, `registered_name`, `build_config`, `compile_config` keys dropped; regularizers
 *    L1/L2 → L1L2; initializers LecunNormal/LecunUniform → TF.js's LeCunNormal/LeCunUniform.
 *  - a Keras 3 `trainingConfig` is dropped: it is not in the Keras 2 form TF.js reads, and
 *    bundles only run inference.
 * A topology with none of these forms is returned as the same object (rewrites empty). Forms
 * TF.js cannot honour (grouped convolutions, keepdims pooling, quantized dtype policies, tensors
 * in call kwargs, layer classes TF.js does not register) throw a one-line TopologyError.
 */

export class TopologyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TopologyError';
  }
}

export interface NormalizeOptions {
  /** Layer class names TF.js registers; unknown classes are reported (skipped when absent). */
  readonly knownClasses?: ReadonlySet<string>;
}

export interface NormalizedTopology {
  readonly modelJson: Record<string, unknown>;
  /** One line per kind of rewrite, naming the layers; empty when nothing changed. */
  readonly rewrites: string[];
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MODEL_CLASSES = new Set(['Functional', 'Model', 'Sequential']);
const DTYPE_POLICIES = new Set(['DTypePolicy', 'FloatDTypePolicy', 'Policy']);
const KERAS3_KEYS = ['module', 'registered_name', 'build_config', 'compile_config'] as const;
const INITIALIZER_NAMES: Record<string, string> = { LecunNormal: 'LeCunNormal', LecunUniform: 'LeCunUniform' };
/** Names shown per rewrite before "…". */
const MAX_NAMED = 5;

/** Collects the rewrites by kind, with the layers each applied to. */
class Log {
  private readonly byKind = new Map<string, Set<string>>();
  add(kind: string, layer: string): void {
    const set = this.byKind.get(kind) ?? new Set<string>();
    set.add(layer);
    this.byKind.set(kind, set);
  }
  lines(): string[] {
    return [...this.byKind].map(([kind, layers]) => {
      const names = [...layers];
      const shown = names.slice(0, MAX_NAMED).map((n) => `'${n}'`).join(', ');
      return `${kind} (${names.length} layer${names.length === 1 ? '' : 's'}: ${shown}${names.length > MAX_NAMED ? ', …' : ''})`;
    });
  }
}

function layerName(entry: Json): string {
  if (typeof entry.name === 'string') return entry.name;
  return isRecord(entry.config) && typeof entry.config.name === 'string' ? entry.config.name : '(unnamed)';
}

function isKerasTensor(value: unknown): value is Json & { config: Json } {
  return isRecord(value) && value.class_name === '__keras_tensor__' && isRecord(value.config);
}

/** Rewrites Keras 3 serialised objects (dtype policies, initializers, regularizers) anywhere below `value`. */
function normalizeValues(value: unknown, key: string, layer: string, log: Log): unknown {
  if (Array.isArray(value)) return value.map((v) => normalizeValues(v, key, layer, log));
  if (!isRecord(value)) return value;
  const className = value.class_name;
  if (typeof className === 'string' && DTYPE_POLICIES.has(className) && isRecord(value.config) && typeof value.config.name === 'string') {
    const name = value.config.name;
    if (name.startsWith('mixed_')) {
      log.add(`dtype: mixed-precision policy ${name} → "float32"`, layer);
      return 'float32';
    }
    log.add('dtype: DTypePolicy object → dtype string', layer);
    return name;
  }
  if (typeof className === 'string' && className.endsWith('DTypePolicy')) {
    throw new TopologyError(`layer '${layer}': dtype policy ${className} is not supported by TF.js (quantized layers)`);
  }
  const out: Json = {};
  let changed = false;
  for (const [k, v] of Object.entries(value)) {
    if ((KERAS3_KEYS as readonly string[]).includes(k) && typeof className === 'string' && 'config' in value) {
      changed = true;
      continue;
    }
    out[k] = normalizeValues(v, k, layer, log);
  }
  if (changed) log.add('module/registered_name keys of serialised objects dropped', layer);
  if (key.endsWith('_regularizer') && (className === 'L1' || className === 'L2') && isRecord(value.config)) {
    const factor = value.config[className === 'L1' ? 'l1' : 'l2'];
    log.add(`regularizer ${className} → L1L2`, layer);
    return { class_name: 'L1L2', config: { l1: className === 'L1' ? factor : 0, l2: className === 'L2' ? factor : 0 } };
  }
  if (key.endsWith('_initializer') && typeof className === 'string' && INITIALIZER_NAMES[className] !== undefined) {
    log.add(`initializer ${className} → ${INITIALIZER_NAMES[className]}`, layer);
    out.class_name = INITIALIZER_NAMES[className];
  }
  return out;
}

/** Keras tensors of a node's args in depth-first order (lists in order, dicts by sorted key). */
function collectTensors(value: unknown, out: Json[]): void {
  if (isKerasTensor(value)) out.push(value.config);
  else if (Array.isArray(value)) for (const v of value) collectTensors(v, out);
  else if (isRecord(value)) for (const k of Object.keys(value).sort()) collectTensors(value[k], out);
}

function containsTensor(value: unknown): boolean {
  const found: Json[] = [];
  collectTensors(value, found);
  return found.length > 0;
}

interface ModelContext {
  /** Class names of the model's layers, by layer name. */
  readonly classes: ReadonlyMap<string, string>;
  readonly log: Log;
}

/** Keras 3 reference [layer, node, tensor] → the tfjs one (nested Sequential: node + 1). */
function reference(history: unknown, ctx: ModelContext, layer: string): [string, number, number] {
  if (!Array.isArray(history) || history.length !== 3 || typeof history[0] !== 'string' || typeof history[1] !== 'number' || typeof history[2] !== 'number') {
    throw new TopologyError(`layer '${layer}': keras_history ${JSON.stringify(history)} is not [layer, node, tensor]`);
  }
  const [name, node, tensor] = history as [string, number, number];
  if (ctx.classes.get(name) === 'Sequential') {
    ctx.log.add('node index of a nested Sequential + 1 (TF.js gives it a built-in node)', layer);
    return [name, node + 1, tensor];
  }
  return [name, node, tensor];
}

function normalizeNode(node: unknown, ctx: ModelContext, layer: string): unknown {
  if (Array.isArray(node) || !isRecord(node)) return node;
  const tensors: Json[] = [];
  collectTensors(node.args, tensors);
  const kwargs: Json = {};
  for (const [k, v] of Object.entries(isRecord(node.kwargs) ? node.kwargs : {})) {
    if (containsTensor(v)) throw new TopologyError(`layer '${layer}': call argument '${k}' is a tensor, which TF.js model configs cannot express`);
    if (v !== null) kwargs[k] = v;
  }
  if (tensors.length === 0) throw new TopologyError(`layer '${layer}': an inbound node has no input tensor`);
  ctx.log.add('inbound_nodes: Keras 3 {args, kwargs} → [[layer, node, tensor, kwargs]]', layer);
  return tensors.map((t) => [...reference(t.keras_history, ctx, layer), kwargs]);
}

function normalizeEndpoints(value: unknown, key: string, ctx: ModelContext, model: string): unknown {
  const isTriple = (v: unknown): boolean => Array.isArray(v) && v.length === 3 && typeof v[0] === 'string';
  if (isTriple(value)) {
    ctx.log.add(`${key}: a single [layer, node, tensor] → a list of them`, model);
    return [value];
  }
  if (isRecord(value)) {
    ctx.log.add(`${key}: a dict of inputs/outputs → a list (sorted keys)`, model);
    return Object.keys(value).sort().map((k) => value[k]);
  }
  return value;
}

function checkLayer(className: string, config: Json, name: string, known: ReadonlySet<string> | undefined, unknown: string[]): void {
  if (known !== undefined && !known.has(className)) unknown.push(`${className} (layer '${name}')`);
  if (typeof config.groups === 'number' && config.groups !== 1) {
    throw new TopologyError(`layer '${name}': ${className} with groups=${config.groups} is not supported by TF.js`);
  }
  if (config.keepdims === true && className.startsWith('Global')) {
    throw new TopologyError(`layer '${name}': ${className} with keepdims=true is not supported by TF.js`);
  }
}

/** Normalises one layer entry {class_name, config, name?, inbound_nodes?} in place of a copy. */
function normalizeLayer(entry: Json, ctx: ModelContext | null, known: ReadonlySet<string> | undefined, unknown: string[], log: Log): Json {
  const name = layerName(entry);
  const className = typeof entry.class_name === 'string' ? entry.class_name : '';
  const out: Json = {};
  for (const [k, v] of Object.entries(entry)) {
    if ((KERAS3_KEYS as readonly string[]).includes(k)) {
      log.add('module/registered_name/build_config keys of layers dropped', name);
      continue;
    }
    out[k] = v;
  }
  if (MODEL_CLASSES.has(className) && isRecord(entry.config)) {
    out.config = normalizeModelConfig(className, entry.config, known, unknown, log);
  } else {
    if (isRecord(entry.config)) {
      let config = normalizeValues(entry.config, 'config', name, log) as Json;
      checkLayer(className, config, name, known, unknown);
      if (className === 'InputLayer') config = normalizeInputLayer(config, name, log);
      // Wrappers (TimeDistributed, Bidirectional) hold a layer entry.
      const inner = config.layer;
      if (isRecord(inner)) config = { ...config, layer: normalizeLayer(inner, null, known, unknown, log) };
      out.config = config;
    }
  }
  if (ctx !== null && Array.isArray(entry.inbound_nodes)) out.inbound_nodes = entry.inbound_nodes.map((n) => normalizeNode(n, ctx, name));
  return out;
}

function normalizeInputLayer(config: Json, name: string, log: Log): Json {
  const out: Json = { ...config };
  if ('batch_shape' in out && !('batch_input_shape' in out)) {
    out.batch_input_shape = out.batch_shape;
    delete out.batch_shape;
    log.add('InputLayer batch_shape → batch_input_shape', name);
  }
  if (out.optional === true) throw new TopologyError(`layer '${name}': optional inputs are not supported by TF.js`);
  if (out.optional === false) {
    delete out.optional;
    log.add('InputLayer optional: false dropped', name);
  }
  return out;
}

function normalizeModelConfig(className: string, config: Json, known: ReadonlySet<string> | undefined, unknown: string[], log: Log): Json {
  const modelName = typeof config.name === 'string' ? config.name : className;
  const layers = Array.isArray(config.layers) ? config.layers : [];
  const classes = new Map<string, string>();
  for (const l of layers) if (isRecord(l)) classes.set(layerName(l), typeof l.class_name === 'string' ? l.class_name : '');
  const ctx: ModelContext = { classes, log };
  const out: Json = {};
  for (const [k, v] of Object.entries(config)) {
    if (k === 'layers') out.layers = layers.map((l) => (isRecord(l) ? normalizeLayer(l, className === 'Sequential' ? null : ctx, known, unknown, log) : l));
    else if (k === 'input_layers' || k === 'output_layers') out[k] = normalizeEndpoints(v, k, ctx, modelName);
    else if (k === 'dtype') out[k] = normalizeValues(v, k, modelName, log);
    else out[k] = v;
  }
  if (keras3OutputsNameSequential(config, out, classes)) {
    out.output_layers = (out.output_layers as unknown[]).map((r) => (Array.isArray(r) ? reference(r, ctx, modelName) : r));
  }
  return out;
}

/** Keras 3 output_layers naming a nested Sequential need the same node shift as inbound nodes. */
function keras3OutputsNameSequential(original: Json, out: Json, classes: ReadonlyMap<string, string>): boolean {
  const keras3 = Array.isArray(original.layers) && original.layers.some((l) => isRecord(l) && Array.isArray(l.inbound_nodes) && l.inbound_nodes.some((n) => isRecord(n)));
  return keras3 && Array.isArray(out.output_layers) && out.output_layers.some((r) => Array.isArray(r) && classes.get(r[0] as string) === 'Sequential');
}

/**
 * Rewrites the Keras 3 forms of a layers-model model.json into those tfjs-layers 4.22 reads.
 * Returns `modelJson` itself when nothing needed rewriting; throws TopologyError (one line).
 */
/** Weight name → shape, from model.json's weightsManifest (TF.js names weights `layer/weight`). */
function weightShapes(manifest: unknown): Map<string, number[]> {
  const out = new Map<string, number[]>();
  if (!Array.isArray(manifest)) return out;
  for (const group of manifest) {
    if (!isRecord(group) || !Array.isArray(group.weights)) continue;
    for (const w of group.weights) {
      if (isRecord(w) && typeof w.name === 'string' && Array.isArray(w.shape) && w.shape.every((d) => Number.isInteger(d))) out.set(w.name, w.shape as number[]);
    }
  }
  return out;
}

const DEPTHWISE_CLASSES: ReadonlySet<string> = new Set(['SeparableConv2D', 'DepthwiseConv2D']);

/**
 * TF.js 4.22 saves SeparableConv2D without `depth_multiplier` (tfjs-layers SeparableConv.getConfig
 * omits it), so its own saved models with a multiplier other than 1 do not load again ("Shape
 * mismatch: [3,3,16,1] vs. [3,3,16,2]"). Keras always writes it. Where it is missing, it is put
 * back from the depthwise kernel's shape [kh, kw, in, multiplier], as Keras would have written it.
 * Walks nested models, in place (on the normaliser's own copy).
 */
function restoreDepthMultipliers(entry: unknown, shapes: ReadonlyMap<string, number[]>, log: Log): void {
  if (Array.isArray(entry)) {
    for (const e of entry) restoreDepthMultipliers(e, shapes, log);
    return;
  }
  if (!isRecord(entry)) return;
  const config = entry.config;
  if (typeof entry.class_name === 'string' && DEPTHWISE_CLASSES.has(entry.class_name) && isRecord(config) && config.depth_multiplier === undefined && typeof config.name === 'string') {
    const shape = shapes.get(`${config.name}/depthwise_kernel`);
    if (shape !== undefined && shape.length === 4 && (shape[3] as number) > 1) {
      config.depth_multiplier = shape[3];
      log.add(`${entry.class_name} depth_multiplier restored from the depthwise kernel's shape (TF.js-saved models leave it out)`, config.name);
    }
    return;
  }
  if (isRecord(config)) {
    restoreDepthMultipliers(config.layers, shapes, log);
    if (isRecord(config.layer)) restoreDepthMultipliers(config.layer, shapes, log);
  }
}

export function normalizeTopology(modelJson: Record<string, unknown>, options: NormalizeOptions = {}): NormalizedTopology {
  const topology = modelJson.modelTopology;
  if (!isRecord(topology)) return { modelJson, rewrites: [] };
  const wrapped = isRecord(topology.model_config);
  const model = wrapped ? (topology.model_config as Json) : topology;
  if (typeof model.class_name !== 'string' || Array.isArray(topology.node)) return { modelJson, rewrites: [] };
  const log = new Log();
  const unknown: string[] = [];
  // A copy: normalizeLayer may share untouched sub-objects with the caller's modelJson.
  const normalized = structuredClone(normalizeLayer(model, null, options.knownClasses, unknown, log));
  restoreDepthMultipliers(normalized, weightShapes(modelJson.weightsManifest), log);
  if (unknown.length > 0) {
    throw new TopologyError(`layer class${unknown.length > 1 ? 'es' : ''} not supported by TF.js: ${unknown.join(', ')}`);
  }
  const rewrites = log.lines();
  if (rewrites.length === 0) return { modelJson, rewrites };
  const out: Json = { ...modelJson, modelTopology: wrapped ? { ...topology, model_config: normalized } : normalized };
  const training = isRecord(topology.training_config) ? topology.training_config : modelJson.trainingConfig;
  if (training !== undefined) {
    delete out.trainingConfig;
    if (wrapped) delete (out.modelTopology as Json).training_config;
    rewrites.push('trainingConfig dropped (Keras 3 form; bundles only run inference)');
  }
  return { modelJson: out, rewrites };
}
