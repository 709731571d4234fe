import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FLAG_FACE_LOST } from '@/lib/gaze/samples';
import { MAX_SAMPLES_PER_BATCH as CONTRACT_MAX, SampleBatchRequest } from '@/lib/studies/contract';
import type { GazeSample } from './gaze-source';
import { MAX_SAMPLES_PER_BATCH, SampleBatcher, toWireSample, type PendingBatch } from './sample-batcher';

const TRIAL_A = '00000000-0000-4000-8000-00000000000a';
const TRIAL_B = '00000000-0000-4000-8000-00000000000b';

function harness(opts: { maxSamples?: number; spanMs?: number } = {}) {
  const batches: PendingBatch[] = [];
  let next = 0;
  const b = new SampleBatcher({ allocateSeq: () => next++, onBatch: (x) => batches.push(x), ...opts });
  return { b, batches };
}

const at = (t: number, x = 100, y = 200): GazeSample => ({ t, x, y, faceLost: false });

describe('SampleBatcher', () => {
  it('keeps the contract cap', () => {
    expect(MAX_SAMPLES_PER_BATCH).toBe(CONTRACT_MAX);
  });

  it('cuts a batch when the next sample is a full span after the first one', () => {
    const { b, batches } = harness({ spanMs: 1000 });
    b.setTrial(TRIAL_A);
    for (let t = 0; t <= 2500; t += 100) b.add(at(t));
    expect(batches.map((x) => x.samples.length)).toEqual([10, 10]);
    expect(batches[0]?.samples[9]?.[0]).toBe(900);
    expect(batches[1]?.samples[0]?.[0]).toBe(1000);
    b.flush();
    expect(batches.map((x) => x.seq)).toEqual([0, 1, 2]);
    expect(batches[2]?.samples.length).toBe(6);
  });

  it('never exceeds maxSamples, whatever the rate', () => {
    const { b, batches } = harness({ maxSamples: 7, spanMs: 1e9 });
    b.setTrial(TRIAL_A);
    for (let i = 0; i < 30; i++) b.add(at(i));
    b.flush();
    expect(batches.map((x) => x.samples.length)).toEqual([7, 7, 7, 7, 2]);
  });

  it('flushes on trial change and labels batches with their trial; ignores samples without a trial', () => {
    const { b, batches } = harness();
    b.add(at(1));
    b.setTrial(TRIAL_A);
    b.add(at(2));
    b.add(at(3));
    b.setTrial(TRIAL_B);
    b.add(at(4));
    b.setTrial(null);
    b.add(at(5));
    b.flush();
    expect(batches).toEqual([
      { seq: 0, trialId: TRIAL_A, samples: [[2, 100, 200, 0], [3, 100, 200, 0]] },
      { seq: 1, trialId: TRIAL_B, samples: [[4, 100, 200, 0]] },
    ]);
  });

  it('flags face-lost samples with x = y = 0 and drops non-increasing or non-finite times', () => {
    const { b, batches } = harness();
    b.setTrial(TRIAL_A);
    b.add(at(10));
    b.add({ t: 20, x: 5, y: 5, faceLost: true });
    b.add(at(20)); // same time: dropped
    b.add(at(15)); // backwards: dropped
    b.add(at(Number.NaN));
    b.add({ t: 30, x: Number.NaN, y: 1, faceLost: false });
    b.add(at(40.04, 1.26, 2.24));
    b.flush();
    expect(batches[0]?.samples).toEqual([
      [10, 100, 200, 0],
      [20, 0, 0, FLAG_FACE_LOST],
      [40, 1.3, 2.2, 0],
    ]);
  });

  it('rounds to 0.1 ms and 0.1 px', () => {
    expect(toWireSample(at(1234.5678, 10.04, 99.96))).toEqual([1234.6, 10, 100, 0]);
  });

  it('property: every batch is a valid SampleBatchRequest and no sample is lost or reordered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ dt: fc.double({ min: 0.05, max: 400, noNaN: true }), x: fc.double({ min: -50, max: 3000, noNaN: true }), lost: fc.boolean() }), {
          maxLength: 600,
        }),
        (steps) => {
          const { b, batches } = harness();
          b.setTrial(TRIAL_A);
          let t = 0;
          const kept: number[] = [];
          let last = -Infinity;
          for (const s of steps) {
            t += s.dt;
            b.add({ t, x: s.x, y: s.x / 2, faceLost: s.lost });
            const r = Math.round(t * 10) / 10;
            if (r > last) {
              kept.push(r);
              last = r;
            }
          }
          b.flush();
          for (const batch of batches) {
            expect(SampleBatchRequest.safeParse(batch).success).toBe(true);
            expect(batch.samples.length).toBeLessThanOrEqual(MAX_SAMPLES_PER_BATCH);
          }
          expect(batches.flatMap((x) => x.samples.map((s) => s[0]))).toEqual(kept);
          expect(batches.map((x) => x.seq)).toEqual(batches.map((_, i) => i));
        },
      ),
      { numRuns: 200 },
    );
  });
});
