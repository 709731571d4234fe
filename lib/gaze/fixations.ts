/**
 * Fixation detection from gaze samples: I-DT and I-VT of D. D. Salvucci & J. H. Goldberg (2000),
 * "Identifying fixations and saccades in eye-tracking protocols", Proc. ETRA 2000, 71–78.
 *
 * Input: samples `{t, x, y, flags}` in image pixels (ms on one clock), and the trial's image pixels
 * per degree (lib/gaze/geometry imagePixelsPerDegree), which turns pixel distances into degrees
 * linearly (the centre-of-screen ppd; see geometry.ts).
 *
 * Conventions (the same for both methods):
 * - Samples flagged FACE_LOST are dropped; a time gap between consecutive usable samples longer
 *   than `maxGapMs` (face lost, dropped frames) splits the trace into segments and no fixation
 *   spans a gap. Samples flagged off-image are used like any other (a fixation may lie off the
 *   image; density maps skip those).
 * - A fixation's position is the centroid (mean x, mean y) of its samples; its start is its first
 *   sample's time; its duration is last − first sample time (no half-interval padding, so a
 *   fixation is reported up to one sample interval shorter than it was); fixations shorter than
 *   `minDurationMs` are dropped.
 * - I-DT: dispersion D = (max x − min x) + (max y − min y) in degrees. A window starts covering
 *   `minDurationMs`; if D ≤ dispersionDeg it grows one sample at a time while D stays ≤ threshold,
 *   becomes a fixation and detection resumes after it; otherwise the window's first sample is
 *   dropped (a saccade sample) — Salvucci & Goldberg's algorithm as published.
 * - I-VT: point-to-point velocity v_i = |p_i − p_{i−1}| / ppd / (t_i − t_{i−1}) in °/s; samples with
 *   v < velocityDegPerS are fixation samples (a segment's first sample takes its successor's
 *   label); consecutive fixation samples form a fixation.
 * - Merge (Olsen 2012, "The Tobii I-VT fixation filter", step "merge adjacent fixations"):
 *   consecutive fixations of one segment less than `mergeGapMs` apart in time and less than
 *   `mergeDistanceDeg` apart in space are one fixation that a noisy sample cut in two; they are
 *   joined (sample-weighted centroid, first start to last end) before the duration filter.
 *   mergeGapMs 0 turns merging off.
 * Samples are sorted by time first (a copy: the input is not modified); equal times keep the
 * first sample.
 */
import { FLAG_FACE_LOST } from './samples';

export interface GazePoint {
  t: number;
  x: number;
  y: number;
  flags: number;
}

export interface Fixation {
  x: number;
  y: number;
  startMs: number;
  durationMs: number;
  samples: number;
}

export interface DetectionParams {
  method: 'idt' | 'ivt';
  dispersionDeg: number;
  minDurationMs: number;
  velocityDegPerS: number;
  maxGapMs: number;
  mergeGapMs: number;
  mergeDistanceDeg: number;
}

/** Usable samples in time order, split wherever two consecutive ones are more than maxGapMs apart. */
export function gazeSegments(samples: readonly GazePoint[], maxGapMs: number): GazePoint[][] {
  const usable = samples.filter((s) => (s.flags & FLAG_FACE_LOST) === 0).sort((a, b) => a.t - b.t);
  const out: GazePoint[][] = [];
  let current: GazePoint[] = [];
  for (const s of usable) {
    const last = current.at(-1);
    if (last && s.t === last.t) continue;
    if (last && s.t - last.t > maxGapMs) {
      out.push(current);
      current = [];
    }
    current.push(s);
  }
  if (current.length > 0) out.push(current);
  return out;
}

function centroid(seg: readonly GazePoint[], from: number, to: number): Fixation {
  let sx = 0;
  let sy = 0;
  for (let k = from; k <= to; k++) {
    sx += (seg[k] as GazePoint).x;
    sy += (seg[k] as GazePoint).y;
  }
  const n = to - from + 1;
  const t0 = (seg[from] as GazePoint).t;
  return { x: sx / n, y: sy / n, startMs: t0, durationMs: (seg[to] as GazePoint).t - t0, samples: n };
}

function idtSegment(seg: readonly GazePoint[], ppd: number, p: DetectionParams, out: Fixation[]): void {
  const maxDispPx = p.dispersionDeg * ppd;
  const n = seg.length;
  let i = 0;
  while (i < n) {
    const t0 = (seg[i] as GazePoint).t;
    let j = i;
    while (j < n && (seg[j] as GazePoint).t - t0 < p.minDurationMs) j++;
    if (j >= n) return;
    let minX = Infinity;
    let maxX = -Infinity;
    let minY = Infinity;
    let maxY = -Infinity;
    for (let k = i; k <= j; k++) {
      const s = seg[k] as GazePoint;
      minX = Math.min(minX, s.x);
      maxX = Math.max(maxX, s.x);
      minY = Math.min(minY, s.y);
      maxY = Math.max(maxY, s.y);
    }
    if (maxX - minX + (maxY - minY) > maxDispPx) {
      i++;
      continue;
    }
    while (j + 1 < n) {
      const s = seg[j + 1] as GazePoint;
      const nMinX = Math.min(minX, s.x);
      const nMaxX = Math.max(maxX, s.x);
      const nMinY = Math.min(minY, s.y);
      const nMaxY = Math.max(maxY, s.y);
      if (nMaxX - nMinX + (nMaxY - nMinY) > maxDispPx) break;
      [minX, maxX, minY, maxY] = [nMinX, nMaxX, nMinY, nMaxY];
      j++;
    }
    out.push(centroid(seg, i, j));
    i = j + 1;
  }
}

/** Joins consecutive fixations closer than mergeGapMs and mergeDistanceDeg (see header). */
function mergeAdjacent(fixations: Fixation[], ppd: number, p: DetectionParams): Fixation[] {
  if (p.mergeGapMs <= 0) return fixations;
  const out: Fixation[] = [];
  for (const f of fixations) {
    const prev = out.at(-1);
    const gap = prev ? f.startMs - (prev.startMs + prev.durationMs) : Infinity;
    if (prev && gap < p.mergeGapMs && Math.hypot(f.x - prev.x, f.y - prev.y) / ppd < p.mergeDistanceDeg) {
      const n = prev.samples + f.samples;
      out[out.length - 1] = {
        x: (prev.x * prev.samples + f.x * f.samples) / n,
        y: (prev.y * prev.samples + f.y * f.samples) / n,
        startMs: prev.startMs,
        durationMs: f.startMs + f.durationMs - prev.startMs,
        samples: n,
      };
    } else out.push(f);
  }
  return out;
}

function ivtSegment(seg: readonly GazePoint[], ppd: number, p: DetectionParams, out: Fixation[]): void {
  const n = seg.length;
  if (n < 2) return;
  const slow: boolean[] = new Array<boolean>(n).fill(false);
  for (let k = 1; k < n; k++) {
    const a = seg[k - 1] as GazePoint;
    const b = seg[k] as GazePoint;
    const v = (Math.hypot(b.x - a.x, b.y - a.y) / ppd / (b.t - a.t)) * 1000;
    slow[k] = v < p.velocityDegPerS;
  }
  slow[0] = slow[1] as boolean;
  let k = 0;
  while (k < n) {
    if (!slow[k]) {
      k++;
      continue;
    }
    let end = k;
    while (end + 1 < n && slow[end + 1]) end++;
    out.push(centroid(seg, k, end));
    k = end + 1;
  }
}

export function detectFixations(samples: readonly GazePoint[], pixelsPerDegree: number, params: DetectionParams): Fixation[] {
  if (!Number.isFinite(pixelsPerDegree) || pixelsPerDegree <= 0) {
    throw new RangeError(`pixelsPerDegree must be a positive finite number, got ${pixelsPerDegree}`);
  }
  const out: Fixation[] = [];
  for (const seg of gazeSegments(samples, params.maxGapMs)) {
    const found: Fixation[] = [];
    if (params.method === 'idt') idtSegment(seg, pixelsPerDegree, params, found);
    else ivtSegment(seg, pixelsPerDegree, params, found);
    for (const f of mergeAdjacent(found, pixelsPerDegree, params)) if (f.durationMs >= params.minDurationMs) out.push(f);
  }
  return out;
}
