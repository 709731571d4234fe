/**
 * How the browser runner (app/workspace/runs/[id]) turns a stored run into explainer-worker
 * requests, and how it estimates the time left. Pure, so the rules are tested without a browser.
 *
 * A run stores its method parameters in `params`, plus one reserved key, `seed` (integer, default
 * 0, as `gazebench explain --seed`), the seed of randomised methods — the same seed for every image,
 * so a map can be reproduced from the run's record alone. Its `target` is
 * `{output: 'logit'|'probability', class: 'predicted'|'label'|<index>}` (lib/scoring/create-run.ts);
 * 'label' explains the class named by the image's label, which must be one of the model's labels.
 */

export const RUN_SEED_KEY = 'seed';
export const DEFAULT_RUN_SEED = 0;

export class RunPlanError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'RunPlanError';
  }
}

export interface StoredRun {
  readonly explainer: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly target: Readonly<Record<string, unknown>>;
}

export interface PlannedRequest {
  readonly methods: readonly [string];
  readonly params: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly target: { readonly classIndex: 'predicted' | number; readonly output: 'logit' | 'probability' };
  readonly seed: number;
}

/** The run's method parameters (without `seed`) and its seed. */
export function splitRunParams(params: Readonly<Record<string, unknown>>): { method: Record<string, unknown>; seed: number } {
  const { [RUN_SEED_KEY]: seed, ...method } = params;
  if (seed === undefined) return { method, seed: DEFAULT_RUN_SEED };
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) throw new RunPlanError('params.seed', `seed must be an integer, got ${JSON.stringify(seed)}`);
  return { method, seed };
}

/** The worker request for one image of the run (image pixels aside). */
export function planRequest(run: StoredRun, image: { readonly name: string; readonly classLabel: string | null }, labels: readonly string[]): PlannedRequest {
  const { method, seed } = splitRunParams(run.params);
  const output = run.target.output ?? 'probability';
  if (output !== 'logit' && output !== 'probability') throw new RunPlanError('target.output', `target output must be logit or probability, got ${JSON.stringify(output)}`);
  const rule = run.target.class ?? 'predicted';
  let classIndex: 'predicted' | number;
  if (rule === 'predicted') classIndex = 'predicted';
  else if (rule === 'label') {
    const index = image.classLabel === null ? -1 : labels.indexOf(image.classLabel);
    if (index < 0) {
      throw new RunPlanError('target.class', `image '${image.name}' has ${image.classLabel === null ? 'no label' : `label '${image.classLabel}', which is not one of the model's classes`}`);
    }
    classIndex = index;
  } else if (typeof rule === 'number' && Number.isInteger(rule) && rule >= 0 && rule < labels.length) classIndex = rule;
  else throw new RunPlanError('target.class', `target class must be predicted, label or a class index below ${labels.length}, got ${JSON.stringify(rule)}`);
  return { methods: [run.explainer], params: { [run.explainer]: method }, target: { classIndex, output }, seed };
}

/**
 * Seconds left for `remaining` images from the seconds the images of this sitting took (their
 * mean; null before the first one). Earlier sittings are not counted: the machine or the backend
 * may have changed since.
 */
export function etaFromDurations(durations: readonly number[], remaining: number): number | null {
  if (durations.length === 0) return remaining <= 0 ? 0 : null;
  let sum = 0;
  for (const d of durations) sum += d;
  return (sum / durations.length) * Math.max(0, remaining);
}
