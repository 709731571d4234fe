/**
 * Messages between the /explain page and the explainer Web Worker (worker.ts).
 *
 * The page imports only the types of this file (`import type`), so neither zod nor TF.js enters
 * the page bundle; the worker validates every request with `workerRequestSchema` before acting.
 * Typed arrays travel as transferables (image RGBA to the worker, maps back), Files (local model
 * files) as structured clones: nothing is uploaded.
 *
 *   page → worker                            worker → page
 *   init {backend}                           ready {backend report, methods}
 *   load-model {id, source}                  model-loaded {id, model}
 *   explain {id, image, methods, params,     progress {id, method, done, total}
 *            target, seed, layer?, batch?,   result {id, explanation}  (one per method;
 *            curves?}                               with curves when asked)
 *                                            done {id}
 *   cancel {id}                              error {id, name: 'AbortError', …}
 *   dispose                                  disposed
 *   (any failure)                            error {id | null, name, message, field?}
 */
import { z } from 'zod';
import type { ConfigSource, Preprocessing } from '@/lib/models/bundle-core';

export const BACKENDS = ['wasm', 'webgl', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
export type BackendChoice = 'auto' | BackendName;

/** Where the demo model is served (public/models/demo-shapes). */
export const DEMO_MODEL_URL = '/models/demo-shapes/model.json';
/** Where scripts/copy-public-assets.mjs puts tfjs-backend-wasm's binaries. */
export const WASM_PATH_PREFIX = '/tfjs-wasm/';

const targetSchema = z.object({
  classIndex: z.union([z.literal('predicted'), z.number().int().nonnegative()]),
  output: z.enum(['logit', 'probability']),
});

const modelSourceSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('url'), url: z.string().regex(/^\/(?!\/)/, 'must be a path on this origin') }),
  z.object({
    kind: z.literal('files'),
    modelJson: z.instanceof(File),
    weights: z.array(z.instanceof(File)),
    config: z.instanceof(File).nullable(),
    /** Teachable Machine metadata.json; gazebench.json wins when both are picked. */
    metadata: z.instanceof(File).nullable(),
  }),
]);
export type ModelSource = z.infer<typeof modelSourceSchema>;

const imageSchema = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    rgba: z.instanceof(Uint8Array),
  })
  .refine((i) => i.rgba.length === i.width * i.height * 4, { message: 'rgba must hold width × height × 4 bytes', path: ['rgba'] });

export const workerRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('init'), backend: z.enum(['auto', ...BACKENDS]) }),
  z.object({ type: z.literal('load-model'), id: z.string().min(1), source: modelSourceSchema }),
  z.object({
    type: z.literal('explain'),
    id: z.string().min(1),
    image: imageSchema,
    methods: z.array(z.string().min(1)).min(1),
    /** Parameters per method name; a method without an entry uses its defaults. */
    params: z.record(z.string(), z.record(z.string(), z.unknown())),
    target: targetSchema,
    seed: z.number().int(),
    layer: z.string().min(1).optional(),
    batchSize: z.number().int().positive().optional(),
    /**
     * Also compute the insertion and deletion curves of each map (lib/evaluation/evaluate.ts, the
     * server's conventions) for the run's step and class rule; the server spot-checks them (issue 18).
     */
    curves: z.object({ step: z.number().int().positive(), classIndex: z.union([z.literal('predicted'), z.number().int().nonnegative()]) }).optional(),
  }),
  z.object({ type: z.literal('cancel'), id: z.string().min(1) }),
  z.object({ type: z.literal('dispose') }),
]);
export type WorkerRequest = z.infer<typeof workerRequestSchema>;
export type ExplainRequest = Extract<WorkerRequest, { type: 'explain' }>;

/** What the worker chose and why; shown to the user. */
export interface BackendReport {
  readonly name: BackendName;
  /** How it was chosen: 'auto' (timing probe) or 'user'. */
  readonly chosenBy: 'auto' | 'user';
  /** WASM only: SIMD binary in use, and XNNPACK threads (1 = single-threaded; see backend.ts). */
  readonly simd?: boolean;
  readonly threads?: number;
  readonly crossOriginIsolated: boolean;
  /** Median ms of the probe workload per backend tried (auto only). */
  readonly probeMs: Partial<Record<BackendName, number>>;
  /** Backends that could not start, with the reason. */
  readonly unavailable: Partial<Record<BackendName, string>>;
  /** One line for the page, e.g. "wasm (SIMD, 2 threads) — fastest in probe". */
  readonly summary: string;
}

/** An explainer of the registry, as the page needs it (plain data). */
export interface MethodInfo {
  readonly name: string;
  readonly kind: 'cam' | 'perturbation' | 'gradient';
  readonly description: string;
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly presets: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly needsLayersModel: boolean;
}

export interface ModelInfo {
  readonly name: string;
  readonly format: 'layers-model' | 'graph-model';
  readonly labels: readonly string[];
  readonly inputSize: readonly [number, number];
  readonly preprocessing: Preprocessing;
  readonly numClasses: number;
  readonly targetLayer: string | null;
  readonly configSource: ConfigSource;
  readonly notes: readonly string[];
  /** Every method and whether it can run on this model, and why not (lib/explainers/capability.ts). */
  readonly methods: readonly { readonly method: string; readonly ok: boolean; readonly reason?: string }[];
}

export interface MapMessage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
}

export interface ExplanationMessage {
  readonly method: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly classIndex: number;
  readonly score: number;
  /** At the model's input resolution, not normalised (lib/explainers/types.ts). */
  readonly map: MapMessage;
  readonly raw?: MapMessage;
  readonly layer?: string;
  /** Wall time of the method in the worker (curves included). */
  readonly ms: number;
  /** Insertion/deletion curves of `map` when the request asked (n + 1 probabilities each). */
  readonly curves?: CurvesMessage;
}

export interface CurvesMessage {
  readonly classIndex: number;
  readonly step: number;
  readonly insertion: readonly number[];
  readonly deletion: readonly number[];
}

export type WorkerResponse =
  | { readonly type: 'ready'; readonly backend: BackendReport; readonly methods: readonly MethodInfo[] }
  | { readonly type: 'model-loaded'; readonly id: string; readonly model: ModelInfo }
  | { readonly type: 'progress'; readonly id: string; readonly method: string; readonly done: number; readonly total: number }
  | { readonly type: 'result'; readonly id: string; readonly explanation: ExplanationMessage }
  /** `tensors`: tf.memory().numTensors after the request (equal before and after: no leak). */
  | { readonly type: 'done'; readonly id: string; readonly tensors: number }
  | { readonly type: 'disposed' }
  | {
      readonly type: 'error';
      /** The request that failed; null for init or an unparseable request. */
      readonly id: string | null;
      /** 'AbortError' after a cancel; 'ExplainerError', 'ModelBundleError', 'Error' … otherwise. */
      readonly name: string;
      readonly message: string;
      readonly field?: string;
    };
