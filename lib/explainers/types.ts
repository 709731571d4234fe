/**
 * The contract every explainer in lib/explainers implements (issue 4). TF.js lives only in
 * lib/models and lib/explainers; everything an explainer returns is plain typed arrays so that
 * lib/metrics, the CLI, the Web Worker and the server can use it without TF.js.
 *
 * Conventions (pytorch-grad-cam's habits, see ../shared/STYLE.md):
 * - `map` is the explanation at the model's input resolution (inputSize [h, w] of the bundle),
 *   row-major, NOT normalised (CAMs after ReLU and bilinear upsampling, RISE/LIME in their own
 *   units); callers min-max scale for display and files (`normalizeForOutput`).
 * - `raw` is the map at feature resolution for CAM methods (the target layer's h×w), else absent.
 * - `params` are the parameters actually used, defaults filled in, so a result is reproducible.
 * - The class is explicit: `target.classIndex` a number, or 'predicted' (argmax of the model's
 *   probability on the unmodified image); `score` is the target output (logit or probability)
 *   for that class on the unmodified image.
 * - No tensors leak: `tf.memory().numTensors` is the same before and after `explain`.
 * - Seeded: the same seed and inputs give an identical map (RISE, LIME, SmoothGrad, GradientSHAP).
 * - `signal` aborts between batches with an `AbortError` (DOMException name 'AbortError'); with a
 *   `pool`, between rounds of pool.size batches.
 */
import type { Grid } from '@/lib/metrics/types';
import type { ModelBundle, ModelOutput } from '@/lib/models/bundle-core';
import type { ForwardPool } from '@/lib/models/forward-pool-contract';

export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** RGBA bytes, row-major. */
  readonly rgba: Uint8Array;
}

export interface ExplainerTarget {
  readonly classIndex: number | 'predicted';
  readonly output: ModelOutput;
}

export interface ExplainProgress {
  /** Units of work done and in total (forward/backward passes or batches; method-specific). */
  readonly done: number;
  readonly total: number;
}

export interface ExplainOptions {
  readonly bundle: ModelBundle;
  readonly image: RgbaImage;
  readonly target: ExplainerTarget;
  /** Method parameters; unknown keys or bad values → ExplainerError naming the parameter. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Layer whose activations CAM methods use, by name or by path into nested models (`sequential_1/model1/out_relu`); default: bundle.config.targetLayer, else the last conv layer (lib/models/split.ts). */
  readonly layer?: string;
  readonly seed?: number;
  /** Inputs per forward pass for perturbation/batched methods (default 16). */
  readonly batchSize?: number;
  readonly onProgress?: (progress: ExplainProgress) => void;
  readonly signal?: AbortSignal;
  /**
   * Worker threads with copies of this bundle (lib/models/forward-pool.ts) for the independent
   * forward passes of Score-CAM, RISE and LIME: pool.size batches of `batchSize` run at once, cut
   * and combined in the same order as without it, so the map is the same. Absent: this thread.
   */
  readonly pool?: ForwardPool | null;
}

export interface Explanation {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly classIndex: number;
  readonly score: number;
  /** At input resolution (bundle inputSize), not normalised. */
  readonly map: Grid<Float32Array>;
  /** At feature resolution, CAM methods only. */
  readonly raw?: Grid<Float32Array>;
  /** Layer used by CAM methods. */
  readonly layer?: string;
  /** Method-specific extras, e.g. LIME's superpixel weights and segment map. */
  readonly extras?: Readonly<Record<string, unknown>>;
}

export type ExplainerKind = 'cam' | 'perturbation' | 'gradient';

export interface Explainer {
  readonly name: string;
  readonly kind: ExplainerKind;
  /** One-line description for the CLI help and the playground. */
  readonly description: string;
  /** Defaults of every parameter the method accepts (its presets are named in `presets`). */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly presets?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  /**
   * True when the method needs more than forward passes (gradients or layer activations): a
   * LayersModel, or a graph model without control flow. Whether it runs on a given bundle is
   * capability.ts's `capabilityOfKind` / index.ts's `methodsFor`.
   */
  readonly needsLayersModel: boolean;
  explain(options: ExplainOptions): Promise<Explanation>;
}

/** Bad input to an explainer (parameter, layer, class, model lacking what the method needs). */
export class ExplainerError extends Error {
  readonly method: string;
  readonly field: string;

  constructor(method: string, field: string, reason: string) {
    super(`${method}: ${field}: ${reason}`);
    this.name = 'ExplainerError';
    this.method = method;
    this.field = field;
  }
}
