/**
 * Page side of the explainer worker: starts worker.ts as a module Web Worker (bundled by Next from
 * `new URL('./worker.ts', import.meta.url)`), turns the message protocol into promises, and ends
 * it cleanly. TF.js is loaded only inside the worker; this file imports types alone from
 * protocol.ts, so the page bundle carries neither TF.js nor zod.
 */
import type {
  BackendChoice,
  BackendReport,
  ExplainRequest,
  ExplanationMessage,
  MethodInfo,
  ModelInfo,
  ModelSource,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

/** How long `dispose` waits for the worker to free its tensors before terminating it. */
const DISPOSE_TIMEOUT_MS = 2000;

export class WorkerRequestError extends Error {
  readonly field: string | undefined;

  constructor(name: string, message: string, field?: string) {
    super(message);
    this.name = name;
    this.field = field;
  }
}

export interface ExplainCallbacks {
  onProgress?: (method: string, done: number, total: number) => void;
  onResult?: (explanation: ExplanationMessage) => void;
}

type ErrorResponse = Extract<WorkerResponse, { type: 'error' }>;

interface Pending {
  onMessage: (message: WorkerResponse) => void;
  reject: (error: Error) => void;
}

export interface StartedWorker {
  readonly client: ExplainerClient;
  readonly backend: BackendReport;
  readonly methods: readonly MethodInfo[];
}

function toError(message: ErrorResponse): WorkerRequestError {
  return new WorkerRequestError(message.name, message.message, message.field);
}

export class ExplainerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private closed = false;

  private constructor(worker: Worker) {
    this.worker = worker;
    worker.addEventListener('message', (event: MessageEvent<WorkerResponse>) => this.dispatch(event.data));
    worker.addEventListener('error', (event) => this.failAll(new Error(`explainer worker failed: ${event.message || 'could not start'}`)));
    worker.addEventListener('messageerror', () => this.failAll(new Error('explainer worker sent a message that could not be read')));
  }

  /** Starts a worker on `backend` and waits until TF.js is ready there. */
  static start(backend: BackendChoice): Promise<StartedWorker> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module', name: 'gazebench-explainer' });
    const client = new ExplainerClient(worker);
    return new Promise<StartedWorker>((resolve, reject) => {
      client.pending.set('init', {
        onMessage: (message) => {
          client.pending.delete('init');
          if (message.type === 'ready') resolve({ client, backend: message.backend, methods: message.methods });
          else if (message.type === 'error') reject(toError(message));
        },
        reject,
      });
      client.post({ type: 'init', backend });
    }).catch((error: unknown) => {
      worker.terminate();
      throw error;
    });
  }

  private post(request: WorkerRequest, transfer: Transferable[] = []): void {
    if (this.closed) throw new Error('the explainer worker has been disposed');
    this.worker.postMessage(request, transfer);
  }

  private dispatch(message: WorkerResponse): void {
    let key: string;
    switch (message.type) {
      case 'ready':
        key = 'init';
        break;
      case 'disposed':
        key = 'dispose';
        break;
      case 'error':
        key = message.id ?? 'init';
        break;
      default:
        key = message.id;
    }
    const pending = this.pending.get(key);
    if (pending !== undefined) pending.onMessage(message);
    else if (message.type === 'error') console.error(`explainer worker: ${message.name}: ${message.message}`);
  }

  private failAll(error: Error): void {
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }

  private request<T>(build: (id: string) => [WorkerRequest, Transferable[]], handle: (m: WorkerResponse, resolve: (v: T) => void) => void): { id: string; promise: Promise<T> } {
    const id = `r${this.nextId++}`;
    const promise = new Promise<T>((resolve, reject) => {
      const finish = (v: T) => {
        this.pending.delete(id);
        resolve(v);
      };
      this.pending.set(id, {
        onMessage: (message) => {
          if (message.type === 'error') {
            this.pending.delete(id);
            reject(toError(message));
          } else {
            handle(message, finish);
          }
        },
        reject,
      });
      const [request, transfer] = build(id);
      this.post(request, transfer);
    });
    return { id, promise };
  }

  /** Loads a model (the demo URL, or local files that stay in the browser). */
  loadModel(source: ModelSource): Promise<ModelInfo> {
    return this.request<ModelInfo>(
      (id) => [{ type: 'load-model', id, source }, []],
      (message, resolve) => {
        if (message.type === 'model-loaded') resolve(message.model);
      },
    ).promise;
  }

  /**
   * Runs the methods on one image; results arrive per method through `onResult`. The image's
   * RGBA buffer is transferred (it is unusable here afterwards). `cancel` makes the promise
   * reject with an AbortError.
   */
  explain(request: Omit<ExplainRequest, 'type' | 'id'>, callbacks: ExplainCallbacks = {}): { promise: Promise<void>; cancel: () => void } {
    const { id, promise } = this.request<void>(
      (rid) => [{ ...request, type: 'explain', id: rid }, [request.image.rgba.buffer]],
      (message, resolve) => {
        if (message.type === 'progress') callbacks.onProgress?.(message.method, message.done, message.total);
        else if (message.type === 'result') callbacks.onResult?.(message.explanation);
        else if (message.type === 'done') resolve();
      },
    );
    const cancel = (): void => {
      if (!this.closed) this.post({ type: 'cancel', id });
    };
    return { promise, cancel };
  }

  /** Frees the worker's tensors and model, then terminates it. Pending requests reject. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    const disposed = new Promise<void>((resolve) => {
      this.pending.set('dispose', { onMessage: () => resolve(), reject: () => resolve() });
      setTimeout(resolve, DISPOSE_TIMEOUT_MS);
    });
    this.post({ type: 'dispose' });
    this.closed = true;
    await disposed;
    this.worker.terminate();
    this.failAll(new WorkerRequestError('AbortError', 'the explainer worker was closed'));
  }
}
