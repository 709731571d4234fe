/**
 * Feature/head split of a graph model at one node, for CAM methods: the graph counterpart of
 * split.ts, with the same FeatureSplit contract (cam-base.ts does not know which it has).
 *
 * TF.js's graph executor computes only what the requested outputs need and starts from fed
 * nodes (tfjs-converter 4.22 executor/graph_executor.ts `execute` + model_analysis.ts
 * `getExecutionSubgraph`: a fed node is a dead end, its producers are not run), so
 *  - `features(x)` = `model.execute(x, [target, ...bypass])`,
 *  - `head(A, bypass)` = `model.execute({[target]: A, ...bypass}, output)`, the output as a function
 *    of A that tf.grad differentiates (only the synchronous `execute` is differentiable).
 * The bypass values (graph-analysis.ts `splitPlan`) are what the head reads that does not depend
 * on the target; batch-1 ones are broadcast to A's batch (Score-/Ablation-CAM run the head on a
 * batch of modified activations of one image), as split.ts does.
 * The node: `layerName` (a node name; default: gazebench.json targetLayer, else the last
 * candidate of graph-analysis.ts). Its output must be 4-D (checked on the activation, since
 * converted graphs carry no shapes); otherwise ModelSplitError lists the candidates.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelBundle, ModelOutput } from './bundle-core';
import { nodeOf, splitPlan } from './graph-analysis';
import { ModelSplitError, type FeatureSplit } from './split';

/** How many candidate names an error lists (as split.ts). */
const NAMES_IN_ERRORS = 6;

function listNames(names: readonly string[]): string {
  const tail = names.slice(-NAMES_IN_ERRORS);
  return tail.length === 0 ? 'the graph has no convolution node with a 4-D output' : `4-D nodes near the output: ${names.length > tail.length ? '…, ' : ''}${tail.join(', ')}`;
}

function broadcastBatch(t: tf.Tensor, n: number): tf.Tensor {
  return t.shape[0] === 1 && n > 1 ? tf.broadcastTo(t, [n, ...t.shape.slice(1)]) : t;
}

/** Splits the bundle's GraphModel at `layerName` (see the header); throws ModelSplitError. */
export function splitGraphModel(bundle: ModelBundle, layerName?: string): FeatureSplit {
  const model = bundle.graphModel;
  const facts = bundle.graph;
  if (model === undefined || facts === undefined) throw new ModelSplitError('not a graph model');
  if (facts.dynamicOp !== null) {
    throw new ModelSplitError(`the graph has the dynamic op ${facts.dynamicOp.op} ('${facts.dynamicOp.name}'): TF.js runs it only with executeAsync, which CAM methods cannot split or differentiate`);
  }
  const requested = layerName ?? bundle.config.targetLayer;
  const automatic = requested === undefined;
  const target = requested === undefined ? facts.camCandidates.at(-1) : nodeOf(requested);
  if (target === undefined) throw new ModelSplitError(`the graph has no convolution node with a 4-D (NHWC) output, so CAM methods cannot be used; use a gradient or perturbation method`);
  const node = facts.index.nodes.get(target);
  if (node === undefined) throw new ModelSplitError(`no node named '${target}' in the graph (${listNames(facts.camCandidates)})`);
  const outputs: Record<ModelOutput, string> = {
    probability: facts.outputNode,
    logit: bundle.head === 'linear' || facts.logitNode === null ? facts.outputNode : facts.logitNode,
  };
  const plan = splitPlan(facts.index, target, [outputs.probability, outputs.logit]);
  if (!plan.reached.includes(outputs.probability)) {
    throw new ModelSplitError(`the model output does not depend on node '${target}' (${listNames(facts.camCandidates)})`);
  }
  const flat = (t: tf.Tensor): tf.Tensor2D => (t.rank === 2 ? (t as tf.Tensor2D) : t.reshape([t.shape[0] ?? 1, -1]));
  return {
    layer: target,
    layerClass: node.op,
    automatic,
    features(x) {
      // execute returns a bare tensor for one output, an array for several.
      const result = model.execute(x, [target, ...plan.bypass]);
      const [a, ...bypass] = Array.isArray(result) ? result : [result];
      if (a === undefined || a.rank !== 4) {
        throw new ModelSplitError(`node '${target}' (${node.op}) outputs shape [${a?.shape.join(', ') ?? '?'}], not a 4-D NHWC activation (${listNames(facts.camCandidates)})`);
      }
      return { activations: a as tf.Tensor4D, bypass };
    },
    head(activations, bypass, output) {
      if (output === 'logit' && bundle.head !== 'linear' && facts.logitNode === null) {
        throw new ModelSplitError(`logits are not available: the final ${bundle.head} is followed by a reshape`);
      }
      const n = activations.shape[0];
      const feeds: tf.NamedTensorMap = { [target]: activations };
      plan.bypass.forEach((name, i) => (feeds[name] = broadcastBatch(bypass[i] as tf.Tensor, n)));
      const out = flat(model.execute(feeds, outputs[output]) as tf.Tensor);
      return output === 'probability' && bundle.head === 'linear' ? tf.softmax(out) : out;
    },
  };
}
