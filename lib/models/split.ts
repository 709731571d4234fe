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
 * Automatic layer ("the last convolutional layer"): among the model's top-level layers with a 4-D
 * output, the conv-like ones — Conv2D, SeparableConv2D, DepthwiseConv2D, Conv2DTranspose, a nested
 * model — and those that transform conv outputs without pooling them — activations, BatchNorm /
 * LayerNorm, Add/Concatenate/Multiply/Average/Maximum/Minimum — provided a conv-like layer lies
 * upstream; the last of them in the model's layer order (tfjs-layers orders layers by depth, the
 * output's last). Pooling, padding, cropping and upsampling layers are not chosen. This gives
 * Keras' usual Grad-CAM layers: ResNet50 `conv5_block3_out`, Xception `block14_sepconv2_act`,
 * InceptionV3 `mixed10`, DenseNet121 `relu`, VGG16 `block5_conv3`, MobileNetV2 `out_relu`.
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

const CONV_CLASSES = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D', 'Conv2DTranspose', 'Model', 'Functional', 'Sequential']);
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

/** Rank of the layer's single output; −1 for several outputs (or a shared layer whose shapes differ, where tfjs throws). */
function outputRank(layer: tf.layers.Layer): number {
  let shape: tf.Shape | tf.Shape[];
  try {
    shape = layer.outputShape;
  } catch {
    return -1;
  }
  return Array.isArray(shape[0]) || shape[0] === undefined ? -1 : (shape as readonly unknown[]).length;
}

/** Candidate layers of the rule in the header, in the model's layer order. */
export function featureLayerCandidates(model: tf.LayersModel): string[] {
  const names: string[] = [];
  const graph = topologicalNodes(model.outputs);
  const upstreamConv = new Map<tf.layers.Layer, boolean>();
  for (const node of graph) {
    const conv = CONV_CLASSES.has(node.layer.getClassName()) || node.inputs.some((t) => upstreamConv.get(t.sourceLayer) === true);
    upstreamConv.set(node.layer, conv);
  }
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    if (outputRank(layer) !== 4 || !upstreamConv.has(layer)) continue;
    if (CONV_CLASSES.has(cls) || (FOLLOWER_CLASSES.has(cls) && upstreamConv.get(layer) === true)) {
      names.push(layer.name);
    }
  }
  return names;
}

function listNames(names: readonly string[]): string {
  const tail = names.slice(-NAMES_IN_ERRORS);
  return `${names.length > tail.length ? '…, ' : ''}${tail.join(', ')}`;
}

/** The layer named `name`, else the automatic choice; throws ModelSplitError naming valid layers. */
export function resolveFeatureLayer(model: tf.LayersModel, name?: string): { layer: tf.layers.Layer; automatic: boolean } {
  const candidates = featureLayerCandidates(model);
  if (name === undefined) {
    const last = candidates[candidates.length - 1];
    if (last === undefined) {
      throw new ModelSplitError('the model has no convolutional layer with a 4-D (NHWC) output, so CAM methods cannot be used; use a gradient or perturbation method');
    }
    return { layer: model.getLayer(last), automatic: true };
  }
  const layer = model.layers.find((l) => l.name === name);
  const valid = candidates.length > 0 ? `layers with 4-D outputs near the output: ${listNames(candidates)}` : 'the model has no convolutional layer with a 4-D output';
  if (layer === undefined) throw new ModelSplitError(`no layer named '${name}' in the model (${valid})`);
  if (outputRank(layer) !== 4) {
    throw new ModelSplitError(`layer '${name}' (${layer.getClassName()}) outputs shape ${JSON.stringify(layer.outputShape)}, not a 4-D NHWC activation (${valid})`);
  }
  return { layer, automatic: false };
}

function broadcastBatch(t: tf.Tensor, n: number): tf.Tensor {
  return t.shape[0] === 1 && n > 1 ? tf.broadcastTo(t, [n, ...t.shape.slice(1)]) : t;
}

/** Runs `nodes` in order on `values` (symbolic id → tensor); disposes values whose last reader ran unless in `keep`. */
function run(nodes: readonly GraphNode[], values: Map<number, tf.Tensor>, keep: ReadonlySet<number> | null): void {
  const readers = new Map<number, number>();
  if (keep !== null) for (const n of nodes) for (const t of n.inputs) readers.set(t.id, (readers.get(t.id) ?? 0) + 1);
  for (const node of nodes) {
    const inputs = node.inputs.map((t) => {
      const v = values.get(t.id);
      if (v === undefined) throw new ModelSplitError(`internal: no value for ${t.name} before layer '${node.layer.name}'`);
      return v;
    });
    const out = node.layer.apply(inputs) as tf.Tensor | tf.Tensor[];
    const list = Array.isArray(out) ? out : [out];
    node.outputs.forEach((t, i) => values.set(t.id, list[i] as tf.Tensor));
    if (keep === null) continue;
    for (const t of node.inputs) {
      const left = (readers.get(t.id) ?? 0) - 1;
      readers.set(t.id, left);
      if (left === 0 && !keep.has(t.id)) values.get(t.id)?.dispose();
    }
  }
}

/**
 * Splits the bundle's LayersModel at `layerName` (default: bundle.config.targetLayer, else the
 * rule in the header). Throws ModelSplitError for a graph model, an unknown or non-4-D layer, a
 * layer used more than once, or a model without conv layers.
 */
export function splitModel(bundle: ModelBundle, layerName?: string): FeatureSplit {
  const model = bundle.layersModel;
  if (model === undefined) throw new ModelSplitError('graph models are forward-only; CAM methods need a LayersModel (model.json format "layers-model")');
  const { layer, automatic } = resolveFeatureLayer(model, layerName ?? bundle.config.targetLayer);
  const probabilityOut = model.outputs[0] as tf.SymbolicTensor;
  const logitOut = (bundle.logitsModel?.outputs[0] ?? probabilityOut) as tf.SymbolicTensor;
  const graph = topologicalNodes([probabilityOut, logitOut]);
  const targets = graph.filter((n) => n.layer === layer);
  if (targets.length !== 1) {
    throw new ModelSplitError(`layer '${layer.name}' is ${targets.length === 0 ? 'not on the path to the output' : `used ${targets.length} times in the model (shared layer); name a layer used once`}`);
  }
  const target = targets[0] as GraphNode;
  const aSymbol = target.outputs[0] as tf.SymbolicTensor;
  if (target.outputs.length !== 1) throw new ModelSplitError(`layer '${layer.name}' has ${target.outputs.length} outputs; CAM methods need one`);

  const dependent = new Set<number>([aSymbol.id]);
  const headNodes: GraphNode[] = [];
  const featureNodes: GraphNode[] = [];
  for (const node of graph) {
    if (node === target) featureNodes.push(node);
    else if (node.inputs.some((t) => dependent.has(t.id))) {
      node.outputs.forEach((t) => dependent.add(t.id));
      headNodes.push(node);
    } else if (!isInput(node)) featureNodes.push(node);
  }
  for (const out of [probabilityOut, logitOut]) {
    if (!dependent.has(out.id)) throw new ModelSplitError(`the model output does not depend on layer '${layer.name}'`);
  }
  const bypassIds: number[] = [];
  for (const node of headNodes) {
    for (const t of node.inputs) if (!dependent.has(t.id) && !bypassIds.includes(t.id)) bypassIds.push(t.id);
  }
  const inputId = (model.inputs[0] as tf.SymbolicTensor).id;
  const keep = new Set([inputId, aSymbol.id, ...bypassIds]);
  const headFor = (out: tf.SymbolicTensor): GraphNode[] => {
    const needed = new Set(topologicalNodes([out]).map((n) => n.outputs[0]?.id));
    return headNodes.filter((n) => needed.has(n.outputs[0]?.id));
  };
  const heads: Record<ModelOutput, GraphNode[]> = { probability: headFor(probabilityOut), logit: headFor(logitOut) };
  const flat = (t: tf.Tensor): tf.Tensor2D => (t.rank === 2 ? (t as tf.Tensor2D) : t.reshape([t.shape[0] ?? 1, -1]));

  return {
    layer: layer.name,
    layerClass: layer.getClassName(),
    automatic,
    features(x) {
      const values = new Map<number, tf.Tensor>([[inputId, x]]);
      run(featureNodes, values, keep);
      const activations = values.get(aSymbol.id) as tf.Tensor4D;
      return { activations, bypass: bypassIds.map((id) => values.get(id) as tf.Tensor) };
    },
    head(activations, bypass, output) {
      const n = activations.shape[0];
      const values = new Map<number, tf.Tensor>([[aSymbol.id, activations]]);
      bypassIds.forEach((id, i) => values.set(id, broadcastBatch(bypass[i] as tf.Tensor, n)));
      run(heads[output], values, null);
      const out = flat(values.get(output === 'logit' ? logitOut.id : probabilityOut.id) as tf.Tensor);
      return output === 'probability' && bundle.head === 'linear' ? tf.softmax(out) : out;
    },
  };
}
