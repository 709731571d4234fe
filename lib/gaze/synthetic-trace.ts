/**
 * Synthetic webcam-like gaze traces with known fixations, for tests, the ingest benchmark and the
 * integration tests (not a model of any particular tracker; every parameter is explicit).
 *
 * Model: the eye rests at each fixation for its duration, then moves to the next one in a
 * straight-line saccade of `saccadeMs`. The tracker samples at `rateHz` with per-frame timing jitter
 * (uniform ±timingJitterMs) and reports the true position plus Gaussian noise of `jitterDeg` per
 * axis (WebGazer's Kalman-smoothed output jitters by a fraction of a degree sample to sample; its
 * ~4° error is mostly a systematic offset per calibration, `offsetDeg`, which moves every fixation
 * alike and does not change how many are detected). Inside a gap the sample is flagged FACE_LOST.
 */
import type { Random } from '@/lib/random';
import { FLAG_FACE_LOST, type StoredSample } from './samples';

export interface TrueFixation {
  x: number;
  y: number;
  durationMs: number;
}

export interface TraceOptions {
  /** Pixels per degree of the coordinate space of the fixations. */
  ppd: number;
  rateHz?: number;
  jitterDeg?: number;
  timingJitterMs?: number;
  saccadeMs?: number;
  /** Systematic offset (degrees, per axis) added to every sample. */
  offsetDeg?: { x: number; y: number };
  /** Face-lost intervals, ms from the trace start. */
  gaps?: ReadonlyArray<{ startMs: number; durationMs: number }>;
  startMs?: number;
}

export interface Trace {
  samples: StoredSample[];
  /** Start time of each true fixation (after startMs). */
  fixationStarts: number[];
}

export function syntheticTrace(fixations: readonly TrueFixation[], random: Random, options: TraceOptions): Trace {
  const rateHz = options.rateHz ?? 30;
  const jitterPx = (options.jitterDeg ?? 0.25) * options.ppd;
  const timingJitter = options.timingJitterMs ?? 3;
  const saccadeMs = options.saccadeMs ?? 40;
  const offX = (options.offsetDeg?.x ?? 0) * options.ppd;
  const offY = (options.offsetDeg?.y ?? 0) * options.ppd;
  const t0 = options.startMs ?? 0;
  // Piecewise-linear true path: [start, end, x0, y0, x1, y1].
  const pieces: Array<[number, number, number, number, number, number]> = [];
  const fixationStarts: number[] = [];
  let t = 0;
  fixations.forEach((f, i) => {
    fixationStarts.push(t0 + t);
    pieces.push([t, t + f.durationMs, f.x, f.y, f.x, f.y]);
    t += f.durationMs;
    const next = fixations[i + 1];
    if (next) {
      pieces.push([t, t + saccadeMs, f.x, f.y, next.x, next.y]);
      t += saccadeMs;
    }
  });
  const total = t;
  const period = 1000 / rateHz;
  const samples: StoredSample[] = [];
  let piece = 0;
  let last = -Infinity;
  for (let k = 0; ; k++) {
    const ts = Math.max(0, k * period + (random.next() * 2 - 1) * timingJitter);
    if (ts >= total) break;
    if (ts <= last) continue;
    last = ts;
    while (piece < pieces.length - 1 && ts >= (pieces[piece] as (typeof pieces)[number])[1]) piece++;
    const [a, b, x0, y0, x1, y1] = pieces[piece] as (typeof pieces)[number];
    const u = b > a ? Math.min(1, (ts - a) / (b - a)) : 0;
    const inGap = options.gaps?.some((g) => ts >= g.startMs && ts < g.startMs + g.durationMs) ?? false;
    samples.push(
      inGap
        ? { t: t0 + ts, x: 0, y: 0, flags: FLAG_FACE_LOST }
        : { t: t0 + ts, x: x0 + (x1 - x0) * u + offX + random.normal() * jitterPx, y: y0 + (y1 - y0) * u + offY + random.normal() * jitterPx, flags: 0 },
    );
  }
  return { samples, fixationStarts };
}
