/**
 * The explainer registry: every method the CLI (`gazebench explain`, `gazebench sanity`), the
 * playground worker and the server know, by name. To add a method: one import and one entry.
 */
import { ablationCam } from './ablationcam';
import { eigenCam } from './eigencam';
import { fem } from './fem';
import { gradCam } from './gradcam';
import { gradCamPlusPlus } from './gradcampp';
import { scoreCam } from './scorecam';
import { rise } from './rise';
import { lime } from './lime';
import { gradient } from './gradient';
import { integratedGradients } from './integrated-gradients';
import { smoothGrad } from './smoothgrad';
import { gradientShap } from './gradient-shap';
import { capabilityOfKind, type MethodCapability } from './capability';
import { ExplainerError, type Explainer } from './types';
import type { ModelBundle } from '@/lib/models/bundle-core';

export * from './types';
export * from './capability';
export { resolveCamLayer } from './cam-base';

export const EXPLAINERS: Readonly<Record<string, Explainer>> = {
  gradcam: gradCam,
  gradcampp: gradCamPlusPlus,
  scorecam: scoreCam,
  ablationcam: ablationCam,
  fem,
  eigencam: eigenCam,
  rise,
  lime,
  gradient,
  integratedgradients: integratedGradients,
  smoothgrad: smoothGrad,
  gradientshap: gradientShap,
};

/** Methods whose forward passes can run on a ForwardPool (ExplainOptions.pool): the rest ignore it. */
export const POOLED_METHODS: ReadonlySet<string> = new Set(['scorecam', 'rise', 'lime']);

/** Registered method names, in registry order. */
export function explainerNames(): string[] {
  return Object.keys(EXPLAINERS);
}

/** The explainer called `name`; unknown → ExplainerError listing the registered names. */
export function getExplainer(name: string): Explainer {
  const explainer = Object.hasOwn(EXPLAINERS, name) ? EXPLAINERS[name] : undefined;
  if (explainer === undefined) throw new ExplainerError(name, 'method', `unknown method (available: ${explainerNames().join(', ')})`);
  return explainer;
}

export interface MethodCapabilityEntry extends MethodCapability {
  readonly method: string;
}

/** Every registered method with whether it can run on `bundle` and why not (capability.ts), in registry order. */
export function methodsFor(bundle: ModelBundle): MethodCapabilityEntry[] {
  const byKind = new Map<Explainer['kind'], MethodCapability>();
  return Object.values(EXPLAINERS).map((e) => {
    let cap = byKind.get(e.kind);
    if (cap === undefined) {
      cap = capabilityOfKind(bundle, e.kind);
      byKind.set(e.kind, cap);
    }
    return { method: e.name, ...cap };
  });
}
