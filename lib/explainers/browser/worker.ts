/**
 * The explainer Web Worker: the only place the /explain page runs TF.js. It starts a backend
 * (backend.ts), loads one model at a time (load-model.ts), runs the explainers of the registry
 * (lib/explainers/index.ts, the same code as the Node CLI) and answers with plain typed arrays
 * (protocol.ts). Requests are validated with zod and run one after another; `cancel` aborts the
 * running request through its AbortSignal; `dispose` frees the model and every tensor, then closes
 * the worker.
 */
import * as tf from '@tensorflow/tfjs';
import { assertCanRun, EXPLAINERS, getExplainer } from '@/lib/explainers';
import type { Explainer, Explanation } from '@/lib/explainers/types';
import { initBackend } from './backend';
import { loadBrowserModel, type LoadedModel } from './load-model';
import type { ExplainRequest, ExplanationMessage, MapMessage, MethodInfo, WorkerResponse } from './protocol';
import { workerRequestSchema } from './protocol';

/** Progress messages are sent at most this often (plus the last one of each method). */
const PROGRESS_INTERVAL_MS = 50;

let ready = false;
let loaded: LoadedModel | null = null;
/** Runs requests one after another; cancel and dispose bypass it. */
let queue: Promise<void> = Promise.resolve();
const controllers = new Map<string, AbortController>();
/** Ids cancelled while still waiting in the queue. */
const cancelledEarly = new Set<string>();

function send(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, { transfer });
}

function sendError(id: string | null, error: unknown): void {
  const e = error instanceof Error || error instanceof DOMException ? error : new Error(String(error));
  const field = (e as { field?: unknown }).field;
  send({ type: 'error', id, name: e.name, message: e.message, ...(typeof field === 'string' ? { field } : {}) });
}

function abortError(): DOMException {
  return new DOMException('cancelled', 'AbortError');
}

function methodInfo(e: Explainer): MethodInfo {
  return { name: e.name, kind: e.kind, description: e.description, defaults: e.defaults, presets: e.presets ?? {}, needsLayersModel: e.needsLayersModel };
}

/** A map whose buffer can be transferred (its own, exactly sized). */
function ownMap(map: { width: number; height: number; data: Float32Array }): MapMessage {
  const d = map.data;
  const data = d.byteOffset === 0 && d.byteLength === d.buffer.byteLength ? d : d.slice();
  return { width: map.width, height: map.height, data };
}

function toMessage(explanation: Explanation, ms: number): ExplanationMessage {
  return {
    method: explanation.method,
    params: explanation.params,
    classIndex: explanation.classIndex,
    score: explanation.score,
    map: ownMap(explanation.map),
    ...(explanation.raw !== undefined ? { raw: ownMap(explanation.raw) } : {}),
    ...(explanation.layer !== undefined ? { layer: explanation.layer } : {}),
    ms,
  };
}

async function explain(request: ExplainRequest): Promise<void> {
  if (loaded === null) throw Object.assign(new Error('no model loaded'), { field: 'model' });
  const { bundle } = loaded;
  if (cancelledEarly.delete(request.id)) throw abortError();
  const explainers = request.methods.map(getExplainer);
  // Refuse what this model cannot run before the first method starts (one readable line, e.g. a
  // graph with control flow has no gradients); ExplainerError names the method and the field.
  for (const explainer of explainers) assertCanRun(bundle, explainer);
  const controller = new AbortController();
  controllers.set(request.id, controller);
  try {
    for (const explainer of explainers) {
      if (controller.signal.aborted) throw abortError();
      let lastProgress = 0;
      const t0 = performance.now();
      const explanation = await explainer.explain({
        bundle,
        image: request.image,
        target: request.target,
        params: request.params[explainer.name] ?? {},
        ...(request.layer !== undefined ? { layer: request.layer } : {}),
        seed: request.seed,
        ...(request.batchSize !== undefined ? { batchSize: request.batchSize } : {}),
        signal: controller.signal,
        onProgress: ({ done, total }) => {
          const now = performance.now();
          if (done < total && now - lastProgress < PROGRESS_INTERVAL_MS) return;
          lastProgress = now;
          send({ type: 'progress', id: request.id, method: explainer.name, done, total });
        },
      });
      const message = toMessage(explanation, performance.now() - t0);
      send({ type: 'result', id: request.id, explanation: message }, [message.map.data.buffer, ...(message.raw ? [message.raw.data.buffer] : [])]);
    }
    send({ type: 'done', id: request.id, tensors: tf.memory().numTensors });
  } finally {
    controllers.delete(request.id);
  }
}

function dispose(): void {
  for (const c of controllers.values()) c.abort();
  loaded?.bundle.dispose();
  loaded = null;
  tf.disposeVariables();
  send({ type: 'disposed' });
  self.close();
}

self.addEventListener('message', (event: MessageEvent<unknown>) => {
  const parsed = workerRequestSchema.safeParse(event.data);
  if (!parsed.success) {
    const id = typeof (event.data as { id?: unknown } | null)?.id === 'string' ? (event.data as { id: string }).id : null;
    const issue = parsed.error.issues[0];
    sendError(id, Object.assign(new Error(`bad request: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`), { field: issue?.path.join('.') ?? '' }));
    return;
  }
  const request = parsed.data;
  if (request.type === 'cancel') {
    const controller = controllers.get(request.id);
    if (controller !== undefined) controller.abort();
    else cancelledEarly.add(request.id);
    return;
  }
  if (request.type === 'dispose') {
    dispose();
    return;
  }
  const id = request.type === 'init' ? null : request.id;
  queue = queue
    .then(async () => {
      if (request.type === 'init') {
        if (ready) throw new Error('the worker is already initialised; start a new one to change the backend');
        const backend = await initBackend(request.backend);
        ready = true;
        send({ type: 'ready', backend, methods: Object.values(EXPLAINERS).map(methodInfo) });
        return;
      }
      if (!ready) throw new Error('send init first');
      if (request.type === 'load-model') {
        loaded?.bundle.dispose();
        loaded = null;
        loaded = await loadBrowserModel(request.source);
        send({ type: 'model-loaded', id: request.id, model: loaded.info });
        return;
      }
      if (controllers.has(request.id)) throw new Error(`request id ${request.id} is already running`);
      await explain(request);
    })
    .catch((error: unknown) => sendError(id, error));
});
