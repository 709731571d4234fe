/**
 * The group insert of gaze batches (db/queries/samples.ts, BatchInserter): batches queued while a
 * statement is in flight go together in one statement, each row still checked on its own (token,
 * trial state and rectangle, overlap, cap); two batches of one trial never share a statement; a
 * failing group is retried row by row so that only the bad row fails. Real database, both drivers.
 */
import fs from 'node:fs';
import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { BatchInserter, type BatchRow } from '@/db/queries/samples';
import { createStudy } from '@/db/queries/studies';
import { sampleBatches, trials } from '@/db/schema';
import { sha256Hex } from '@/lib/auth/access';
import { decodeSamples, encodeSamples } from '@/lib/gaze/samples';
import type { StartSessionResponse } from '@/lib/studies/contract';
import { POST as samplesRoute } from '@/app/api/v1/sessions/[id]/samples/route';
import { POST as startTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/start/route';
import { driver, freshDb, tempDir } from './helpers';
import { calibrate, call, GEOMETRY, makeDataset, RECT, startSession } from './participant-helpers';

const N = 10;

describe(`group insert of gaze batches on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  const sessions: { s: StartSessionResponse; trialId: string; rect: string }[] = [];
  let nextSeq = 100;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    process.env.GAZEBENCH_SECRET = 'group-insert-secret-0123456789';
    const { datasetId } = await makeDataset(handle.db, dataDir, 'group', 2);
    await createStudy(handle.db, { slug: 'group', datasetId, name: 'G', status: 'open', consentText: '', config: { imagesPerParticipant: 2, driftEvery: 0, viewingMs: 30_000 } });
    for (let k = 0; k < N; k++) {
      const s = await startSession('group');
      await calibrate(s);
      const trialId = s.trials[0]?.id ?? '';
      const st = await call(startTrialRoute, { id: s.sessionId, trialId }, { token: s.token, body: { rect: RECT, viewport: GEOMETRY.window, shownAt: 0 } });
      expect(st.status, JSON.stringify(st.body)).toBe(200);
      const [t] = await handle.db.select({ rect: trials.rect }).from(trials).where(eq(trials.id, trialId));
      sessions.push({ s, trialId, rect: JSON.stringify(t?.rect) });
    }
  }, 120_000);
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A row of session k: 30 samples from t0, 33 ms apart; the sample bytes tell the row apart. */
  function row(k: number, t0: number, over: Partial<BatchRow> = {}): BatchRow {
    const { s, trialId, rect } = sessions[k] as (typeof sessions)[number];
    const samples = Array.from({ length: 30 }, (_, i) => ({ t: t0 + i * 33, x: k + i, y: 1000 * k + t0, flags: 0 }));
    return { sessionId: s.sessionId, seq: nextSeq++, trialId, count: 30, first: t0, last: t0 + 29 * 33, samples: encodeSamples(samples), tokenHash: sha256Hex(s.token), rect, maxSamples: 10_000, ...over };
  }
  const storedRows = (rows: BatchRow[]) =>
    handle.db.select().from(sampleBatches).where(inArray(sampleBatches.seq, rows.map((r) => r.seq)));

  it('batches queued behind a statement go together in the next one, each stored exactly', async () => {
    const inserter = new BatchInserter(handle.db, 1);
    const rows = Array.from({ length: N }, (_, k) => row(k, 0));
    const results = await Promise.all(rows.map((r) => inserter.insert(r)));
    expect(results).toEqual(rows.map(() => true));
    // The first went alone (nothing was in flight); the other nine waited and went in one statement.
    expect(inserter.statements).toBe(2);
    const stored = await storedRows(rows);
    expect(stored).toHaveLength(N);
    for (const r of rows) {
      const got = stored.find((b) => b.seq === r.seq);
      expect(got?.sessionId).toBe(r.sessionId);
      expect(got?.trialId).toBe(r.trialId);
      expect([got?.sampleCount, got?.tFirstMs, got?.tLastMs]).toEqual([30, r.first, r.last]);
      expect(decodeSamples(got?.samples as Uint8Array)).toEqual(decodeSamples(r.samples));
    }
  });

  it('two batches of one trial go in separate statements, so the overlap check sees the first', async () => {
    const inserter = new BatchInserter(handle.db, 1);
    const blocker = row(1, 2000);
    const a = row(0, 2000);
    const overlapping = row(0, 2500); // starts before a ends, larger seq: time going backwards
    const after = row(0, 4000);
    const other = row(2, 2000);
    const results = await Promise.all([blocker, a, overlapping, after, other].map((r) => inserter.insert(r)));
    expect(results).toEqual([true, true, false, true, true]);
    // blocker alone; then a + other; then overlapping, refused (a is stored); then after.
    expect(inserter.statements).toBe(4);
    expect((await storedRows([overlapping])).length).toBe(0);
  });

  it('a row whose checks fail is refused alone; the rest of its group is stored', async () => {
    const inserter = new BatchInserter(handle.db, 1);
    const first = row(3, 6000);
    const wrongToken = row(4, 6000, { tokenHash: sha256Hex('not the token') });
    const staleRect = row(5, 6000, { rect: JSON.stringify({ ...JSON.parse((sessions[5] as { rect: string }).rect), x: 1 }) });
    const overCap = row(6, 6000, { maxSamples: 29 });
    const good = row(7, 6000);
    const replay = { ...row(8, 6000), seq: first.seq }; // another session's seq number: allowed
    const results = await Promise.all([first, wrongToken, staleRect, overCap, good, replay].map((r) => inserter.insert(r)));
    expect(results).toEqual([true, false, false, false, true, true]);
    expect(inserter.statements).toBe(2);
    const stored = await storedRows([first, wrongToken, staleRect, overCap, good]);
    expect(stored.map((b) => b.sessionId).sort()).toEqual([first.sessionId, good.sessionId, replay.sessionId].sort());
    // The same (session, seq) again is not stored twice.
    expect(await inserter.insert({ ...first })).toBe(false);
  });

  it('a group whose statement fails is retried row by row: only the bad row fails', async () => {
    const inserter = new BatchInserter(handle.db, 1);
    const first = row(0, 8000);
    const bad = row(1, 8000, { trialId: 'not-a-uuid' });
    const good = row(2, 8000);
    const upper = row(3, 8000, { sessionId: (sessions[3] as { s: StartSessionResponse }).s.sessionId.toUpperCase() });
    const settled = await Promise.allSettled([first, bad, good, upper].map((r) => inserter.insert(r)));
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled.map((r) => (r.status === 'fulfilled' ? r.value : 'error'))).toEqual([true, 'error', true, true]);
    expect((await storedRows([first, good, upper])).length).toBe(3);
  });

  it('concurrent requests through the route: every batch stored once, replays answered as duplicates', async () => {
    const bodies = sessions.map(({ s, trialId }, k) => ({ s, body: { seq: 5000 + k, trialId, samples: Array.from({ length: 30 }, (_, i) => [10_000 + i * 33, 900, 500, 0]) } }));
    const first = await Promise.all(bodies.map(({ s, body }) => call(samplesRoute, { id: s.sessionId }, { token: s.token, body })));
    expect(first.map((r) => r.status)).toEqual(bodies.map(() => 200));
    expect(first.map((r) => r.body)).toEqual(bodies.map(() => ({ stored: 30 })));
    const again = await Promise.all(bodies.map(({ s, body }) => call(samplesRoute, { id: s.sessionId }, { token: s.token, body })));
    expect(again.map((r) => r.body)).toEqual(bodies.map(() => ({ duplicate: true })));
    const rows = await handle.db.select({ seq: sampleBatches.seq }).from(sampleBatches).where(inArray(sampleBatches.seq, bodies.map((b) => b.body.seq)));
    expect(rows).toHaveLength(N);
  });
});
