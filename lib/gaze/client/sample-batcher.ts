/**
 * Cuts the stream of gaze samples of the current trial into upload batches for
 * `POST /api/v1/sessions/{id}/samples` ({seq, trialId, samples: [[t_ms, x, y, flags]]}, see
 * docs of the participant API): at most MAX_SAMPLES_PER_BATCH samples or BATCH_SPAN_MS of
 * sample time per batch, one seq per batch from a per-session counter, time strictly increasing.
 *
 * Conventions: coordinates are viewport CSS pixels rounded to 0.1 px and times rounded to
 * 0.1 ms (webcam gaze error is ~200 px and WebGazer samples every ~30-60 ms, so nothing is lost
 * and bodies stay ~20 bytes per sample); a face-lost sample keeps its time, carries x = y = 0
 * and flag FLAG_FACE_LOST; samples whose time does not increase are dropped (the server rejects a
 * batch whose time goes backwards, and a repeated timestamp carries no information).
 */
import { FLAG_FACE_LOST } from '@/lib/gaze/samples';
import type { GazeSample } from './gaze-source';

/**
 * Server cap, the contract's MAX_SAMPLES_PER_BATCH (not imported: lib/studies/contract.ts would
 * bring zod into the page; a unit test keeps the two equal).
 */
export const MAX_SAMPLES_PER_BATCH = 200;
/** About one batch per second (issue 5, "Data path"). */
export const BATCH_SPAN_MS = 1000;

export type WireSample = [t: number, x: number, y: number, flags: number];

export interface PendingBatch {
  seq: number;
  trialId: string;
  samples: WireSample[];
}

const round1 = (v: number) => Math.round(v * 10) / 10;

export function toWireSample(s: GazeSample): WireSample {
  return s.faceLost ? [round1(s.t), 0, 0, FLAG_FACE_LOST] : [round1(s.t), round1(s.x), round1(s.y), 0];
}

export interface SampleBatcherOptions {
  /** Hands out the next seq (persisted by the caller so that a reload never reuses one). */
  allocateSeq: () => number;
  /** Receives every finished batch. */
  onBatch: (batch: PendingBatch) => void;
  maxSamples?: number;
  spanMs?: number;
}

export class SampleBatcher {
  private trialId: string | null = null;
  private buffer: WireSample[] = [];
  private lastT = -Infinity;
  private readonly maxSamples: number;
  private readonly spanMs: number;

  constructor(private readonly opts: SampleBatcherOptions) {
    this.maxSamples = opts.maxSamples ?? MAX_SAMPLES_PER_BATCH;
    this.spanMs = opts.spanMs ?? BATCH_SPAN_MS;
    if (!(this.maxSamples >= 1 && this.maxSamples <= MAX_SAMPLES_PER_BATCH)) throw new RangeError('maxSamples must be in 1..200');
    if (!(this.spanMs > 0)) throw new RangeError('spanMs must be positive');
  }

  /** The trial whose samples are collected now (null: none, samples are ignored). Flushes first. */
  setTrial(trialId: string | null): void {
    this.flush();
    this.trialId = trialId;
    this.lastT = -Infinity;
  }

  get currentTrial(): string | null {
    return this.trialId;
  }

  add(sample: GazeSample): void {
    if (this.trialId === null || !Number.isFinite(sample.t)) return;
    if (!sample.faceLost && !(Number.isFinite(sample.x) && Number.isFinite(sample.y))) return;
    const wire = toWireSample(sample);
    if (wire[0] <= this.lastT) return;
    const first = this.buffer[0];
    if (first && wire[0] - first[0] >= this.spanMs) this.flush();
    this.buffer.push(wire);
    this.lastT = wire[0];
    if (this.buffer.length >= this.maxSamples) this.flush();
  }

  /** Emits the buffered samples as one batch (nothing when empty). */
  flush(): void {
    if (this.trialId === null || this.buffer.length === 0) return;
    const batch: PendingBatch = { seq: this.opts.allocateSeq(), trialId: this.trialId, samples: this.buffer };
    this.buffer = [];
    this.opts.onBatch(batch);
  }
}
