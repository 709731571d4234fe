/**
 * Explainer parameters: the caller's values checked against the method's defaults, defaults filled
 * in, so that `Explanation.params` says exactly what ran. Shared by every explainer.
 *
 * Rules: a key the method does not have → ExplainerError listing the keys it accepts. A value
 * must have its default's type; strings (from the CLI's `--param k=v` or a form field) are
 * converted when they spell a finite number or true/false. Numbers must be finite. The key
 * `preset` (methods with `presets`) starts from the named preset instead of the defaults; explicit
 * values override it.
 */
import { DEFAULT_BATCH_SIZE } from '@/lib/models/predict';
import { ExplainerError } from './types';

export type ParamValue = number | string | boolean;
export type Params = Readonly<Record<string, ParamValue>>;

function convert(method: string, key: string, value: unknown, like: ParamValue): ParamValue {
  const field = `params.${key}`;
  if (typeof like === 'number') {
    const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new ExplainerError(method, field, `expected a finite number, got ${JSON.stringify(value)}`);
    return n;
  }
  if (typeof like === 'boolean') {
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    throw new ExplainerError(method, field, `expected true or false, got ${JSON.stringify(value)}`);
  }
  if (typeof value !== 'string') throw new ExplainerError(method, field, `expected a string, got ${JSON.stringify(value)}`);
  return value;
}

/** Defaults (or a preset) overridden by `given`; throws ExplainerError for unknown keys or bad values. */
export function resolveParams(
  method: string,
  defaults: Params,
  given: Readonly<Record<string, unknown>> = {},
  presets: Readonly<Record<string, Params>> = {},
): Record<string, ParamValue> {
  const resolved: Record<string, ParamValue> = { ...defaults };
  const presetName = given.preset;
  if (presetName !== undefined) {
    const names = Object.keys(presets);
    const preset = typeof presetName === 'string' && Object.hasOwn(presets, presetName) ? presets[presetName] : undefined;
    if (preset === undefined) {
      throw new ExplainerError(method, 'params.preset', names.length === 0 ? 'this method has no presets' : `unknown preset ${JSON.stringify(presetName)} (${names.join(', ')})`);
    }
    Object.assign(resolved, preset, { preset: presetName });
  }
  for (const [key, value] of Object.entries(given)) {
    if (key === 'preset') continue;
    if (!Object.hasOwn(defaults, key)) {
      const accepted = Object.keys(defaults);
      throw new ExplainerError(method, `params.${key}`, `unknown parameter (${accepted.length === 0 ? 'this method takes none' : `accepted: ${accepted.join(', ')}`})`);
    }
    resolved[key] = convert(method, key, value, defaults[key] as ParamValue);
  }
  return resolved;
}

/** The AbortError of types.ts, thrown between batches when `signal` is aborted. */
export function throwIfAborted(method: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new DOMException(`${method}: aborted`, 'AbortError');
}

/** Checks ExplainOptions.batchSize (default DEFAULT_BATCH_SIZE of lib/models/predict.ts, 16). */
export function resolveBatchSize(method: string, batchSize: number | undefined): number {
  const b = batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(b) || b < 1) throw new ExplainerError(method, 'batchSize', `must be a positive integer, got ${String(batchSize)}`);
  return b;
}

/** Lets the event loop run (a worker's abort message, a CLI's signal handler) between batches. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
