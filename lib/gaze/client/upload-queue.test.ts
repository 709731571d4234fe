import { describe, expect, it } from 'vitest';
import type { PendingBatch } from './sample-batcher';
import { backoffDelay, DEFAULT_BACKOFF, isRetryable, MemoryBatchStore, UploadQueue, type SendResult } from './upload-queue';

const batch = (seq: number): PendingBatch => ({ seq, trialId: 't', samples: [[seq * 10, 1, 2, 0]] });

/** A transport that answers from a script, recording the seqs it was asked to send. */
function scripted(answers: Array<SendResult | Error>) {
  const sent: number[] = [];
  const send = async (b: PendingBatch): Promise<SendResult> => {
    sent.push(b.seq);
    const a = answers.shift() ?? { ok: true };
    if (a instanceof Error) throw a;
    return a;
  };
  return { sent, send };
}

describe('backoff', () => {
  it('doubles from the base, is capped, and jitters within [½, 1] of the step', () => {
    const o = { baseMs: 100, capMs: 1000 };
    expect(backoffDelay(0, o, 1)).toBe(100);
    expect(backoffDelay(3, o, 1)).toBe(800);
    expect(backoffDelay(10, o, 1)).toBe(1000);
    expect(backoffDelay(3, o, 0)).toBe(400);
    expect(backoffDelay(50, DEFAULT_BACKOFF, 0.5)).toBe(DEFAULT_BACKOFF.capMs * 0.75);
  });

  it('retries network errors, 408, 425, 429 and 5xx only', () => {
    expect([null, 408, 425, 429, 500, 503].every(isRetryable)).toBe(true);
    expect([400, 401, 403, 404, 409, 413, 422].some(isRetryable)).toBe(false);
  });
});

describe('UploadQueue', () => {
  it('sends in seq order one at a time, stores before sending, and empties the store', async () => {
    const store = new MemoryBatchStore();
    let inFlight = 0;
    let maxInFlight = 0;
    const sent: number[] = [];
    const q = new UploadQueue({
      store,
      send: async (b) => {
        expect((await store.list()).map((x) => x.seq)).toContain(b.seq);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await new Promise((r) => setTimeout(r, 2));
        inFlight--;
        sent.push(b.seq);
        return { ok: true };
      },
    });
    await Promise.all([q.enqueue(batch(0)), q.enqueue(batch(1)), q.enqueue(batch(2))]);
    await q.drain();
    expect(sent).toEqual([0, 1, 2]);
    expect(maxInFlight).toBe(1);
    expect(await store.list()).toEqual([]);
    expect(q.pending).toBe(0);
  });

  it('retries a failing head with growing delays, keeping later batches behind it', async () => {
    const delays: number[] = [];
    const { sent, send } = scripted([new Error('offline'), { ok: false, status: 503, detail: 'busy' }, { ok: true }, { ok: true }]);
    const q = new UploadQueue({
      store: new MemoryBatchStore(),
      send,
      random: () => 1,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    await q.enqueue(batch(0));
    await q.enqueue(batch(1));
    await q.drain();
    expect(sent).toEqual([0, 0, 0, 1]);
    expect(delays).toEqual([DEFAULT_BACKOFF.baseMs, DEFAULT_BACKOFF.baseMs * 2]);
  });

  it('drops a batch the server refuses (400) and reports it, then goes on', async () => {
    const refused: number[] = [];
    const { sent, send } = scripted([{ ok: false, status: 400, detail: 'bad' }, { ok: true }]);
    const store = new MemoryBatchStore();
    const q = new UploadQueue({ store, send, onPermanentError: (b) => refused.push(b.seq) });
    await q.enqueue(batch(0));
    await q.enqueue(batch(1));
    await q.drain();
    expect(sent).toEqual([0, 1]);
    expect(refused).toEqual([0]);
    expect(await store.list()).toEqual([]);
  });

  it('stops on 403 (token gone) and clears the store', async () => {
    const { sent, send } = scripted([{ ok: false, status: 403, detail: 'forbidden' }]);
    const store = new MemoryBatchStore();
    const states: string[] = [];
    const q = new UploadQueue({ store, send, onStateChange: (s) => states.push(s) });
    await store.put(batch(5));
    await q.enqueue(batch(0));
    await q.drain();
    await q.enqueue(batch(1));
    expect(sent).toEqual([0]);
    expect(states).toContain('stopped');
    expect(await store.list()).toEqual([]);
  });

  it('restore() sends what an earlier page left in the store, in seq order, before new batches', async () => {
    const store = new MemoryBatchStore();
    await store.put(batch(4));
    await store.put(batch(3));
    const { sent, send } = scripted([]);
    const q = new UploadQueue({ store, send });
    expect(await q.restore()).toBe(2);
    await q.enqueue(batch(5));
    await q.drain();
    expect(sent).toEqual([3, 4, 5]);
  });

  it('drain() waits for a batch whose store write is still running', async () => {
    let release: () => void = () => undefined;
    const slow = new MemoryBatchStore();
    const put = slow.put.bind(slow);
    slow.put = async (b) => {
      await new Promise<void>((r) => {
        release = r;
      });
      await put(b);
    };
    const { sent, send } = scripted([]);
    const q = new UploadQueue({ store: slow, send });
    const enq = q.enqueue(batch(0));
    let drained = false;
    const d = q.drain().then(() => {
      drained = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(drained).toBe(false);
    release();
    await enq;
    await d;
    expect(sent).toEqual([0]);
  });

  it('a store failure loses durability, not data', async () => {
    const store = new MemoryBatchStore();
    store.put = async () => {
      throw new Error('QuotaExceededError');
    };
    const errors: unknown[] = [];
    const { sent, send } = scripted([]);
    const q = new UploadQueue({ store, send, onStoreError: (e) => errors.push(e) });
    await q.enqueue(batch(0));
    await q.drain();
    expect(sent).toEqual([0]);
    expect(errors).toHaveLength(1);
  });
});
