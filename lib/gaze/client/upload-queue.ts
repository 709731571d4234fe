/**
 * Durable, ordered upload of sample batches: every batch is written to a BatchStore (IndexedDB in
 * the browser) before it is sent, sent one at a time in seq order (the server requires time to
 * increase from one batch of a trial to the next), removed from the store once the server
 * answered 200 ({stored} or {duplicate: true}: (session, seq) is unique, so a retry after a lost
 * answer is harmless), and retried with capped exponential backoff and jitter on network errors,
 * 408/425/429 and 5xx. Any other status is permanent: the batch is dropped and reported (403
 * stops the queue: the token is no longer valid, e.g. after withdrawal).
 *
 * Backoff follows the "full jitter" variant of AWS's exponential backoff (Brooker 2015,
 * "Exponential Backoff And Jitter"), halved: delay = min(cap, base · 2^attempt) · (0.5 + 0.5 u).
 */
import type { PendingBatch } from './sample-batcher';

export interface BatchStore {
  put(batch: PendingBatch): Promise<void>;
  delete(seq: number): Promise<void>;
  /** All stored batches, ascending seq. */
  list(): Promise<PendingBatch[]>;
  clear(): Promise<void>;
}

export type SendResult = { ok: true } | { ok: false; status: number | null; detail: string };

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 500, capMs: 30_000 };

export function backoffDelay(attempt: number, opts: BackoffOptions, u: number): number {
  const exp = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt));
  return exp * (0.5 + 0.5 * Math.min(1, Math.max(0, u)));
}

/** Whether a failed send is worth retrying: network errors (status null), 408, 425, 429, 5xx. */
export function isRetryable(status: number | null): boolean {
  return status === null || status === 408 || status === 425 || status === 429 || status >= 500;
}

export class MemoryBatchStore implements BatchStore {
  private readonly batches = new Map<number, PendingBatch>();
  async put(batch: PendingBatch): Promise<void> {
    this.batches.set(batch.seq, batch);
  }
  async delete(seq: number): Promise<void> {
    this.batches.delete(seq);
  }
  async list(): Promise<PendingBatch[]> {
    return [...this.batches.values()].sort((a, b) => a.seq - b.seq);
  }
  async clear(): Promise<void> {
    this.batches.clear();
  }
}

export type QueueState = 'idle' | 'sending' | 'waiting_retry' | 'stopped';

export interface UploadQueueOptions {
  store: BatchStore;
  send: (batch: PendingBatch) => Promise<SendResult>;
  backoff?: BackoffOptions;
  /** Uniform [0, 1) for jitter. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  onPermanentError?: (batch: PendingBatch, result: Extract<SendResult, { ok: false }>) => void;
  onStateChange?: (state: QueueState, pending: number) => void;
  onStoreError?: (err: unknown) => void;
}

export class UploadQueue {
  private queue: PendingBatch[] = [];
  private running = false;
  /** Batches handed to enqueue() whose store write has not finished yet. */
  private storing = 0;
  private tail: Promise<void> = Promise.resolve();
  private stopped = false;
  private waiters: Array<() => void> = [];
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: UploadQueueOptions) {
    this.backoff = opts.backoff ?? DEFAULT_BACKOFF;
    this.random = opts.random ?? Math.random;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  get pending(): number {
    return this.queue.length + this.storing;
  }

  /** Loads batches left in the store by an earlier page (after a reload) and sends them. */
  async restore(): Promise<number> {
    const stored = await this.opts.store.list();
    const known = new Set(this.queue.map((b) => b.seq));
    for (const b of stored) if (!known.has(b.seq)) this.queue.push(b);
    this.queue.sort((a, b) => a.seq - b.seq);
    this.pump();
    return stored.length;
  }

  /**
   * Stores the batch durably, then queues it for sending. Calls are serialised, so batches enter
   * the queue in call order. A store failure (IndexedDB unavailable or full) is reported and the
   * batch is still sent from memory: durability is lost, not data.
   */
  enqueue(batch: PendingBatch): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.storing += 1;
    const step = this.tail.then(async () => {
      try {
        await this.opts.store.put(batch);
      } catch (err) {
        this.opts.onStoreError?.(err);
      } finally {
        this.storing -= 1;
      }
      if (this.stopped) return;
      this.queue.push(batch);
      this.queue.sort((a, b) => a.seq - b.seq);
      this.pump();
    });
    this.tail = step;
    return step;
  }

  /** Resolves once every batch handed to enqueue() so far is in the store (or failed to be). */
  stored(): Promise<void> {
    return this.tail;
  }

  /** Resolves once nothing is pending (or the queue was stopped). */
  drain(): Promise<void> {
    if (this.pending === 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops sending; stored batches stay in the store unless `clear` is set. */
  async stop(clear = false): Promise<void> {
    this.stopped = true;
    this.queue = [];
    this.settle();
    if (clear) await this.opts.store.clear();
    this.opts.onStateChange?.('stopped', 0);
  }

  private settle(): void {
    if (this.pending > 0 && !this.stopped) return;
    const w = this.waiters;
    this.waiters = [];
    for (const resolve of w) resolve();
  }

  private pump(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.run().finally(() => {
      this.running = false;
      if (this.queue.length > 0 && !this.stopped) this.pump();
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      const head = this.queue[0];
      if (!head) break;
      this.opts.onStateChange?.('sending', this.queue.length);
      let result: SendResult;
      try {
        result = await this.opts.send(head);
      } catch (err) {
        result = { ok: false, status: null, detail: err instanceof Error ? err.message : String(err) };
      }
      if (this.stopped) return;
      if (!result.ok && isRetryable(result.status)) {
        this.opts.onStateChange?.('waiting_retry', this.queue.length);
        await this.sleep(backoffDelay(attempt, this.backoff, this.random()));
        attempt += 1;
        continue;
      }
      attempt = 0;
      this.queue.shift();
      try {
        await this.opts.store.delete(head.seq);
      } catch (err) {
        this.opts.onStoreError?.(err);
      }
      if (!result.ok) {
        this.opts.onPermanentError?.(head, result);
        if (result.status === 403) {
          await this.stop(true);
          return;
        }
      }
    }
    this.opts.onStateChange?.('idle', this.queue.length);
    this.settle();
  }
}
