/**
 * The browser side of one participant session: API calls with the token, the session clock, the
 * gaze source's samples cut into batches (SampleBatcher) and uploaded durably in order
 * (UploadQueue over IndexedDB), trial start/complete, and the clean-up that leaves nothing behind
 * (camera released, upload database deleted, sessionStorage entry removed; localStorage is never
 * written). React components drive it; it holds no UI state.
 *
 * Ordering: a trial's batches are queued only after its `start` was acknowledged, and the trial
 * is completed only after all its batches were acknowledged, so the server always knows the
 * trial's rectangle before its samples and has every sample before it detects fixations.
 */
import type { CompleteSessionResponse, TrialStartRequest } from '@/lib/studies/contract';
import type { GazeSample, GazeSource, Stimulus } from './gaze-source';
import { IdbBatchStore, deleteUploadDb } from './idb-batch-store';
import { SessionApi } from './participant-api';
import { SampleBatcher, type PendingBatch } from './sample-batcher';
import { clearSession, saveSession, seqAllocator, sessionClock, type KeyValueStorage, type StoredSession } from './session-store';
import { MemoryBatchStore, UploadQueue, type BatchStore, type QueueState } from './upload-queue';

export interface RuntimeEvents {
  onQueueState?: (state: QueueState, pending: number) => void;
  /** A batch the server refused for good (logged for the participant-facing error line). */
  onUploadError?: (detail: string) => void;
}

export class SessionRuntime {
  readonly api: SessionApi;
  /** Session clock, ms (see session-store.ts). */
  readonly now: () => number;
  private readonly offset: number;
  private readonly store: BatchStore & { destroy?: () => Promise<void> };
  private readonly queue: UploadQueue;
  private readonly batcher: SampleBatcher;
  private source: GazeSource | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly taps = new Set<(s: GazeSample) => void>();
  private readonly startAcks = new Map<string, Promise<unknown>>();

  constructor(
    readonly session: StoredSession,
    private readonly storage: KeyValueStorage,
    events: RuntimeEvents = {},
  ) {
    this.api = new SessionApi(session.sessionId, session.token);
    this.now = sessionClock(session.clockOrigin, performance.timeOrigin, () => performance.now());
    this.offset = performance.timeOrigin - session.clockOrigin;
    this.store = typeof indexedDB === 'undefined' ? new MemoryBatchStore() : new IdbBatchStore(session.sessionId);
    this.queue = new UploadQueue({
      store: this.store,
      send: (b) => this.api.sendBatch(b),
      onStateChange: events.onQueueState,
      onPermanentError: (b, r) => events.onUploadError?.(`batch ${b.seq} refused (${r.status ?? 'network'}): ${r.detail}`),
      onStoreError: (err) => events.onUploadError?.(`offline storage unavailable: ${err instanceof Error ? err.message : String(err)}`),
    });
    this.batcher = new SampleBatcher({
      allocateSeq: seqAllocator(storage, session),
      onBatch: (b) => this.queueAfterStart(b),
    });
    saveSession(storage, session);
  }

  get modality(): 'webcam' | 'mouse' {
    return this.session.modality;
  }

  /** Switches to the mouse alternative on the server (before any trial), then here. */
  async switchModality(modality: 'webcam' | 'mouse'): Promise<void> {
    const r = await this.api.switchModality(modality);
    this.session.modality = r.modality;
    saveSession(this.storage, this.session);
  }

  /**
   * After a reload: a trial whose viewing had ended gets its stored batches sent and is completed
   * (returns its id). Batches of an interrupted viewing are dropped: that trial is shown again, and
   * the server discards the earlier showing's samples when it restarts.
   */
  async resumePending(): Promise<string | null> {
    const viewed = this.session.viewedTrialId;
    if (!viewed) {
      await this.store.clear();
      return null;
    }
    await this.queue.restore();
    await this.queue.drain();
    try {
      await this.api.completeTrial(viewed, {});
      return viewed;
    } finally {
      delete this.session.viewedTrialId;
      saveSession(this.storage, this.session);
    }
  }

  attachSource(source: GazeSource): void {
    this.unsubscribe?.();
    this.source = source;
    this.unsubscribe = source.onSample((s) => {
      const sample = { ...s, t: s.t + this.offset };
      this.batcher.add(sample);
      for (const tap of this.taps) tap(sample);
    });
  }

  get gazeSource(): GazeSource | null {
    return this.source;
  }

  /** Also receive every sample (session clock), e.g. for validation; returns the unsubscribe. */
  tap(cb: (s: GazeSample) => void): () => void {
    this.taps.add(cb);
    return () => {
      this.taps.delete(cb);
    };
  }

  show(stimulus: Stimulus): void {
    this.source?.setStimulus?.(stimulus);
  }

  /** The image is on screen since `body.shownAt`: record its samples from now on. */
  startTrial(trialId: string, body: TrialStartRequest): Promise<unknown> {
    const ack = this.api.startTrial(trialId, body);
    this.startAcks.set(trialId, ack);
    this.batcher.setTrial(trialId);
    return ack;
  }

  /** The image is gone: stop recording, upload everything, then let the server detect fixations. */
  async completeTrial(trialId: string): Promise<{ fixations: number; passed?: boolean }> {
    this.batcher.setTrial(null);
    await this.startAcks.get(trialId);
    // Every batch of the viewing is in IndexedDB now: from here a reload completes this trial.
    await this.queue.stored();
    this.session.viewedTrialId = trialId;
    saveSession(this.storage, this.session);
    await this.queue.drain();
    this.startAcks.delete(trialId);
    const r = await this.api.completeTrial(trialId, {});
    delete this.session.viewedTrialId;
    saveSession(this.storage, this.session);
    return r;
  }

  private queueAfterStart(batch: PendingBatch): void {
    const ack = this.startAcks.get(batch.trialId) ?? Promise.resolve();
    // A refused start is reported by the caller awaiting startTrial(); its samples have no trial.
    void ack.then(
      () => this.queue.enqueue(batch),
      () => undefined,
    );
  }

  async complete(): Promise<CompleteSessionResponse> {
    this.batcher.setTrial(null);
    await this.queue.drain();
    const result = await this.api.complete();
    await this.dispose();
    return result;
  }

  /** Withdrawal: stop uploading, ask the server to delete everything, leave nothing here. */
  async withdraw(): Promise<void> {
    this.batcher.setTrial(null);
    await this.queue.stop(true);
    try {
      await this.api.withdraw();
    } finally {
      await this.dispose();
    }
  }

  /** Camera off, listeners gone, upload database deleted, sessionStorage entry removed. */
  async dispose(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.taps.clear();
    const source = this.source;
    this.source = null;
    await this.queue.stop(true);
    await source?.stop();
    if (this.store.destroy) await this.store.destroy();
    else if (typeof indexedDB !== 'undefined') await deleteUploadDb(this.session.sessionId);
    clearSession(this.storage, this.session.slug);
  }
}
