/**
 * Feature/head split of a LayersModel at one layer (issue 4, "Models"), for CAM methods: the
 * activations A of the layer, and the model output as a function of A so that dOutput/dA can be
 * taken (pytorch-grad-cam gets both with forward/backward hooks; TF.js has no hooks, so the graph
 * is re-executed).
 *
 * How: the model's graph (its nodes, from the output back along `SymbolicTensor.inputs`) is sorted
 * topologically and split into
 *  - feature nodes: every node that does not depend on the layer's output (the layer itself and
 *    everything before it, and branches that bypass it, e.g. an Inception branch beside it);
 *  - head nodes: every node downstream of the layer (ResNet adds, concats, the classifier).
 * `features(x)` runs the feature nodes on concrete tensors (`layer.apply`, as tfjs-layers'
 * executor does) and returns A together with the "bypass" tensors: values the head reads that do
 * not depend on A (skip connections around the layer, the model input). `head(A, bypass)` runs
 * the head nodes with A substituted for the layer's output, so the output is a differentiable
 * function of A alone. Bypass tensors of batch 1 are broadcast to A's batch (Score-/Ablation-CAM
 * run the head on a batch of modified activations of one image).
 * Outputs: 'probability' is the model output (softmax of it when the model outputs logits);
 * 'logit' walks the bundle's `logitsModel` (the last layer with a linear activation) — see
 * bundle-core.ts.
 *
 * Nested models (a Teachable Machine export is a Sequential of a Sequential holding a functional
 * MobileNetV2 base, and a Sequential head) are inlined: a node that calls a nested model is
 * replaced by that model's own nodes, its inputs and outputs aliased to the caller's tensors
 * (values are keyed by call scope and symbolic tensor id, so a model called twice stays two
 * copies). Layers are named by their *path*: the names of the nested models that hold them and
 * their own, joined by '/' (`sequential_1/model1/out_relu`); a top-level layer's path is its name.
 * A name is resolved as an exact path, else as the last segment of exactly one path (`out_relu`),
 * and a nested model's path stands for the layer producing its output.
 *
 * Automatic layer ("the last convolutional layer"): among the model's layers (nested ones
 * included) with a 4-D output, the conv-like ones — Conv2D, SeparableConv2D, DepthwiseConv2D,
 * Conv2DTranspose — and those that transform conv outputs without pooling them — activations,
 * BatchNorm / LayerNorm, Add/Concatenate/Multiply/Average/Maximum/Minimum — provided a conv-like
 * layer lies upstream; the last of them in the model's layer order, a nested model's layers in
 * its place (tfjs-layers orders layers by depth, the output's last). Pooling, padding, cropping
 * and upsampling layers are not chosen. This gives Keras' usual Grad-CAM layers: ResNet50
 * `conv5_block3_out`, Xception `block14_sepconv2_act`, InceptionV3 `mixed10`, DenseNet121 `relu`,
 * VGG16 `block5_conv3`, MobileNetV2 `out_relu` (in a Teachable Machine model
 * `sequential_1/model1/out_relu`).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelBundle, ModelOutput } from './bundle-core';

/** A layer that cannot be used, or a model without one; the message says which and why. */
export class ModelSplitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelSplitError';
  }
}

const CONV_CLASSES = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Conv2DTranspose']);
const FOLLOWER_CLASSES = new Set([
  'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax', 'BatchNormalization', 'LayerNormalization',
  'Add', 'Concatenate', 'Multiply', 'Average', 'Maximum', 'Minimum',
]);
/** How many candidate names an error lists. */
const NAMES_IN_ERRORS = 6;

interface GraphNode {
  readonly layer: tf.layers.Layer;
  readonly inputs: readonly tf.SymbolicTensor[];
  readonly outputs: readonly tf.SymbolicTensor[];
}

export interface FeatureValues {
  /** The layer's output, NHWC. */
  readonly activations: tf.Tensor4D;
  /** Tensors the head needs that do not depend on the activations (in `FeatureSplit` order). */
  readonly bypass: tf.Tensor[];
}

export interface FeatureSplit {
  /** Path of the layer (see the header). */
  readonly layer: string;
  readonly layerClass: string;
  /** True when the layer was found by the rule in the header, false when named by the caller. */
  readonly automatic: boolean;
  /** x [n, h, w, 3] → A and the bypass tensors. Call inside `tf.tidy`. */
  features(x: tf.Tensor4D): FeatureValues;
  /** Output [n, classes] as a function of A (batch n, or 1 broadcast). Call inside `tf.tidy` or `tf.grad`. */
  head(activations: tf.Tensor4D, bypass: readonly tf.Tensor[], output: ModelOutput): tf.Tensor2D;
}

/** Node of the graph that produces `t` (tfjs-layers keeps one node per call of a layer). */
function producer(t: tf.SymbolicTensor): GraphNode {
  const nodes = t.sourceLayer.inboundNodes;
  const node = nodes[t.nodeIndex]?.outputTensors.some((o) => o.id === t.id) ? nodes[t.nodeIndex] : nodes.find((n) => n.outputTensors.some((o) => o.id === t.id));
  if (node === undefined) throw new ModelSplitError(`tensor ${t.name} has no producing node in layer '${t.sourceLayer.name}'`);
  return { layer: t.sourceLayer, inputs: node.inputTensors, outputs: node.outputTensors };
}

const isInput = (node: GraphNode): boolean => node.layer.getClassName() === 'InputLayer';

/** Nodes feeding `outputs`, inputs first (iterative depth-first post-order). */
function topologicalNodes(outputs: readonly tf.SymbolicTensor[]): GraphNode[] {
  const order: GraphNode[] = [];
  const done = new Set<number>();
  const key = (node: GraphNode): number => (node.outputs[0] as tf.SymbolicTensor).id;
  const stack = [...outputs].reverse().map((t) => ({ node: producer(t), expanded: false }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { node: GraphNode; expanded: boolean };
    if (done.has(key(top.node))) {
      stack.pop();
    } else if (top.expanded) {
      stack.pop();
      done.add(key(top.node));
      order.push(top.node);
    } else {
      top.expanded = true;
      // An InputLayer's node lists its own output as its input.
      if (isInput(top.node)) continue;
      for (const input of [...top.node.inputs].reverse()) {
        const node = producer(input);
        if (!done.has(key(node))) stack.push({ node, expanded: false });
      }
    }
  }
  return order;
}

/** A layer call of the inlined graph; values are keyed `scope:symbolicTensorId` (see the header). */
interface FlatNode {
  readonly layer: tf.layers.Layer;
  readonly path: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Symbolic tensor ids of the outputs (global in tfjs-layers), to find a nested model's output. */
  readonly tensorIds: readonly number[];
  /** Rank of the single output; −1 for several outputs or an unknown shape. */
  readonly rank: number;
}

interface FlatGraph {
  readonly nodes: FlatNode[];
  /** Key of a tensor of the top-level graph. */
  key(t: tf.SymbolicTensor): string;
}

const isContainer = (layer: tf.layers.Layer): layer is tf.LayersModel => layer instanceof tf.LayersModel;

/** Path of every layer held by `model`, nested models included (containment order, a model before its layers). */
function layerPathMap(model: tf.LayersModel, prefix = '', out = new Map<tf.layers.Layer, string>()): Map<tf.layers.Layer, string> {
  for (const layer of model.layers) {
    if (out.has(layer)) continue;
    out.set(layer, `${prefix}${layer.name}`);
    if (isContainer(layer)) layerPathMap(layer, `${prefix}${layer.name}/`, out);
  }
  return out;
}

/** Every layer path of the model (nested models and their layers included), in the order of the header. */
export function layerPaths(model: tf.LayersModel): string[] {
  return [...layerPathMap(model).values()];
}

/** The graph feeding `outputs` with every call of a nested model replaced by its own nodes, inputs first. */
function flatGraph(outputs: readonly tf.SymbolicTensor[], paths: ReadonlyMap<tf.layers.Layer, string>): FlatGraph {
  const nodes: FlatNode[] = [];
  const alias = new Map<string, string>();
  let scopes = 0;
  const canonical = (k: string): string => {
    let c = k;
    for (let next = alias.get(c); next !== undefined; next = alias.get(c)) c = next;
    return c;
  };
  const visit = (outs: readonly tf.SymbolicTensor[], scope: number): void => {
    const key = (t: tf.SymbolicTensor): string => canonical(`${scope}:${t.id}`);
    for (const node of topologicalNodes(outs)) {
      // An InputLayer only names a value: the caller's input (top level) or the nested model's argument (aliased).
      if (isInput(node)) continue;
      if (isContainer(node.layer)) {
        const inner = node.layer;
        const innerScope = ++scopes;
        if (inner.inputs.length !== node.inputs.length) throw new ModelSplitError(`nested model '${inner.name}' is called with ${node.inputs.length} inputs but has ${inner.inputs.length}`);
        inner.inputs.forEach((t, i) => alias.set(`${innerScope}:${t.id}`, key(node.inputs[i] as tf.SymbolicTensor)));
        visit(inner.outputs, innerScope);
        node.outputs.forEach((t, i) => alias.set(`${scope}:${t.id}`, canonical(`${innerScope}:${(inner.outputs[i] as tf.SymbolicTensor).id}`)));
        continue;
      }
      const shape = node.outputs.length === 1 ? (node.outputs[0] as tf.SymbolicTensor).shape : null;
      nodes.push({
        layer: node.layer,
        path: paths.get(node.layer) ?? node.layer.name,
        inputs: node.inputs.map(key),
        outputs: node.outputs.map((t) => `${scope}:${t.id}`),
        tensorIds: node.outputs.map((t) => t.id),
        rank: shape === null ? -1 : shape.length,
      });
    }
  };
  visit(outputs, 0);
  return { nodes, key: (t) => canonical(`0:${t.id}`) };
}

interface Candidates {
  readonly graph: FlatGraph;
  readonly paths: Map<tf.layers.Layer, string>;
  /** Candidate paths of the rule in the header, in order. */
  readonly names: string[];
}

function candidatesOf(model: tf.LayersModel): Candidates {
  const paths = layerPathMap(model);
  const graph = flatGraph(model.outputs, paths);
  const upstreamConv = new Map<string, boolean>();
  const eligible = new Set<string>();
  for (const node of graph.nodes) {
    const cls = node.layer.getClassName();
    const upstream = node.inputs.some((k) => upstreamConv.get(k) === true);
    const conv = CONV_CLASSES.has(cls) || upstream;
    for (const k of node.outputs) upstreamConv.set(k, conv);
    if (node.rank === 4 && (CONV_CLASSES.has(cls) || (FOLLOWER_CLASSES.has(cls) && upstream))) eligible.add(node.path);
  }
  return { graph, paths, names: [...paths.values()].filter((p) => eligible.has(p)) };
}

/** Candidate layer paths of the rule in the header, in the model's layer order. */
export function featureLayerCandidates(model: tf.LayersModel): string[] {
  return candidatesOf(model).names;
}

function listNames(names: readonly string[]): string {
  const tail = names.slice(-NAMES_IN_ERRORS);
  return `${names.length > tail.length ? '…, ' : ''}${tail.join(', ')}`;
}

export interface ResolvedLayer {
  readonly layer: tf.layers.Layer;
  /** Its path (see the header). */
  readonly path: string;
  readonly automatic: boolean;
}

/** The layer path `name` resolves to (exact path, unique last segment, nested model → its output's layer), or null. */
function resolvePath(c: Candidates, name: string): string | null {
  const byPath = c.graph.nodes.filter((n) => n.path === name);
  if (byPath.length > 0) return name;
  const container = [...c.paths].find(([layer, p]) => p === name && isContainer(layer))?.[0] as tf.LayersModel | undefined;
  if (container !== undefined && container.outputs.length === 1) {
    const id = (container.outputs[0] as tf.SymbolicTensor).id;
    return c.graph.nodes.find((n) => n.tensorIds.includes(id))?.path ?? null;
  }
  if (name.includes('/')) return null;
  const matches = [...new Set(c.graph.nodes.map((n) => n.path).filter((p) => p.endsWith(`/${name}`)))];
  if (matches.length > 1) throw new ModelSplitError(`layer name '${name}' is ambiguous in the nested model; use one of its paths: ${listNames(matches)}`);
  return matches[0] ?? null;
}

/**
 * The path `name` stands for (exact path, unique last segment, nested model → its output's layer),
 * or null when none; an ambiguous bare name throws ModelSplitError listing its paths.
 */
export function findLayerPath(model: tf.LayersModel, name: string): string | null {
  return resolvePath(candidatesOf(model), name);
}

/**
 * The default CAM target layer: the path the rule in the header picks (the last 4-D activation
 * downstream of a convolution, pytorch-grad-cam's habit of targeting the last conv block's output),
 * or null for a model without one. The one place that decides it: the explainers' automatic choice
 * and the target layer an upload stores (lib/models/upload.ts) both come from here.
 */
export function defaultFeatureLayer(model: tf.LayersModel): string | null {
  return candidatesOf(model).names.at(-1) ?? null;
}

/** The layer at path `name`, else the automatic choice (defaultFeatureLayer); throws ModelSplitError naming valid layer paths. */
export function resolveFeatureLayer(model: tf.LayersModel, name?: string): ResolvedLayer {
  const c = candidatesOf(model);
  const layerAt = (path: string): FlatNode => c.graph.nodes.find((n) => n.path === path) as FlatNode;
  if (name === undefined) {
    const last = c.names.at(-1);
    if (last === undefined) {
      throw new ModelSplitError('the model has no convolutional layer with a 4-D (NHWC) output, so CAM methods cannot be used; use a gradient or perturbation method');
    }
    return { layer: layerAt(last).layer, path: last, automatic: true };
  }
  const valid = c.names.length > 0 ? `layers with 4-D outputs near the output: ${listNames(c.names)}` : 'the model has no convolutional layer with a 4-D output';
  const path = resolvePath(c, name);
  if (path === null) throw new ModelSplitError(`no layer named '${name}' in the model (${valid})`);
  const node = layerAt(path);
  if (node.rank !== 4) {
    const shape = node.tensorIds.length === 1 ? JSON.stringify(node.layer.outputShape) : `${node.tensorIds.length} outputs`;
    throw new ModelSplitError(`layer '${path}' (${node.layer.getClassName()}) outputs shape ${shape}, not a 4-D NHWC activation (${valid})`);
  }
  return { layer: node.layer, path, automatic: false };
}

function broadcastBatch(t: tf.Tensor, n: number): tf.Tensor {
  return t.shape[0] === 1 && n > 1 ? tf.broadcastTo(t, [n, ...t.shape.slice(1)]) : t;
}

/** Runs `nodes` in order on `values` (key → tensor); disposes values whose last reader ran unless in `keep`. */
function run(nodes: readonly FlatNode[], values: Map<string, tf.Tensor>, keep: ReadonlySet<string> | null): void {
  const readers = new Map<string, number>();
  if (keep !== null) for (const n of nodes) for (const k of n.inputs) readers.set(k, (readers.get(k) ?? 0) + 1);
  for (const node of nodes) {
    const inputs = node.inputs.map((k) => {
      const v = values.get(k);
      if (v === undefined) throw new ModelSplitError(`internal: no value for input ${k} of layer '${node.path}'`);
      return v;
    });
    const out = node.layer.apply(inputs) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(out) ? out : [out];
    node.outputs.forEach((k, i) => values.set(k, list[i] as tf.Tensor));
    if (keep === null) continue;
    for (const k of node.inputs) {
      const left = (readers.get(k) ?? 0) - 1;
      readers.set(k, left);
      if (left === 0 && !keep.has(k)) values.get(k)?.dispose();
    }
  }
}

/** Nodes of `nodes` that `out` depends on. */
function ancestors(nodes: readonly FlatNode[], out: string): Set<FlatNode> {
  const producers = new Map<string, FlatNode>();
  for (const n of nodes) for (const k of n.outputs) producers.set(k, n);
  const found = new Set<FlatNode>();
  const stack = [out];
  while (stack.length > 0) {
    const node = producers.get(stack.pop() as string);
    if (node === undefined || found.has(node)) continue;
    found.add(node);
    stack.push(...node.inputs);
  }
  return found;
}

/**
 * Splits the bundle's LayersModel at `layerName` (a path or name, default: bundle.config.targetLayer,
 * else the rule in the header). Throws ModelSplitError for a graph model, an unknown or non-4-D
 * layer, a layer used more than once, or a model without conv layers.
 */
export function splitModel(bundle: ModelBundle, layerName?: string): FeatureSplit {
  const model = bundle.layersModel;
  if (model === undefined) throw new ModelSplitError('graph models are forward-only; CAM methods need a LayersModel (model.json format "layers-model")');
  const { layer, path, automatic } = resolveFeatureLayer(model, layerName ?? bundle.config.targetLayer);
  const probabilityOut = model.outputs[0] as tf.SymbolicTensor;
  const logitOut = (bundle.logitsModel?.outputs[0] ?? probabilityOut) as tf.SymbolicTensor;
  const graph = flatGraph([probabilityOut, logitOut], layerPathMap(model));
  const targets = graph.nodes.filter((n) => n.path === path);
  if (targets.length !== 1) {
    throw new ModelSplitError(`layer '${path}' is ${targets.length === 0 ? 'not on the path to the output' : `used ${targets.length} times in the model (shared layer); name a layer used once`}`);
  }
  const target = targets[0] as FlatNode;
  if (target.outputs.length !== 1) throw new ModelSplitError(`layer '${path}' has ${target.outputs.length} outputs; CAM methods need one`);
  const aKey = target.outputs[0] as string;

  const dependent = new Set<string>([aKey]);
  const headNodes: FlatNode[] = [];
  const featureNodes: FlatNode[] = [];
  for (const node of graph.nodes) {
    if (node === target) featureNodes.push(node);
    else if (node.inputs.some((k) => dependent.has(k))) {
      node.outputs.forEach((k) => dependent.add(k));
      headNodes.push(node);
    } else featureNodes.push(node);
  }
  const probabilityKey = graph.key(probabilityOut);
  const logitKey = graph.key(logitOut);
  for (const out of [probabilityKey, logitKey]) {
    if (!dependent.has(out)) throw new ModelSplitError(`the model output does not depend on layer '${path}'`);
  }
  const bypassKeys: string[] = [];
  for (const node of headNodes) {
    for (const k of node.inputs) if (!dependent.has(k) && !bypassKeys.includes(k)) bypassKeys.push(k);
  }
  const inputKey = graph.key(model.inputs[0] as tf.SymbolicTensor);
  const keep = new Set([inputKey, aKey, ...bypassKeys]);
  const headFor = (out: string): FlatNode[] => {
    const needed = ancestors(headNodes, out);
    return headNodes.filter((n) => needed.has(n));
  };
  const heads: Record<ModelOutput, FlatNode[]> = { probability: headFor(probabilityKey), logit: headFor(logitKey) };
  const flat = (t: tf.Tensor): tf.Tensor2D => (t.rank === 2 ? (t as tf.Tensor2D) : t.reshape([t.shape[0] ?? 1, -1]));

  return {
    layer: path,
    layerClass: layer.getClassName(),
    automatic,
    features(x) {
      const values = new Map<string, tf.Tensor>([[inputKey, x]]);
      run(featureNodes, values, keep);
      const activations = values.get(aKey) as tf.Tensor4D;
      return { activations, bypass: bypassKeys.map((k) => values.get(k) as tf.Tensor) };
    },
    head(activations, bypass, output) {
      const n = activations.shape[0];
      const values = new Map<string, tf.Tensor>([[aKey, activations]]);
      bypassKeys.forEach((k, i) => values.set(k, broadcastBatch(bypass[i] as tf.Tensor, n)));
      run(heads[output], values, null);
      const out = flat(values.get(output === 'logit' ? logitKey : probabilityKey) as tf.Tensor);
      return output === 'probability' && bundle.head === 'linear' ? tf.softmax(out) : out;
    },
  };
}
