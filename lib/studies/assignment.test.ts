import { describe, expect, it } from 'vitest';
import { createRandom } from '@/lib/random';
import { chooseImages, planTrials, seedFromUuid, type ImageLoad } from './assignment';
import { StudyConfig } from './config';
import { externalIdHash } from './external-id';

const img = (id: string, position: number, observers: number): ImageLoad => ({ id, position, observers, width: 200, height: 100 });

describe('chooseImages', () => {
  it('fewest observers first; ties by position, then id', () => {
    const loads = [img('d', 3, 0), img('a', 0, 2), img('c', 2, 0), img('b', 1, 1), img('e', 2, 0)];
    expect(chooseImages(loads, 4).map((i) => i.id)).toEqual(['c', 'e', 'd', 'b']);
    expect(chooseImages(loads, 0)).toEqual([]);
    expect(loads.map((l) => l.id)).toEqual(['d', 'a', 'c', 'b', 'e']); // input untouched
  });
});

describe('planTrials', () => {
  const loads = Array.from({ length: 12 }, (_, i) => img(`i${String(i).padStart(2, '0')}`, i, 0));
  const config = StudyConfig.parse({ imagesPerParticipant: 6, driftEvery: 2, attentionChecks: { every: 3 } });

  it('interleaves drift after every 2nd and attention after every 3rd image, never after the last', () => {
    const plan = planTrials(loads, config, createRandom(1));
    expect(plan.map((p) => p.kind)).toEqual(['image', 'image', 'drift', 'image', 'attention', 'image', 'drift', 'image', 'image']);
    const shown = plan.flatMap((p) => (p.kind === 'image' ? [p.imageId] : []));
    expect(new Set(shown)).toEqual(new Set(loads.slice(0, 6).map((l) => l.id)));
    const sentinel = plan.find((p) => p.kind === 'attention');
    if (sentinel?.kind !== 'attention') throw new Error('no attention trial');
    expect(shown).not.toContain(sentinel.imageId);
    expect(sentinel.target.x).toBeGreaterThanOrEqual(30);
    expect(sentinel.target.x).toBeLessThanOrEqual(170);
    expect(sentinel.target.y).toBeGreaterThanOrEqual(15);
    expect(sentinel.target.y).toBeLessThanOrEqual(85);
  });

  it('same seed, same plan; the presentation order is shuffled per seed', () => {
    expect(planTrials(loads, config, createRandom(7))).toEqual(planTrials(loads, config, createRandom(7)));
    const orders = new Set([1, 2, 3, 4, 5].map((s) => JSON.stringify(planTrials(loads, config, createRandom(s)).filter((p) => p.kind === 'image'))));
    expect(orders.size).toBeGreaterThan(1);
  });

  it('no checks configured → images only; fewer images than asked → all of them', () => {
    const plain = StudyConfig.parse({ imagesPerParticipant: 50, driftEvery: 0 });
    expect(planTrials(loads, plain, createRandom(1)).map((p) => p.kind)).toEqual(Array(12).fill('image'));
  });

  it('seedFromUuid reads the first 8 hex digits', () => {
    expect(seedFromUuid('0000002a-0000-4000-8000-000000000000')).toBe(42);
    expect(seedFromUuid('ffffffff-0000-4000-8000-000000000000')).toBe(0xffffffff);
  });
});

describe('externalIdHash', () => {
  const secret = 'a-server-secret-of-enough-length';
  it('is an HMAC per study: the same participant in two studies is unlinkable; needs a real secret', () => {
    const a = externalIdHash(secret, 'study-1', { provider: 'prolific', participantId: 'P1' });
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(externalIdHash(secret, 'study-1', { provider: 'prolific', participantId: 'P1' })).toBe(a);
    expect(externalIdHash(secret, 'study-2', { provider: 'prolific', participantId: 'P1' })).not.toBe(a);
    expect(externalIdHash(secret, 'study-1', { provider: 'mturk', participantId: 'P1' })).not.toBe(a);
    expect(externalIdHash(`${secret}x`, 'study-1', { provider: 'prolific', participantId: 'P1' })).not.toBe(a);
    expect(() => externalIdHash('short', 'study-1', { provider: 'prolific', participantId: 'P1' })).toThrow(/secret/);
  });
});
