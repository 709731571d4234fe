/**
 * Which methods of the registry can run on a bundle, and why not, decided before a run starts
 * (CLI `gazebench explain`, the upload answer, the browser worker), from what the model is:
 * - perturbation methods (RISE, LIME) need forward passes only: every bundle, graphs with control
 *   flow included (their passes go through `executeAsync`, bundle.forwardAsync);
 * - gradient methods need tf.grad through the model: every LayersModel, and graph models without
 *   control flow or dynamic ops (tf.grad differentiates the synchronous `model.execute` only);
 * - CAM methods need a layer's activations and the output as a function of them: a LayersModel with
 *   a conv layer (split.ts), or a synchronous graph with a 4-D convolution node (graph-split.ts).
 * `methodsFor(bundle)` (index.ts) lists every registered method with its capability.
 * A refusal names the field the CLI reports ('model', or 'layer' when there is no conv layer, as
 * the explainers themselves say) and a one-line reason.
 */
import type { ModelBundle } from '@/lib/models/bundle-core';
import { featureLayerCandidates } from '@/lib/models/split';
import { ExplainerError, type Explainer, type ExplainerKind } from './types';

export interface MethodCapability {
  readonly ok: boolean;
  /** Why the method cannot run (absent when ok). */
  readonly reason?: string;
  /** Field the refusal is about: 'model' or 'layer'. */
  readonly field?: 'model' | 'layer';
}

const NO_CONV = 'the model has no convolutional layer with a 4-D (NHWC) output, so CAM methods cannot be used; use a gradient or perturbation method';
const NO_CONV_NODE = 'the graph has no convolution node with a 4-D (NHWC) output, so CAM methods cannot be used; use a gradient or perturbation method';

function dynamicReason(bundle: ModelBundle, what: string): string | null {
  const op = bundle.graph?.dynamicOp;
  if (op === undefined || op === null) return null;
  return `the graph has the dynamic op ${op.op} ('${op.name}'), which TF.js runs only with executeAsync; ${what} need the synchronous, differentiable model.execute, so only perturbation methods (rise, lime) run on this model`;
}

/** Whether methods of `kind` can run on `bundle`. */
export function capabilityOfKind(bundle: ModelBundle, kind: ExplainerKind): MethodCapability {
  if (kind === 'perturbation') return { ok: true };
  if (bundle.format === 'graph-model') {
    const dynamic = dynamicReason(bundle, kind === 'cam' ? 'CAM methods' : 'gradient methods');
    if (dynamic !== null) return { ok: false, reason: dynamic, field: 'model' };
    if (kind === 'cam' && (bundle.graph?.camCandidates.length ?? 0) === 0) return { ok: false, reason: NO_CONV_NODE, field: 'layer' };
    return { ok: true };
  }
  if (bundle.layersModel === undefined) return { ok: false, reason: 'the bundle has no model to differentiate', field: 'model' };
  if (kind === 'cam' && featureLayerCandidates(bundle.layersModel).length === 0) return { ok: false, reason: NO_CONV, field: 'layer' };
  return { ok: true };
}

/** Throws ExplainerError(method, field, reason) when `explainer` cannot run on `bundle`. */
export function assertCanRun(bundle: ModelBundle, explainer: Pick<Explainer, 'name' | 'kind'>): void {
  const cap = capabilityOfKind(bundle, explainer.kind);
  if (!cap.ok) throw new ExplainerError(explainer.name, cap.field ?? 'model', cap.reason ?? 'cannot run on this model');
}
