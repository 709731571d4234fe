import { describe, expect, expectTypeOf, it } from 'vitest';
import { AutoAcceptConfig } from '@/lib/studies/config';
import type { QualitySummary as ContractQuality } from '@/lib/studies/contract';
import { attentionPassed, summariseQuality, type QualityInput, type QualitySummary, type TrialQualityInput, type ValidationRecord } from './quality';

const rules = AutoAcceptConfig.parse({});
const good: ValidationRecord = { kind: 'initial', attempt: 1, accuracyDeg: 2.5, precisionDeg: 0.8, withinRadiusPct: 90, samplingRateHz: 30, passed: true };
const bad: ValidationRecord = { ...good, attempt: 1, accuracyDeg: 6, passed: false };
/** A completed image trial: 91 samples over 3 s (30 Hz), `lost` of them face-lost. */
const image = (lost = 0, complete = true): TrialQualityInput => ({
  kind: 'image',
  complete,
  stats: complete ? { samples: 91, faceLost: lost, offImage: 0, spanMs: 3000 } : null,
  attentionPassed: null,
});
const input = (over: Partial<QualityInput> = {}): QualityInput => ({
  modality: 'webcam',
  validations: [bad, { ...good, attempt: 2 }],
  trials: [image(), image(), image()],
  rules,
  partialCompletion: 'discard',
  ...over,
});

describe('summariseQuality', () => {
  it('the contract schema and the summary type agree', () => {
    expectTypeOf<QualitySummary>().toEqualTypeOf<ContractQuality>();
  });

  it('a good webcam session is accepted; figures from the last passed validation', () => {
    const { quality, decision } = summariseQuality(input());
    expect(decision).toBe('accepted');
    expect(quality.reasons).toEqual([]);
    expect(quality.validation).toEqual({ attempts: 2, passed: true, accuracyDeg: 2.5, precisionDeg: 0.8, withinRadiusPct: 90, samplingRateHz: 30 });
    expect(quality.samplingRateHz).toBeCloseTo(30, 9);
    expect(quality.faceLostPct).toBe(0);
    expect(quality.trials).toEqual({ total: 3, completed: 3 });
  });

  it('each failing rule sends the session to review with its reason', () => {
    const lost = summariseQuality(input({ trials: [image(30), image(30), image(30)] }));
    expect(lost.decision).toBe('pending_review');
    expect(lost.quality.faceLostPct).toBeCloseTo(100 * (30 / 91), 6);
    expect(lost.quality.reasons).toEqual([expect.stringMatching(/^face lost 32.97 % of samples, above 20 %$/)]);

    const slow = summariseQuality(input({ trials: [{ ...image(), stats: { samples: 16, faceLost: 0, offImage: 0, spanMs: 3000 } }] }));
    expect(slow.quality.samplingRateHz).toBeCloseTo(5, 9);
    expect(slow.quality.reasons).toEqual(['sampling rate 5 Hz below 10 Hz']);

    const inaccurate = summariseQuality(input({ rules: { ...rules, maxAccuracyDeg: 2 } }));
    expect(inaccurate.quality.reasons).toEqual(['validation accuracy 2.5° above 2°']);
    expect(inaccurate.decision).toBe('pending_review');
  });

  it('a failed attention check marks the session for review', () => {
    const att = (passed: boolean): TrialQualityInput => ({ ...image(), kind: 'attention', attentionPassed: passed });
    const r = summariseQuality(input({ trials: [image(), att(true), image(), att(false)] }));
    expect(r.quality.attention).toEqual({ checks: 2, passed: 1, passRate: 0.5 });
    expect(r.decision).toBe('pending_review');
    expect(r.quality.reasons).toEqual(['attention checks passed 1 of 2']);
    expect(summariseQuality(input({ trials: [image(), att(true)] })).decision).toBe('accepted');
  });

  it('partial sessions: discard → rejected; keep → rules on the completed trials', () => {
    const trials = [image(), image(), image(0, false)];
    expect(summariseQuality(input({ trials })).decision).toBe('rejected');
    expect(summariseQuality(input({ trials, partialCompletion: 'keep' })).decision).toBe('accepted');
    const never = summariseQuality(input({ validations: [bad], partialCompletion: 'keep' }));
    expect(never.decision).toBe('pending_review');
    expect(never.quality.reasons).toContain('validation never passed');
    expect(summariseQuality(input({ validations: [bad] })).decision).toBe('rejected');
  });

  it('no completed image trial → rejected, whatever the rule', () => {
    const r = summariseQuality(input({ trials: [image(0, false)], partialCompletion: 'keep' }));
    expect(r.decision).toBe('rejected');
    expect(r.quality.reasons).toEqual(['no completed image trial']);
  });

  it('mouse sessions need no validation; auto-accept disabled → review', () => {
    expect(summariseQuality(input({ modality: 'mouse', validations: [] })).decision).toBe('accepted');
    const off = summariseQuality(input({ rules: { ...rules, enabled: false } }));
    expect(off.decision).toBe('pending_review');
    expect(off.quality.reasons).toEqual(['auto-accept is disabled for this study']);
  });

  it('drift checks are counted with their worst offset', () => {
    const drift: ValidationRecord[] = [
      { ...good, kind: 'drift', accuracyDeg: 1.5 },
      { ...good, kind: 'drift', accuracyDeg: 5, passed: false },
    ];
    expect(summariseQuality(input({ validations: [good, ...drift] })).quality.drift).toEqual({ checks: 2, failed: 1, maxDeg: 5 });
  });
});

describe('attentionPassed', () => {
  const target = { x: 100, y: 100 };
  it('needs 3 usable samples within the radius; face-lost samples do not count', () => {
    const near = { x: 105, y: 98, flags: 0 };
    expect(attentionPassed([near, near], target, 10)).toBe(false);
    expect(attentionPassed([near, near, near], target, 10)).toBe(true);
    expect(attentionPassed([near, near, { x: 100, y: 100, flags: 2 }], target, 10)).toBe(false);
    expect(attentionPassed([near, near, { x: 150, y: 100, flags: 0 }], target, 10)).toBe(false);
  });
});
