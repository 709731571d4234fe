/**
 * What a graph model (tensorflowjs_converter `tf_saved_model` / TF Hub output: model.json with a
 * GraphDef `modelTopology.node` list) allows, read from its nodes without TF.js:
 * - `dynamicOp`: the first control-flow, dynamic-shape or hash-table op on the path to the output
 *   (tfjs-converter executor/model_analysis.ts: Switch, Merge, Enter, Exit, NextIteration, If,
 *   While …, NonMaxSuppressionV2–V5, Where, HashTable …, plus LoopCond and ListDiff, whose kernels
 *   return promises). With one, TF.js runs the graph only with `executeAsync`, which tf.grad cannot
 *   differentiate; without, `execute` is synchronous and differentiable where every op has a
 *   gradient (tf.grad over `model.execute`).
 * - `camCandidates`: nodes whose output is a spatial (NHWC) activation, by op: convolutions
 *   (Conv2D, _FusedConv2D, DepthwiseConv2dNative, FusedDepthwiseConv2dNative,
 *   Conv2DBackpropInput) and the ops that transform them element-wise or merge them without
 *   pooling (BiasAdd, Relu/Relu6/Elu/…, FusedBatchNorm*, Add/AddV2/AddN, ConcatV2, Mul, Maximum,
 *   Minimum) when one of their inputs is spatial. Pooling, padding, reshaping and MatMul end the
 *   spatial run. The automatic CAM node is the last candidate in topological order on the path to
 *   the output (the graph counterpart of split.ts's "last conv layer": `conv5_block3_out`'s Relu,
 *   MobileNetV2's `out_relu` Relu6 …). Shapes are not in converted graphs; the activation's rank is
 *   checked when it is computed (graph-split.ts).
 * - `splitPlan(target)`: the nodes downstream of the target on the way to an output, and the
 *   "bypass" inputs they read that do not depend on the target (skip connections around it, the
 *   input placeholder); feeding the target's value and the bypass values to `model.execute` runs
 *   only the head, since TF.js's executor starts from fed nodes.
 * - `graphHead`: the final Softmax/Sigmoid behind Identity/Reshape/Squeeze ops, and the logit
 *   node (its input) when only Identity ops follow it.
 */
import type { HeadActivation } from './bundle-core';

export interface GraphNodeDef {
  readonly name: string;
  readonly op: string;
  /** Inputs as written (`node`, `node:1`, `^node` for a control input). */
  readonly inputs: readonly string[];
}

export interface GraphIndex {
  readonly nodes: ReadonlyMap<string, GraphNodeDef>;
}

/** tfjs-converter's sets (model_analysis.ts) and the ops whose kernels are asynchronous. */
const DYNAMIC_OPS = new Set([
  'Switch', 'Merge', 'Enter', 'Exit', 'NextIteration', 'LoopCond', 'StatelessIf', 'StatelessWhile', 'If', 'if', 'While',
  'NonMaxSuppressionV2', 'NonMaxSuppressionV3', 'NonMaxSuppressionV4', 'NonMaxSuppressionV5', 'Where', 'ListDiff',
  'HashTable', 'HashTableV2', 'LookupTableImport', 'LookupTableImportV2', 'LookupTableFind', 'LookupTableFindV2', 'LookupTableSize', 'LookupTableSizeV2',
]);
const CONV_OPS = new Set(['Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative', 'Conv2DBackpropInput']);
const SPATIAL_FOLLOWER_OPS = new Set([
  'BiasAdd', 'Relu', 'Relu6', 'Elu', 'Selu', 'LeakyRelu', 'Prelu', 'Sigmoid', 'Tanh', 'Softplus', 'Swish',
  'FusedBatchNorm', 'FusedBatchNormV2', 'FusedBatchNormV3', 'Add', 'AddV2', 'AddN', 'ConcatV2', 'Mul', 'Maximum', 'Minimum',
]);
const PASS_THROUGH_OPS = new Set(['Identity', 'Reshape', 'Squeeze']);

/** `^a`, `a:1`, `a` → `a`. */
export function nodeOf(input: string): string {
  return input.replace(/^\^/, '').replace(/:\d+$/, '');
}

/** The node list of a parsed model.json (malformed entries are skipped: TF.js reports those). */
export function graphIndex(modelJson: unknown): GraphIndex {
  const topology = typeof modelJson === 'object' && modelJson !== null ? (modelJson as { modelTopology?: { node?: unknown } }).modelTopology : undefined;
  const list = Array.isArray(topology?.node) ? (topology.node as unknown[]) : [];
  const nodes = new Map<string, GraphNodeDef>();
  for (const n of list) {
    if (typeof n !== 'object' || n === null) continue;
    const { name, op, input } = n as { name?: unknown; op?: unknown; input?: unknown };
    if (typeof name !== 'string' || typeof op !== 'string') continue;
    nodes.set(name, { name, op, inputs: Array.isArray(input) ? input.filter((i): i is string => typeof i === 'string') : [] });
  }
  return { nodes };
}

/** Nodes `outputs` depend on, inputs first (iterative depth-first post-order, inputs in order). */
export function ancestorsInOrder(index: GraphIndex, outputs: readonly string[]): GraphNodeDef[] {
  const order: GraphNodeDef[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: Array<{ name: string; expanded: boolean }> = [...outputs].reverse().map((name) => ({ name: nodeOf(name), expanded: false }));
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as { name: string; expanded: boolean };
    const node = index.nodes.get(top.name);
    if (node === undefined || state.get(top.name) === 'done' || (!top.expanded && state.get(top.name) === 'open')) {
      stack.pop();
      continue;
    }
    if (top.expanded) {
      stack.pop();
      state.set(top.name, 'done');
      order.push(node);
      continue;
    }
    top.expanded = true;
    state.set(top.name, 'open');
    for (const input of [...node.inputs].reverse()) if (state.get(nodeOf(input)) === undefined) stack.push({ name: nodeOf(input), expanded: false });
  }
  return order;
}

/** First op on the path to `outputs` that TF.js runs only with executeAsync; null when none. */
export function dynamicOpOf(index: GraphIndex, outputs: readonly string[]): GraphNodeDef | null {
  return ancestorsInOrder(index, outputs).find((n) => DYNAMIC_OPS.has(n.op)) ?? null;
}

/** Candidate CAM nodes (rule in the header), inputs first. */
export function camCandidates(index: GraphIndex, outputs: readonly string[]): string[] {
  const spatial = new Set<string>();
  const out: string[] = [];
  for (const node of ancestorsInOrder(index, outputs)) {
    const fromSpatial = node.inputs.some((i) => !i.startsWith('^') && spatial.has(nodeOf(i)));
    if (CONV_OPS.has(node.op) || (SPATIAL_FOLLOWER_OPS.has(node.op) && fromSpatial)) {
      spatial.add(node.name);
      out.push(node.name);
    }
  }
  return out;
}

export interface SplitPlan {
  /** Values the head reads that do not depend on the target: fed with it (names as the graph writes them). */
  readonly bypass: string[];
  /** Outputs (of those asked) that depend on the target. */
  readonly reached: string[];
}

/** Head of the graph from `target` to `outputs` (see the header). */
export function splitPlan(index: GraphIndex, target: string, outputs: readonly string[]): SplitPlan {
  const nodes = ancestorsInOrder(index, outputs);
  const dependent = new Set([target]);
  const head: GraphNodeDef[] = [];
  for (const node of nodes) {
    if (node.name === target) continue;
    if (node.inputs.some((i) => dependent.has(nodeOf(i)))) {
      dependent.add(node.name);
      head.push(node);
    }
  }
  const bypass: string[] = [];
  for (const node of head) {
    for (const input of node.inputs) {
      const name = nodeOf(input);
      const producer = index.nodes.get(name);
      if (dependent.has(name) || producer === undefined || producer.op === 'Const') continue;
      const fed = input.startsWith('^') ? name : input;
      if (!bypass.includes(fed)) bypass.push(fed);
    }
  }
  return { bypass, reached: outputs.filter((o) => dependent.has(nodeOf(o))) };
}

/** Final activation behind Identity/Reshape/Squeeze ops; the logit node when only Identity ops follow it. */
export function graphHead(index: GraphIndex, outputNode: string): { head: HeadActivation; logitNode: string | null } {
  let node = index.nodes.get(nodeOf(outputNode));
  let reshaped = false;
  while (node !== undefined && PASS_THROUGH_OPS.has(node.op) && node.inputs[0] !== undefined) {
    if (node.op !== 'Identity') reshaped = true;
    node = index.nodes.get(nodeOf(node.inputs[0]));
  }
  if (node === undefined || (node.op !== 'Softmax' && node.op !== 'Sigmoid')) return { head: 'linear', logitNode: null };
  const input = node.inputs[0];
  return { head: node.op === 'Softmax' ? 'softmax' : 'sigmoid', logitNode: reshaped || input === undefined ? null : nodeOf(input) };
}

/** What the rest of the code needs to know about a graph model (kept on the bundle). */
export interface GraphFacts {
  readonly index: GraphIndex;
  readonly outputNode: string;
  readonly head: HeadActivation;
  readonly logitNode: string | null;
  /** First op needing executeAsync on the path to the output, null when the graph runs synchronously. */
  readonly dynamicOp: { readonly name: string; readonly op: string } | null;
  /** CAM candidates (rule in the header), inputs first; the last is the automatic choice. */
  readonly camCandidates: readonly string[];
}

export function analyseGraph(modelJson: unknown, outputNode: string): GraphFacts {
  const index = graphIndex(modelJson);
  const { head, logitNode } = graphHead(index, outputNode);
  const outputs = [outputNode, ...(logitNode === null ? [] : [logitNode])];
  const dynamic = dynamicOpOf(index, outputs);
  return {
    index, outputNode: nodeOf(outputNode), head, logitNode,
    dynamicOp: dynamic === null ? null : { name: dynamic.name, op: dynamic.op },
    camCandidates: camCandidates(index, outputs),
  };
}
