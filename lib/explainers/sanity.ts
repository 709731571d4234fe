/**
 * Model-randomisation sanity check (Adebayo, Gilmer, Muelly, Goodfellow, Hardt & Kim 2018,
 * "Sanity Checks for Saliency Maps", NeurIPS, §3 "cascading randomization"): re-initialise the
 * model's top layers one more at a time, from the output down, explain the same image and class
 * again, and measure how similar the map stays (Spearman rank correlation, lib/metrics/spearman.ts,
 * of the input-resolution maps; ranks make the map's scale irrelevant). A method whose map does
 * not change when the model it explains is destroyed does not explain the model.
 *
 * Conventions:
 * - Layers randomised: top-level layers holding a weight of rank ≥ 2 (kernels), last first; k of
 *   them (`layers`, default 3). Each kernel is redrawn from Keras' default initialiser, Glorot
 *   uniform U(±√(6/(fan_in + fan_out))), seeded per layer from `seed`, so step i repeats the
 *   draws of step i − 1 and adds one layer (a cascade). Biases and BatchNorm statistics (rank 1)
 *   are kept: random variances could be negative. Same seed → same result.
 * - The model is never touched: each step loads a fresh copy from the model's serialised
 *   artifacts (`LayersModel.save` to memory), wrapped with createModelBundle so that the logit
 *   copy of a randomised last layer is rebuilt too, and disposed after the step.
 * - The class is the original explanation's (the predicted class stays fixed, as in the paper).
 * - Flag: ρ ≥ SANITY_UNCHANGED_RHO after all k layers are randomised. The threshold is ours (the
 *   paper reports correlations without one); model-independent methods (an edge detector) give 1.
 *   Two identical maps count as ρ = 1, even constant ones (where ρ is otherwise 0, spearman.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { spearman } from '@/lib/metrics/spearman';
import { createModelBundle, type ModelBundle } from '@/lib/models/bundle-core';
import { createRandom } from '@/lib/random';
import { throwIfAborted } from './params';
import { ExplainerError, type Explainer, type ExplainOptions, type Explanation } from './types';

/** At or above this Spearman ρ after randomisation, a method's map is called unchanged. */
export const SANITY_UNCHANGED_RHO = 0.8;
export const DEFAULT_SANITY_LAYERS = 3;

export interface SanityOptions extends ExplainOptions {
  readonly explainer: Explainer;
  /** How many top layers to randomise (cascade length). */
  readonly layers?: number;
  /** Called before each explanation: step 0 is the original model. */
  readonly onStep?: (step: number, total: number) => void;
}

export interface SanityStep {
  /** Layers randomised at this step, from the output down. */
  readonly randomized: readonly string[];
  readonly spearman: number;
}

export interface SanityResult {
  readonly method: string;
  readonly classIndex: number;
  readonly threshold: number;
  readonly steps: readonly SanityStep[];
  /** True when the map did not change (ρ ≥ threshold at the last step). */
  readonly flagged: boolean;
  readonly original: Explanation;
}

/** Top-level layers with a kernel (a weight of rank ≥ 2), from the output down. */
export function randomizableLayers(model: tf.LayersModel): string[] {
  return model.layers.filter((l) => l.weights.some((w) => w.shape.length >= 2)).map((l) => l.name).reverse();
}

/** Keras `computeFans`: receptive field × channels for conv kernels [..., in, out]. */
function fans(shape: readonly number[]): [number, number] {
  const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [(shape[shape.length - 2] as number) * receptive, (shape[shape.length - 1] as number) * receptive];
}

function randomize(model: tf.LayersModel, names: readonly string[], seed: number): void {
  names.forEach((name, i) => {
    const random = createRandom((seed + 7919 * (i + 1)) >>> 0);
    for (const w of model.getLayer(name).weights) {
      if (w.shape.length < 2) continue;
      const shape = w.shape as number[];
      const [fanIn, fanOut] = fans(shape);
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      const size = shape.reduce((a, b) => a * b, 1);
      tf.tidy(() => {
        w.write(tf.tensor(Float32Array.from({ length: size }, () => (2 * random.next() - 1) * limit), shape));
      });
    }
  });
}

async function artifactsOf(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  if (saved === null) throw new Error('sanity: the model could not be serialised');
  return saved;
}

export async function sanityCheck(options: SanityOptions): Promise<SanityResult> {
  const { explainer, bundle } = options;
  const name = explainer.name;
  const model = bundle.layersModel;
  if (model === undefined) throw new ExplainerError(name, 'model', 'the sanity check randomises layers, so it needs a LayersModel, not a graph model');
  const candidates = randomizableLayers(model);
  const k = options.layers ?? DEFAULT_SANITY_LAYERS;
  if (!Number.isInteger(k) || k < 1 || k > candidates.length) {
    throw new ExplainerError(name, 'layers', `must be an integer from 1 to ${candidates.length} (layers with weights in the model), got ${String(k)}`);
  }
  const seed = options.seed ?? 0;
  const base: ExplainOptions = { ...options };
  options.onStep?.(0, k);
  const original = await explainer.explain(base);
  const artifacts = await artifactsOf(model);
  const steps: SanityStep[] = [];
  for (let i = 1; i <= k; i++) {
    throwIfAborted(name, options.signal);
    options.onStep?.(i, k);
    const copy = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    let randomized: ModelBundle;
    try {
      randomize(copy, candidates.slice(0, i), seed);
      randomized = createModelBundle(copy, bundle.config, { name: `${bundle.dir} (top ${i} layers randomised)` });
    } catch (error) {
      copy.dispose();
      throw error;
    }
    try {
      const after = await explainer.explain({ ...base, bundle: randomized, target: { ...options.target, classIndex: original.classIndex } });
      const identical = after.map.data.every((v, j) => v === original.map.data[j]);
      steps.push({ randomized: candidates.slice(0, i), spearman: identical ? 1 : spearman(original.map.data, after.map.data) });
    } finally {
      randomized.dispose();
    }
  }
  const last = steps[steps.length - 1] as SanityStep;
  return { method: name, classIndex: original.classIndex, threshold: SANITY_UNCHANGED_RHO, steps, flagged: last.spearman >= SANITY_UNCHANGED_RHO, original };
}
