/**
 * Model bundles, platform-neutral core (issue 4, "Models"): everything that turns an already
 * loaded TF.js model into a `ModelBundle`, without file access, so the browser (which loads models
 * from URLs or local files itself) and Node (`loadModelBundle(dir)` in bundle.ts) share it.
 *
 *   gazebench.json = { labels: string[], preprocessing: "unit" | "inception" |
 *                      "imagenet-torch" | "imagenet-caffe" | "teachable-machine", inputSize: [h, w],
 *                      targetLayer?: string }
 *
 * - LayersModel (model.json `format` "layers-model", or a Keras topology) is the full bundle;
 *   GraphModel (`format` "graph-model", or a topology with a `node` list) too, through graph-analysis.ts
 *   and graph-split.ts: gradients and CAM where the graph runs synchronously, forward passes only
 *   (executeAsync) where it has control flow.
 * - Without gazebench.json, a Teachable Machine `metadata.json` ({labels, imageSize, …}) gives the
 *   labels and input size, with Teachable Machine's own centre crop and x/127 − 1 scaling (preset
 *   "teachable-machine", preprocess.ts); gazebench.json wins when both are there. Without either, the input size comes
 *   from the model's input shape, preprocessing is "unit" and labels are "0", "1", ...; `notes`
 *   says so, so that callers can print it.
 * - Layers topologies pass through `layersTopology` first (keras3.ts): Keras 3 forms are rewritten
 *   for tfjs-layers and `rewrites` lists what was changed (the files themselves are not).
 * - Targets are explicit (pytorch-grad-cam `ClassifierOutputTarget` vs `ClassifierOutputSoftmaxTarget`):
 *   `forward(x, 'logit' | 'probability')`. When the final activation is softmax (or sigmoid), the
 *   logit is that layer evaluated with a linear activation: a copy of the layer with
 *   `activation: 'linear'` and the same weights, built once when the bundle is created so that calls
 *   create no persistent tensors; Reshape/Flatten/Dropout layers after it are re-applied. A nested
 *   model at the output (Teachable Machine's Sequential head) is looked into the same way. A model
 *   whose output is linear is taken to output logits; its probability is their softmax.
 * Every failure is a ModelBundleError naming the bundle, the field (model.json, a shard,
 * gazebench.json's key) and the reason.
 */
import * as tf from '@tensorflow/tfjs';
import { z } from 'zod';
import { checkTargetLayer, finishConfig } from './bundle-config';
import { normalizeTopology, TopologyError } from './keras3';
import type { MetadataConfig } from './metadata';
import { analyseGraph, type GraphFacts } from './graph-analysis';

export const PREPROCESSING_PRESETS = ['unit', 'inception', 'imagenet-torch', 'imagenet-caffe', 'teachable-machine'] as const;
export type Preprocessing = (typeof PREPROCESSING_PRESETS)[number];

export const bundleConfigSchema = z.object({
  labels: z.array(z.string().min(1)).min(1),
  preprocessing: z.enum(PREPROCESSING_PRESETS),
  inputSize: z.tuple([z.number().int().positive(), z.number().int().positive()]),
  targetLayer: z.string().min(1).optional(),
});
export type BundleConfig = z.infer<typeof bundleConfigSchema>;

export type ConfigSource = 'gazebench.json' | 'metadata.json' | 'inferred';

export type ModelOutput = 'probability' | 'logit';
/** Final activation of the model's output, after shape-only layers. */
export type HeadActivation = 'softmax' | 'sigmoid' | 'linear';

export interface ModelBundle {
  /** Where the bundle came from: its folder in Node, a name given by the caller otherwise. */
  readonly dir: string;
  readonly format: 'layers-model' | 'graph-model';
  /** The LayersModel (explainers need it); undefined for graph models. */
  readonly layersModel?: tf.LayersModel;
  /**
   * LayersModel giving the logits, sharing every layer of `layersModel` up to the copy of the last
   * layer with a linear activation; undefined when the head is linear (the model outputs logits).
   */
  readonly logitsModel?: tf.LayersModel;
  readonly graphModel?: tf.GraphModel;
  /** Graph models: what the graph allows (graph-analysis.ts); undefined for layers models. */
  readonly graph?: GraphFacts;
  readonly config: BundleConfig;
  readonly configSource: ConfigSource;
  /** Human-readable remarks on defaults that were assumed. */
  readonly notes: readonly string[];
  /** What `layersTopology` rewrote in model.json (Keras 3 forms); empty for a TF.js-ready topology. */
  readonly rewrites: readonly string[];
  /** Input channels (always 3: bundles take RGB images). */
  readonly channels: number;
  readonly numClasses: number;
  readonly head: HeadActivation;
  /** One forward pass on an NHWC batch → [n, numClasses]. Call inside `tf.tidy`. */
  forward(input: tf.Tensor4D, output: ModelOutput): tf.Tensor2D;
  /**
   * The same pass for every model, graphs with control flow included (they run only with
   * `executeAsync`, where `forward` throws). Not differentiable; the caller disposes the result.
   */
  forwardAsync(input: tf.Tensor4D, output: ModelOutput): Promise<tf.Tensor2D>;
  /** Frees the model's weights (and the logit copy of its last layer). */
  dispose(): void;
}

export class ModelBundleError extends Error {
  readonly dir: string;
  readonly field: string;

  constructor(dir: string, field: string, reason: string) {
    super(`model bundle ${dir}: ${field}: ${reason}`);
    this.name = 'ModelBundleError';
    this.dir = dir;
    this.field = field;
  }
}

export const MODEL_JSON = 'model.json';
export const CONFIG_JSON = 'gazebench.json';
export const METADATA_JSON = 'metadata.json';
/** Name used in errors for bundles built from a model in memory. */
const IN_MEMORY = '(in-memory model)';
/** Layers that only move values around; the activation before them decides the head. */
const PASS_THROUGH_LAYERS = new Set(['Reshape', 'Flatten', 'Dropout']);

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Format of a parsed model.json; throws when it is not a TF.js model. */
export function detectFormat(dir: string, json: unknown): 'layers-model' | 'graph-model' {
  if (!isRecord(json) || !isRecord(json.modelTopology) || !Array.isArray(json.weightsManifest)) {
    throw new ModelBundleError(dir, MODEL_JSON, 'not a TF.js model (it needs a modelTopology object and a weightsManifest array)');
  }
  if (json.format === 'graph-model' || Array.isArray(json.modelTopology.node)) return 'graph-model';
  if (json.format === 'layers-model' || typeof json.modelTopology.class_name === 'string' || isRecord(json.modelTopology.model_config)) {
    return 'layers-model';
  }
  throw new ModelBundleError(dir, MODEL_JSON, `not a TF.js model: unknown format ${JSON.stringify(json.format ?? null)} and no Keras or graph topology`);
}

/** Validates a parsed gazebench.json. */
export function parseBundleConfig(dir: string, json: unknown): BundleConfig {
  const parsed = bundleConfigSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`);
  throw new ModelBundleError(dir, CONFIG_JSON, issues.join('; '));
}

/** Layer classes TF.js has registered (tfjs-layers and any custom ones). */
function registeredClasses(): ReadonlySet<string> {
  return new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
}

/**
 * A layers-model model.json as TF.js 4.22 reads it: Keras 3 forms rewritten (keras3.ts), the same
 * object when there were none. Unsupported layer classes or forms are a one-line ModelBundleError.
 */
export function layersTopology(dir: string, json: Record<string, unknown>): { modelJson: Record<string, unknown>; rewrites: string[] } {
  try {
    return normalizeTopology(json, { knownClasses: registeredClasses() });
  } catch (error) {
    if (error instanceof TopologyError) throw new ModelBundleError(dir, MODEL_JSON, error.message);
    throw error;
  }
}

/** `handler` with the topology (and training config) of `modelJson` in place of the file's. */
export function withTopology(handler: tf.io.IOHandler, modelJson: Record<string, unknown>): tf.io.IOHandler {
  const load = handler.load?.bind(handler);
  if (load === undefined) throw new Error('withTopology: the IOHandler cannot load');
  return {
    load: async () => {
      const artifacts = await load();
      const { trainingConfig, ...rest } = artifacts;
      const training = modelJson.trainingConfig as tf.io.TrainingConfig | undefined;
      return { ...rest, modelTopology: modelJson.modelTopology as object, ...(training === undefined || trainingConfig === undefined ? {} : { trainingConfig: training }) };
    },
  };
}

/** Spatial size and channels from an NHWC input shape; null for unknown dimensions. */
function inputShape(dir: string, shape: readonly (number | null)[] | undefined): { h: number | null; w: number | null; c: number } {
  if (shape === undefined || shape.length !== 4) {
    throw new ModelBundleError(dir, MODEL_JSON, `model input must be an NHWC image batch (rank 4), got shape [${shape?.join(', ') ?? '?'}]`);
  }
  const known = (v: number | null | undefined): number | null => (v === null || v === undefined || v < 0 ? null : v);
  const c = known(shape[3]);
  if (c !== 3) throw new ModelBundleError(dir, MODEL_JSON, `model input has ${c ?? 'unknown'} channels; bundles take RGB images (3 channels)`);
  return { h: known(shape[1]), w: known(shape[2]), c };
}

interface Head {
  readonly head: HeadActivation;
  /** Model giving the logits when the head is not linear; null when unavailable. */
  readonly logits: tf.LayersModel | null;
  /** The linear copy of the last layer, owned by the bundle. */
  readonly owned: tf.layers.Layer | null;
}

function asHead(dir: string, activation: unknown, where: string): HeadActivation {
  const name = activation === undefined || activation === null ? 'linear' : String(activation);
  if (name === 'softmax' || name === 'sigmoid' || name === 'linear') return name;
  throw new ModelBundleError(dir, MODEL_JSON, `final activation '${name}' of ${where} is not supported (softmax, sigmoid or linear)`);
}

/** Head of the graph ending at `output`; `logits` is the same graph's tensor before the final activation. */
function headOf(dir: string, output: tf.SymbolicTensor): { head: HeadActivation; logits: tf.SymbolicTensor | null; owned: tf.layers.Layer | null } {
  const after: tf.layers.Layer[] = [];
  let t = output;
  while (PASS_THROUGH_LAYERS.has(t.sourceLayer.getClassName()) && t.inputs.length === 1) {
    after.unshift(t.sourceLayer);
    t = t.inputs[0] as tf.SymbolicTensor;
  }
  const layer = t.sourceLayer;
  const reapply = (logits: tf.SymbolicTensor): tf.SymbolicTensor => after.reduce((x, l) => l.apply(x) as tf.SymbolicTensor, logits);
  if (layer instanceof tf.LayersModel && layer.outputs.length === 1 && layer.inputs.length === t.inputs.length) {
    // A nested head (Teachable Machine: a Sequential of Dense layers): its logits, as a model
    // sharing its layers, called on the nested model's arguments.
    const inner = headOf(dir, layer.outputs[0] as tf.SymbolicTensor);
    if (inner.logits === null) return inner;
    const sub = tf.model({ inputs: layer.inputs, outputs: inner.logits, name: `${layer.name}_gazebench_logits` });
    const logits = sub.apply(t.inputs.length === 1 ? (t.inputs[0] as tf.SymbolicTensor) : t.inputs) as tf.SymbolicTensor;
    return { head: inner.head, logits: reapply(logits), owned: inner.owned };
  }
  const className = layer.getClassName();
  const head = className === 'Softmax' ? 'softmax' : asHead(dir, layer.getConfig().activation, `layer '${layer.name}'`);
  if (head === 'linear') return { head, logits: null, owned: null };
  if (t.inputs.length !== 1) {
    throw new ModelBundleError(dir, MODEL_JSON, `last layer '${layer.name}' has ${t.inputs.length} inputs; cannot evaluate it with a linear activation`);
  }
  const pre = t.inputs[0] as tf.SymbolicTensor;
  let owned: tf.layers.Layer | null = null;
  let logits: tf.SymbolicTensor = pre;
  if (className !== 'Softmax' && className !== 'Activation') {
    const entry = tf.serialization.SerializationMap.getMap().classNameMap[className];
    if (entry === undefined) throw new ModelBundleError(dir, MODEL_JSON, `layer class ${className} is not registered`);
    const [cls, fromConfig] = entry;
    const config = { ...layer.getConfig(), activation: 'linear', name: `${layer.name}_gazebench_logits` };
    owned = fromConfig(cls, config) as tf.layers.Layer;
    logits = owned.apply(pre) as tf.SymbolicTensor;
    owned.setWeights(layer.getWeights());
  }
  return { head, logits: reapply(logits), owned };
}

function analyseLayersHead(dir: string, model: tf.LayersModel): Head {
  const { head, logits, owned } = headOf(dir, model.outputs[0] as tf.SymbolicTensor);
  if (logits === null) return { head, logits: null, owned };
  return { head, logits: tf.model({ inputs: model.inputs, outputs: logits }), owned };
}

function toProbability(raw: tf.Tensor2D, head: HeadActivation): tf.Tensor2D {
  return head === 'linear' ? tf.softmax(raw) : raw;
}

function flat(t: tf.Tensor, n: number): tf.Tensor2D {
  return t.rank === 2 ? (t as tf.Tensor2D) : t.reshape([n, -1]);
}

export interface CreateBundleOptions {
  /** Name of the bundle in errors and in `ModelBundle.dir` (default "(in-memory model)"). */
  readonly name?: string;
  /** metadata.json settings, used when `config` (gazebench.json) is null. */
  readonly metadata?: MetadataConfig;
  /** What `layersTopology` rewrote before the model was loaded. */
  readonly rewrites?: readonly string[];
  /** Settings given explicitly (CLI flags); they win over gazebench.json and metadata.json. */
  readonly overrides?: BundleOverrides;
}

export type BundleOverrides = Partial<Pick<BundleConfig, 'labels' | 'preprocessing'>>;

function sourceOf(config: BundleConfig | null, options: CreateBundleOptions): ConfigSource {
  return config !== null ? 'gazebench.json' : options.metadata !== undefined ? 'metadata.json' : 'inferred';
}

/**
 * Builds a bundle around a LayersModel the caller has loaded (`config` null = no gazebench.json).
 * On success the bundle owns the model (`bundle.dispose()` frees it); on error the model is left
 * to the caller. Throws ModelBundleError naming the field at fault.
 */
export function createModelBundle(model: tf.LayersModel, config: BundleConfig | null, options: CreateBundleOptions = {}): ModelBundle {
  const dir = options.name ?? IN_MEMORY;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ModelBundleError(dir, MODEL_JSON, `bundles need one input and one output, got ${model.inputs.length} and ${model.outputs.length}`);
  }
  const shape = inputShape(dir, model.inputs[0]?.shape);
  const numClasses = (model.outputs[0] as tf.SymbolicTensor).shape.slice(1).reduce<number>((a, b) => a * (b ?? NaN), 1);
  if (!(numClasses >= 1)) throw new ModelBundleError(dir, MODEL_JSON, 'model output has no fixed number of classes');
  const notes: string[] = [];
  const finished = finishConfig(dir, config, shape, numClasses, notes, options);
  if (finished.targetLayer !== undefined) checkTargetLayer(dir, model, finished.targetLayer);
  const { head, logits, owned } = analyseLayersHead(dir, model);
  const predict = (m: tf.LayersModel, x: tf.Tensor4D): tf.Tensor2D =>
    flat(m.predict(x, { batchSize: Math.max(1, x.shape[0]) }) as tf.Tensor, x.shape[0]);
  const forward = (x: tf.Tensor4D, output: ModelOutput): tf.Tensor2D =>
    output === 'probability' ? toProbability(predict(model, x), head) : predict(logits ?? model, x);
  return {
    dir, format: 'layers-model', layersModel: model, ...(logits === null ? {} : { logitsModel: logits }), config: finished,
    configSource: sourceOf(config, options), notes, rewrites: [...(options.rewrites ?? [])], channels: shape.c, numClasses, head,
    forward,
    forwardAsync: (x, output) => Promise.resolve(tf.tidy(() => forward(x, output))),
    dispose() {
      owned?.dispose();
      model.dispose();
    },
  };
}

/** The note that says what a graph model allows (graph-analysis.ts). */
function graphNote(facts: GraphFacts): string {
  if (facts.dynamicOp !== null) {
    const { name, op } = facts.dynamicOp;
    return `graph model with control flow or dynamic ops ('${name}', op ${op}): TF.js runs it only with executeAsync, so forward passes only (perturbation methods); no gradients, no CAM`;
  }
  const cam = facts.camCandidates.at(-1);
  return `graph model: gradients through model.execute; CAM methods ${cam === undefined ? 'unavailable (no convolution node with a 4-D output)' : `split at node '${cam}' by default (the last 4-D convolution node before pooling)`}`;
}

function checkTargetNode(dir: string, facts: GraphFacts, name: string): void {
  if (facts.index.nodes.has(name)) return;
  const names = facts.camCandidates.slice(-6);
  const list = names.length === 0 ? 'the graph has no convolution node with a 4-D output' : `4-D nodes near the output: ${facts.camCandidates.length > names.length ? '…, ' : ''}${names.join(', ')}`;
  throw new ModelBundleError(dir, `${CONFIG_JSON} targetLayer`, `no node named '${name}' in the graph (${list})`);
}

/**
 * Builds a bundle around a GraphModel; `modelJson` is its parsed model.json (graph-analysis.ts
 * reads its nodes). Graphs with control flow or dynamic ops are probed and run with
 * `executeAsync` (forwardAsync; `forward` throws for them). Same ownership and errors as
 * createModelBundle.
 */
export async function createGraphModelBundle(
  model: tf.GraphModel,
  modelJson: Record<string, unknown>,
  config: BundleConfig | null,
  options: CreateBundleOptions = {},
): Promise<ModelBundle> {
  const dir = options.name ?? IN_MEMORY;
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new ModelBundleError(dir, MODEL_JSON, `bundles need one input and one output, got ${model.inputs.length} and ${model.outputs.length}`);
  }
  const shape = inputShape(dir, model.inputs[0]?.shape);
  const [h, w] = config?.inputSize ?? options.metadata?.inputSize ?? [shape.h, shape.w];
  if (h === null || w === null) {
    throw new ModelBundleError(dir, CONFIG_JSON, 'absent, and the model input has no fixed height and width: add gazebench.json with inputSize [h, w]');
  }
  // The node name, not the signature key (model.outputNodes may give either).
  const facts = analyseGraph(modelJson, model.outputs[0]?.name ?? String(model.outputNodes[0]));
  const { head, logitNode } = facts;
  const sync = facts.dynamicOp === null;
  const run = (x: tf.Tensor4D, node?: string): tf.Tensor2D => {
    if (!sync) {
      const { name, op } = facts.dynamicOp as { name: string; op: string };
      throw new ModelBundleError(dir, MODEL_JSON, `the graph has the dynamic op ${op} ('${name}'), which TF.js runs only with executeAsync; use forwardAsync`);
    }
    return flat(model.execute(x, node) as tf.Tensor, x.shape[0]);
  };
  const runAsync = async (x: tf.Tensor4D, node?: string): Promise<tf.Tensor2D> => {
    if (sync) return tf.tidy(() => run(x, node));
    const out = (await model.executeAsync(x, node)) as tf.Tensor;
    const flattened = tf.tidy(() => flat(out, x.shape[0]));
    if (flattened !== out) out.dispose();
    return flattened;
  };
  const logitNodeFor = (output: ModelOutput): string | undefined => {
    if (output === 'probability' || head === 'linear') return undefined;
    if (logitNode === null) throw new ModelBundleError(dir, MODEL_JSON, `logits are not available: the final ${head} is followed by a reshape`);
    return logitNode;
  };
  // Graph signatures often leave the class count unknown: one probe pass on zeros.
  const zeros = tf.zeros([1, h, w, shape.c]) as tf.Tensor4D;
  let numClasses: number;
  try {
    const probe = await runAsync(zeros);
    numClasses = probe.shape[1];
    probe.dispose();
  } catch (error) {
    if (error instanceof ModelBundleError) throw error;
    throw new ModelBundleError(dir, MODEL_JSON, `the graph does not run on a [1, ${h}, ${w}, ${shape.c}] input: ${errorMessage(error).split('\n')[0]}`);
  } finally {
    zeros.dispose();
  }
  const notes = [graphNote(facts)];
  const finished = finishConfig(dir, config, shape, numClasses, notes, options);
  if (finished.targetLayer !== undefined) checkTargetNode(dir, facts, finished.targetLayer);
  return {
    dir, format: 'graph-model', graphModel: model, graph: facts, config: finished, configSource: sourceOf(config, options),
    notes, rewrites: [], channels: shape.c, numClasses, head,
    forward(x, output) {
      const out = run(x, logitNodeFor(output));
      return output === 'probability' ? toProbability(out, head) : out;
    },
    async forwardAsync(x, output) {
      const out = await runAsync(x, logitNodeFor(output));
      if (output !== 'probability' || head !== 'linear') return out;
      const p = toProbability(out, head);
      out.dispose();
      return p;
    },
    dispose: () => model.dispose(),
  };
}
