/**
 * Insertion and deletion for a map whose browser sent its own curves (issue 18): the server checks
 * the client's curves at seeded random points instead of recomputing all of them, with exactly the
 * conventions of evaluate.ts (model-input space, deletion to zeros, insertion from the RISE blur,
 * softmax probability, the run's class rule and step) and the same substitution loop
 * (lib/metrics `curvePointsAt`, one code path with the full curve).
 *
 * Per curve: indices = {0, n} ∪ k interior ones from `seed` (lib/scoring/curve-check.ts); accepted
 * ('client-verified') when every |client − server| ≤ τ, the stored curve then being the client's
 * and its AUC the server's `curveAuc` of it. Otherwise, or when the client's class or step is not
 * the server's, the whole curve is recomputed and stored ('client-rejected') with the reason; a rejected
 * deletion curve (checked first) makes the insertion curve of the same map recomputed too.
 * Cost: 1 + 2(k + 2) forward passes per image when both curves pass, instead of 1 + 2(n + 1).
 */
import { curveAuc } from '@/lib/metrics/curve-auc';
import { curvePointsAt, deletionCurve, insertionCurve, type ModelImage } from '@/lib/metrics/insertion-deletion';
import { MetricError } from '@/lib/metrics/errors';
import type { Grid } from '@/lib/metrics/types';
import type { ModelBundle } from '@/lib/models/bundle';
import { DEFAULT_BATCH_SIZE, scoreBatchFor } from '@/lib/models/predict';
import { preprocess } from '@/lib/models/preprocess';
import type { ClientCurves } from '@/lib/scoring/client-curves';
import { sampleCurveIndices, spotCheck } from '@/lib/scoring/curve-check';
import type { CurveSource } from '@/lib/scoring/curve-source';
import { saliencyAtInputSize } from './evaluate';

export interface VerifyCurvesInput {
  readonly bundle: ModelBundle;
  readonly image: { readonly rgba: Uint8Array; readonly width: number; readonly height: number };
  readonly saliency: Grid;
  readonly client: ClientCurves;
  readonly classIndex?: number | 'predicted';
  readonly step?: number;
  /** k interior points per curve, τ, and the seed the server drew after the upload. */
  readonly samples: number;
  readonly tolerance: number;
  readonly seed: string;
  readonly batchSize?: number;
  readonly signal?: AbortSignal;
  readonly pause?: () => Promise<void>;
}

export interface CurveCheckRecord {
  readonly seed: string;
  readonly k: number;
  readonly tolerance: number;
  /** Indices checked and the server's scores there (empty when the class or step differed). */
  readonly indices: number[];
  readonly server: number[];
  readonly maxDiff: number | null;
  readonly worstIndex: number | null;
  /** Why the client curve was rejected; absent when accepted. */
  readonly reason?: string;
}

export interface VerifiedCurve {
  readonly curve: number[];
  readonly auc: number;
  readonly source: Extract<CurveSource, 'client-verified' | 'client-rejected'>;
  readonly check: CurveCheckRecord;
}

export interface VerifiedCurves {
  readonly classIndex: number;
  readonly label: string;
  readonly step: number;
  readonly insertion: VerifiedCurve;
  readonly deletion: VerifiedCurve;
}

const WHO = 'verifyCurves';

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

export async function verifyClientCurves(input: VerifyCurvesInput): Promise<VerifiedCurves> {
  const { bundle, client, signal } = input;
  const [height, width] = bundle.config.inputSize;
  const step = input.step ?? width;
  const batchSize = input.batchSize ?? DEFAULT_BATCH_SIZE;
  const saliency = saliencyAtInputSize(input.saliency, width, height, bundle.config.preprocessing);
  const data = preprocess(input.image.rgba, input.image.width, input.image.height, bundle.config.preprocessing, bundle.config.inputSize);
  const modelImage: ModelImage = { width, height, channels: bundle.channels, data };
  const forward = scoreBatchFor(bundle, { output: 'probability', batchSize });
  const { pause } = input;
  const scoreBatch: typeof forward = pause ? async (batch) => (await pause(), forward(batch)) : forward;
  const requested = input.classIndex ?? 'predicted';
  if (requested !== 'predicted' && !(Number.isInteger(requested) && requested >= 0 && requested < bundle.numClasses)) {
    throw new MetricError(WHO, 'classIndex', `${requested} is out of range for a model with ${bundle.numClasses} classes`);
  }
  signal?.throwIfAborted();
  const classIndex = requested === 'predicted' ? argmax((await scoreBatch([data]))[0] as Float32Array) : requested;
  const steps = Math.ceil((width * height) / step);
  const options = { step, classIndex, batchSize, ...(signal ? { signal } : {}) };
  // k as checked: at most the n − 1 interior points.
  const base = { seed: input.seed, k: Math.min(input.samples, Math.max(0, steps - 1)), tolerance: input.tolerance };

  let mismatch: string | null = null;
  if (client.classIndex !== classIndex) mismatch = `the client's class ${client.classIndex} is not the server's ${classIndex}`;
  else if (client.step !== step) mismatch = `the client's step ${client.step} is not the run's ${step}`;
  else if (client.insertion.length !== steps + 1 || client.deletion.length !== steps + 1) mismatch = `the client's curves do not have ${steps + 1} scores`;

  const full = async (kind: 'insertion' | 'deletion'): Promise<{ curve: number[]; auc: number }> => {
    const c = kind === 'deletion' ? await deletionCurve(modelImage, saliency, scoreBatch, options) : await insertionCurve(modelImage, saliency, scoreBatch, options);
    return { curve: Array.from(c.curve), auc: c.auc };
  };
  const one = async (kind: 'insertion' | 'deletion'): Promise<VerifiedCurve> => {
    if (mismatch !== null) {
      return { ...(await full(kind)), source: 'client-rejected', check: { ...base, indices: [], server: [], maxDiff: null, worstIndex: null, reason: mismatch } };
    }
    const indices = sampleCurveIndices(input.seed, kind, steps, input.samples);
    const points = await curvePointsAt(kind, modelImage, saliency, scoreBatch, indices, options);
    const check = spotCheck(client[kind], points.indices, points.scores, input.tolerance);
    const record = { ...base, indices: Array.from(points.indices), server: Array.from(points.scores), maxDiff: check.maxDiff, worstIndex: check.worstIndex };
    if (check.ok) return { curve: [...client[kind]], auc: curveAuc(client[kind]), source: 'client-verified', check: record };
    const reason = `point ${check.worstIndex} differs by ${check.maxDiff.toPrecision(3)} > τ = ${input.tolerance}`;
    return { ...(await full(kind)), source: 'client-rejected', check: { ...record, reason } };
  };
  const deletion = await one('deletion');
  // A map whose deletion curve was wrong has shown its client unreliable: its insertion curve is
  // recomputed too rather than spot-checked.
  if (mismatch === null && deletion.source === 'client-rejected') mismatch = `the deletion curve of this map was rejected (${deletion.check.reason ?? ''})`;
  const insertion = await one('insertion');
  return { classIndex, label: bundle.config.labels[classIndex] ?? String(classIndex), step, insertion, deletion };
}
