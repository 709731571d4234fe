import { describe, expect, it } from 'vitest';
import { allowedTransitions, canTransition } from './lifecycle';
import { ACCURACY_MAX_DEG, accuracyDistribution, sessionCounts } from './progress';

describe('sessionCounts', () => {
  it('started includes withdrawn sessions; completed is every finished fate', () => {
    const c = sessionCounts(new Map([['in_progress', 2], ['completed', 1], ['accepted', 3], ['rejected', 4], ['ended', 5], ['weird', 9]]), 6);
    expect(c).toEqual({ started: 21, inProgress: 2, completed: 13, pendingReview: 1, accepted: 3, rejected: 4, ended: 5, withdrawn: 6 });
  });
  it('an empty study is all zeros', () => {
    expect(Object.values(sessionCounts({}, 0)).every((v) => v === 0)).toBe(true);
  });
});

describe('accuracyDistribution', () => {
  it('bins half-open, the last bin open-ended, nulls as no data, the threshold inclusive', () => {
    const d = accuracyDistribution([0, 0.49, 0.5, 1.2, 4, 4.01, 100, null, Number.NaN], 4);
    expect(d.sessions).toBe(9);
    expect(d.noData).toBe(2);
    expect(d.withinThreshold).toBe(5); // 0, 0.49, 0.5, 1.2, 4
    expect(d.bins[0]).toEqual({ fromDeg: 0, toDeg: 0.5, count: 2 });
    expect(d.bins[1]).toEqual({ fromDeg: 0.5, toDeg: 1, count: 1 });
    expect(d.bins[2]?.count).toBe(1);
    expect(d.bins[8]).toEqual({ fromDeg: 4, toDeg: 4.5, count: 2 });
    expect(d.bins.at(-1)).toEqual({ fromDeg: ACCURACY_MAX_DEG, toDeg: null, count: 1 });
    expect(d.bins.reduce((s, b) => s + b.count, 0)).toBe(7);
    expect(d.medianDeg).toBe(1.2);
  });
  it('median of an even count is the mean of the middle two; none without data', () => {
    expect(accuracyDistribution([3, 1, 2, 10], 4).medianDeg).toBe(2.5);
    expect(accuracyDistribution([null], 4).medianDeg).toBeNull();
  });
  it('does not modify its input', () => {
    const values = [3, 1, 2];
    accuracyDistribution(values, 4);
    expect(values).toEqual([3, 1, 2]);
  });
});

describe('study lifecycle', () => {
  it('draft → open ⇄ paused → closed, and nothing leaves closed', () => {
    expect(canTransition('draft', 'open')).toBe(true);
    expect(canTransition('open', 'paused')).toBe(true);
    expect(canTransition('paused', 'open')).toBe(true);
    expect(canTransition('open', 'closed')).toBe(true);
    expect(canTransition('paused', 'closed')).toBe(true);
    expect(canTransition('draft', 'paused')).toBe(false);
    expect(canTransition('draft', 'closed')).toBe(false);
    expect(canTransition('closed', 'open')).toBe(false);
    expect(canTransition('open', 'draft')).toBe(false);
    expect(allowedTransitions('closed')).toEqual([]);
  });
  it('the same status is a no-op, not a refusal', () => {
    expect(canTransition('closed', 'closed')).toBe(true);
  });
});
