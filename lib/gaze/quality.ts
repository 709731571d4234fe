/**
 * Session quality summary and the auto-accept decision (issue 5, "Quality summary per session").
 *
 * Figures:
 * - validation: the last PASSED initial validation (the calibration the trials were recorded
 *   with), else the last attempt; drift checks are counted separately.
 * - samplingRateHz over completed trials: Σ(nᵢ − 1) / Σ spanᵢ · 1000 with every sample the page
 *   delivered (face lost or not): the rate the tracker ran at.
 * - faceLostPct = face-lost samples / all samples; offImagePct = off-image / usable samples.
 * - attention pass rate = passed / judged attention trials.
 * Decision (rules per study, lib/studies/config autoAccept and partialCompletion):
 * 1. ended early (an image trial not complete, or for webcam no passed validation) with
 *    partialCompletion 'discard' → rejected; no completed image trial at all → rejected;
 * 2. otherwise every failing rule adds a reason: validation not passed / accuracy above
 *    maxAccuracyDeg (webcam only: a mouse has no calibration), sampling below minSamplingHz,
 *    face lost above maxFaceLostPct, attention pass rate below minAttentionPassRate;
 * 3. no reason → accepted (pending_review when auto-accept is disabled); any reason → pending_review
 *    (a researcher decides; the issue's "failures mark the session for review").
 */
import { FLAG_FACE_LOST, type TraceStats } from './samples';

export type Decision = 'accepted' | 'pending_review' | 'rejected';

export interface ValidationRecord {
  kind: 'initial' | 'drift';
  attempt: number;
  accuracyDeg: number | null;
  precisionDeg: number | null;
  withinRadiusPct: number;
  samplingRateHz: number | null;
  passed: boolean;
}

export interface TrialQualityInput {
  kind: 'image' | 'attention' | 'drift';
  complete: boolean;
  stats: TraceStats | null;
  /** Attention trials: the server's judgement (null when not judged). */
  attentionPassed: boolean | null;
}

export interface QualityRules {
  enabled: boolean;
  maxAccuracyDeg: number;
  minSamplingHz: number;
  maxFaceLostPct: number;
  minAttentionPassRate: number;
}

export interface QualityInput {
  modality: 'webcam' | 'mouse';
  validations: readonly ValidationRecord[];
  trials: readonly TrialQualityInput[];
  rules: QualityRules;
  partialCompletion: 'discard' | 'keep';
}

export interface QualitySummary {
  validation: {
    attempts: number;
    passed: boolean;
    accuracyDeg: number | null;
    precisionDeg: number | null;
    withinRadiusPct: number | null;
    samplingRateHz: number | null;
  };
  trials: { total: number; completed: number };
  samplingRateHz: number | null;
  faceLostPct: number | null;
  offImagePct: number | null;
  drift: { checks: number; failed: number; maxDeg: number | null };
  attention: { checks: number; passed: number; passRate: number | null };
  reasons: string[];
}

const fmt = (v: number) => (Math.round(v * 100) / 100).toString();

export function summariseQuality(input: QualityInput): { quality: QualitySummary; decision: Decision } {
  const initial = input.validations.filter((v) => v.kind === 'initial');
  const drift = input.validations.filter((v) => v.kind === 'drift');
  const used = [...initial].reverse().find((v) => v.passed) ?? initial.at(-1);
  const scored = input.trials.filter((t) => t.kind !== 'drift');
  const done = scored.filter((t) => t.complete && t.stats);
  let intervals = 0;
  let span = 0;
  let samples = 0;
  let lost = 0;
  let off = 0;
  for (const t of done) {
    const s = t.stats as TraceStats;
    if (s.samples >= 2) {
      intervals += s.samples - 1;
      span += s.spanMs;
    }
    samples += s.samples;
    lost += s.faceLost;
    off += s.offImage;
  }
  const attention = input.trials.filter((t) => t.kind === 'attention' && t.attentionPassed !== null);
  const attentionPassed = attention.filter((t) => t.attentionPassed === true).length;
  const driftValues = drift.flatMap((d) => (d.accuracyDeg === null ? [] : [d.accuracyDeg]));
  const quality: QualitySummary = {
    validation: {
      attempts: initial.length,
      passed: used?.passed ?? false,
      accuracyDeg: used?.accuracyDeg ?? null,
      precisionDeg: used?.precisionDeg ?? null,
      withinRadiusPct: used?.withinRadiusPct ?? null,
      samplingRateHz: used?.samplingRateHz ?? null,
    },
    trials: { total: input.trials.length, completed: input.trials.filter((t) => t.complete).length },
    samplingRateHz: span > 0 ? (1000 * intervals) / span : null,
    faceLostPct: samples > 0 ? (100 * lost) / samples : null,
    offImagePct: samples - lost > 0 ? (100 * off) / (samples - lost) : null,
    drift: { checks: drift.length, failed: drift.filter((d) => !d.passed).length, maxDeg: driftValues.length ? Math.max(...driftValues) : null },
    attention: { checks: attention.length, passed: attentionPassed, passRate: attention.length ? attentionPassed / attention.length : null },
    reasons: [],
  };

  const webcam = input.modality === 'webcam';
  const images = input.trials.filter((t) => t.kind === 'image');
  const imagesDone = images.filter((t) => t.complete).length;
  const partial = imagesDone < images.length || (webcam && !quality.validation.passed);
  const reasons = quality.reasons;
  if (partial && input.partialCompletion === 'discard') {
    reasons.push(`ended early (${imagesDone} of ${images.length} image trials) and the study discards partial sessions`);
    return { quality, decision: 'rejected' };
  }
  if (imagesDone === 0) {
    reasons.push('no completed image trial');
    return { quality, decision: 'rejected' };
  }
  const r = input.rules;
  if (webcam) {
    const acc = quality.validation.accuracyDeg;
    if (!quality.validation.passed) reasons.push('validation never passed');
    else if (acc === null || acc > r.maxAccuracyDeg) reasons.push(`validation accuracy ${acc === null ? 'unknown' : `${fmt(acc)}°`} above ${r.maxAccuracyDeg}°`);
  }
  if (quality.samplingRateHz === null || quality.samplingRateHz < r.minSamplingHz) {
    reasons.push(`sampling rate ${quality.samplingRateHz === null ? 'unknown' : `${fmt(quality.samplingRateHz)} Hz`} below ${r.minSamplingHz} Hz`);
  }
  if (quality.faceLostPct !== null && quality.faceLostPct > r.maxFaceLostPct) {
    reasons.push(`face lost ${fmt(quality.faceLostPct)} % of samples, above ${r.maxFaceLostPct} %`);
  }
  if (quality.attention.passRate !== null && quality.attention.passRate < r.minAttentionPassRate) {
    reasons.push(`attention checks passed ${attentionPassed} of ${attention.length}`);
  }
  if (reasons.length > 0) return { quality, decision: 'pending_review' };
  if (!r.enabled) {
    reasons.push('auto-accept is disabled for this study');
    return { quality, decision: 'pending_review' };
  }
  return { quality, decision: 'accepted' };
}

/**
 * Attention check: passed when some usable gaze sample lies within `radiusPx` (image pixels) of
 * the target for at least `minSamples` samples — robust to a single stray sample.
 */
export function attentionPassed(
  samples: ReadonlyArray<{ x: number; y: number; flags: number }>,
  target: { x: number; y: number },
  radiusPx: number,
  minSamples = 3,
): boolean {
  let hits = 0;
  for (const s of samples) {
    if ((s.flags & FLAG_FACE_LOST) !== 0) continue;
    if (Math.hypot(s.x - target.x, s.y - target.y) <= radiusPx && ++hits >= minSamples) return true;
  }
  return false;
}
