import { describe, expect, it } from 'vitest';
import { PublicStudyConfig, StudyConfig } from './config';
import { GazeSample, SampleBatchRequest, StartSessionRequest, ValidationRequest } from './contract';

const trialId = '00000000-0000-4000-8000-000000000001';
const path = (r: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) => r.error?.issues[0]?.path.join('.');

describe('StudyConfig defaults', () => {
  it('the stated webcam defaults', () => {
    const c = StudyConfig.parse({});
    expect(c).toMatchObject({
      viewingMs: 3000,
      calibrationPoints: 9,
      validationPoints: 5,
      validationThresholdDeg: 4,
      fixationCross: 'centre',
      modality: 'webcam',
      partialCompletion: 'discard',
      fixationDetection: { method: 'idt', dispersionDeg: 2, minDurationMs: 100, velocityDegPerS: 50, maxGapMs: 150 },
      autoAccept: { enabled: true, maxAccuracyDeg: 4, minSamplingHz: 10, maxFaceLostPct: 20, minAttentionPassRate: 1 },
    });
    expect(StudyConfig.parse({ attentionChecks: { every: 4 } }).attentionChecks).toEqual({ every: 4, targetRadiusDeg: 4 });
  });

  it('refuses values outside the allowed sets and ranges', () => {
    expect(StudyConfig.safeParse({ calibrationPoints: 10 }).success).toBe(false);
    expect(StudyConfig.safeParse({ validationPoints: 4 }).success).toBe(false);
    expect(StudyConfig.safeParse({ fixationDetection: { method: 'hmm' } }).success).toBe(false);
    expect(StudyConfig.safeParse({ viewingMs: Number.NaN }).success).toBe(false);
  });

  it('the public part hides review rules and detector parameters', () => {
    const pub = PublicStudyConfig.parse(StudyConfig.parse({}));
    expect(pub).not.toHaveProperty('autoAccept');
    expect(pub).not.toHaveProperty('fixationDetection');
    expect(pub).not.toHaveProperty('observersPerImage');
    expect(pub.minWindow).toEqual({ width: 1024, height: 700 });
  });
});

describe('participant request schemas', () => {
  const ok = { seq: 0, trialId, samples: [[10, 100, 200, 0], [43, 101, 199, 2]] };

  it('accepts a well-formed batch', () => {
    expect(SampleBatchRequest.safeParse(ok).success).toBe(true);
  });

  it('names the failing sample field', () => {
    expect(path(SampleBatchRequest.safeParse({ ...ok, samples: [[10, 1, 1, 0], [10, 1, 1, 0]] }))).toBe('samples.1.0');
    expect(path(SampleBatchRequest.safeParse({ ...ok, samples: [[10, Infinity, 1, 0]] }))).toBe('samples.0.1');
    expect(path(SampleBatchRequest.safeParse({ ...ok, samples: [[10, 1, Number.NaN, 0]] }))).toBe('samples.0.2');
    expect(path(SampleBatchRequest.safeParse({ ...ok, samples: [[-1, 1, 1, 0]] }))).toBe('samples.0.0');
    expect(path(SampleBatchRequest.safeParse({ ...ok, samples: [[1, 1, 1, 1.5]] }))).toBe('samples.0.3');
    expect(path(SampleBatchRequest.safeParse({ ...ok, samples: Array.from({ length: 201 }, (_, i) => [i, 0, 0, 0]) }))).toBe('samples');
    expect(path(SampleBatchRequest.safeParse({ ...ok, samples: [] }))).toBe('samples');
    expect(path(SampleBatchRequest.safeParse({ ...ok, trialId: 'x' }))).toBe('trialId');
    expect(path(SampleBatchRequest.safeParse({ ...ok, seq: 1.5 }))).toBe('seq');
    expect(GazeSample.safeParse([1, 20_001, 0, 0]).success).toBe(false);
  });

  it('validation points: increasing times per point; external IDs restricted to safe characters', () => {
    const pts = [{ target: { x: 1, y: 1 }, samples: [[5, 1, 1], [4, 1, 1]] }];
    expect(path(ValidationRequest.safeParse({ kind: 'initial', attempt: 1, points: pts }))).toBe('points.0.samples.1.0');
    expect(path(StartSessionRequest.safeParse({ modality: 'webcam', externalIds: { provider: 'prolific', participantId: 'a b' } }))).toBe('externalIds.participantId');
    expect(StartSessionRequest.safeParse({ modality: 'webcam', externalIds: { provider: 'mturk', participantId: 'A1B2', assignmentId: 'x', hitId: 'y' } }).success).toBe(true);
  });
});
