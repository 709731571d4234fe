/**
 * Participant API (issue 5) end to end through the real route handlers on a real database (the
 * embedded PostgreSQL, or TEST_DATABASE_URL), with the pg-boss worker recomputing density maps.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELETE as withdrawRoute, GET as stateRoute } from '@/app/api/v1/sessions/[id]/route';
import { POST as completeRoute } from '@/app/api/v1/sessions/[id]/complete/route';
import { POST as samplesRoute } from '@/app/api/v1/sessions/[id]/samples/route';
import { POST as startTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/start/route';
import { GET as imageRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/image/route';
import { GET as publicRoute } from '@/app/api/v1/studies/[id]/public/route';
import type { DbHandle } from '@/db/client';
import { latestDensityMap } from '@/db/queries/ground-truth';
import { createStudy, type StudyRow } from '@/db/queries/studies';
import { datasets, densityMaps, fixations, gazeSessions, images, sampleBatches, studies, trials } from '@/db/schema';
import { DEMO_DATASET_SLUG, DEMO_STUDY_SLUG, seedDemo } from '@/db/seed/demo';
import { decodeSamples } from '@/lib/gaze/samples';
import { startWorker } from '@/lib/jobs/worker';
import type { StartSessionResponse } from '@/lib/studies/contract';
import { driver, freshDb, tempDir, testDatabaseUrl } from './helpers';
import { calibrate, call, IMAGE_PPD, LOOK_AT, RECT, runTrial, startSession } from './participant-helpers';

const root = path.resolve(__dirname, '../..');
const SECRET = 'integration-secret-0123456789abcdef';

describe(`participant API on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let boss: PgBoss | undefined;
  let tiny: StudyRow;
  let tinyImageIds: string[];

  const rowCount = async (table: typeof sampleBatches | typeof fixations | typeof trials | typeof gazeSessions) =>
    Number((await handle.db.select({ n: count() }).from(table))[0]?.n);

  async function waitForMap(imageId: string, predicate: (m: Awaited<ReturnType<typeof latestDensityMap>>) => boolean) {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const map = await latestDensityMap(handle.db, imageId, 'webcam');
      if (predicate(map)) return map;
      if (Date.now() > deadline) throw new Error(`density map of ${imageId} did not reach the expected state`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    process.env.GAZEBENCH_SECRET = SECRET;
    await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') });
    boss = await startWorker(handle);
    // A 3-image dataset (files shared with the demo) so every participant sees the same images.
    const demoImages = await handle.db.select().from(images).limit(3);
    const [ds] = await handle.db.insert(datasets).values({ slug: 'tiny', name: 'Tiny', visibility: 'private' }).returning();
    const rows = await handle.db
      .insert(images)
      .values(demoImages.map((img, i) => ({ ...img, id: undefined, datasetId: ds?.id ?? '', position: i, createdAt: undefined })))
      .returning();
    tinyImageIds = rows.map((r) => r.id);
    tiny = await createStudy(handle.db, {
      slug: 'tiny-study',
      datasetId: ds?.id ?? '',
      name: 'Tiny',
      status: 'open',
      consentText: 'consent',
      config: { imagesPerParticipant: 3, observersPerImage: 50, driftEvery: 0 },
      completionCode: 'CODE-1',
    });
  });
  afterAll(async () => {
    await boss?.stop({ graceful: true, timeout: 5000 }).catch(() => undefined); // lets an in-flight job settle before the database closes
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the seed creates the demo study once, and restores it on a database seeded before it existed', async () => {
    const demoStudies = () => handle.db.select().from(studies).where(eq(studies.slug, DEMO_STUDY_SLUG));
    expect(await demoStudies()).toHaveLength(1);
    await handle.db.delete(studies).where(eq(studies.slug, DEMO_STUDY_SLUG));
    expect((await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') })).seeded).toBe(false);
    await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') });
    expect(await demoStudies()).toHaveLength(1);
  });

  it('GET /studies/<slug>/public: the demo study is open; unknown 404; paused 409', async () => {
    const demo = await call(publicRoute, { id: DEMO_STUDY_SLUG }, { method: 'GET' });
    expect(demo.status).toBe(200);
    expect(demo.body).toMatchObject({ slug: DEMO_STUDY_SLUG, status: 'open', config: { imagesPerParticipant: 10, viewingMs: 3000, modality: 'both' } });
    expect(demo.body.config).not.toHaveProperty('autoAccept');
    expect((await call(publicRoute, { id: 'no-such-study' }, { method: 'GET' })).status).toBe(404);
    const [ds] = await handle.db.select().from(datasets).where(eq(datasets.slug, DEMO_DATASET_SLUG));
    await createStudy(handle.db, { slug: 'paused', datasetId: ds?.id ?? '', name: 'P', status: 'paused', consentText: '' });
    expect(await call(publicRoute, { id: 'paused' }, { method: 'GET' })).toMatchObject({ status: 409, body: { error: 'study_paused' } });
  });

  it('full path: start → geometry → validation → trials → fixations where the gaze looked → accepted → density map', async () => {
    const pid = 'PROLIFIC-PARTICIPANT-0001';
    const s = await startSession('tiny-study', { provider: 'prolific', participantId: pid, studyId: 'S1', sessionId: 'X1' });
    expect(s.trials.map((t) => t.kind)).toEqual(['image', 'image', 'image']);
    expect(new Set(s.trials.map((t) => (t.kind === 'image' ? t.imageId : '')))).toEqual(new Set(tinyImageIds));
    // External ID: only the HMAC is stored, nowhere the raw ID; the same ID again → 409.
    const [row] = await handle.db.select().from(gazeSessions).where(eq(gazeSessions.id, s.sessionId));
    expect(row?.externalIdHash).toBe(createHmac('sha256', SECRET).update(`${tiny.id}:prolific:${pid}`).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(pid);
    expect(row?.tokenHash).not.toBe(s.token);
    const again = await call((await import('@/app/api/v1/studies/[id]/sessions/route')).POST, { id: 'tiny-study' }, {
      body: { modality: 'webcam', externalIds: { provider: 'prolific', participantId: pid } },
    });
    expect(again).toMatchObject({ status: 409, body: { error: 'already_started' } });

    await calibrate(s);
    let seq = 0;
    for (const [k, trial] of s.trials.entries()) {
      const r = await runTrial(s, trial, LOOK_AT, 20_000 + k * 5000, seq, k + 1);
      seq = r.seq;
      expect(r.done.fixations).toBe(3);
    }
    const img = s.trials[0];
    if (img?.kind !== 'image') throw new Error('expected an image trial');
    const image = await call(imageRoute, { id: s.sessionId, trialId: img.id }, { method: 'GET', token: s.token });
    expect(image).toMatchObject({ status: 200, body: { contentType: 'image/png' } });
    expect(image.body.bytes).toBeGreaterThan(1000);
    expect((await call(imageRoute, { id: s.sessionId, trialId: img.id }, { method: 'GET', token: 'nope' })).status).toBe(403);
    const [t0] = await handle.db.select().from(trials).where(eq(trials.id, img.id));
    expect(t0?.pixelsPerDegree).toBeCloseTo(IMAGE_PPD, 9);
    const fx = await handle.db.select().from(fixations).where(eq(fixations.trialId, img.id)).orderBy(fixations.startMs);
    expect(fx).toHaveLength(3);
    fx.forEach((f, i) => {
      const want = LOOK_AT[i] as { x: number; y: number };
      expect(Math.hypot(f.x - want.x, f.y - want.y) / IMAGE_PPD).toBeLessThan(0.5);
      expect(f.startMs).toBeGreaterThanOrEqual(0);
      expect(f.sampleCount).toBeGreaterThan(10);
    });

    const done = await call(completeRoute, { id: s.sessionId }, { token: s.token });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ decision: 'accepted', completionCode: 'CODE-1', quality: { reasons: [], trials: { total: 3, completed: 3 } } });
    const map = await waitForMap(img.imageId, (m) => m !== undefined);
    expect(map).toMatchObject({ modality: 'webcam', observers: 1, fixationCount: 3, width: 224, height: 224 });
    // The map peaks near one of the looked-at points.
    const data = map?.grid.data ?? new Float64Array();
    let best = 0;
    data.forEach((v, i) => { if (v > (data[best] ?? 0)) best = i; });
    const peak = { x: best % 224, y: Math.floor(best / 224) };
    expect(Math.min(...LOOK_AT.map((p) => Math.hypot(p.x - peak.x, p.y - peak.y)))).toBeLessThan(10);
    // Completing again answers the same.
    expect((await call(completeRoute, { id: s.sessionId }, { token: s.token })).body.decision).toBe('accepted');
  });

  describe('bad input changes nothing', () => {
    let a: StartSessionResponse;
    let b: StartSessionResponse;
    beforeAll(async () => {
      a = await startSession('tiny-study');
      b = await startSession('tiny-study');
      await calibrate(a);
      const trial = a.trials[0];
      if (!trial) throw new Error('no trial');
      const st = await call(startTrialRoute, { id: a.sessionId, trialId: trial.id }, { token: a.token, body: { rect: RECT, viewport: { width: 1920, height: 1080 }, shownAt: 1000 } });
      expect(st.status).toBe(200);
    });
    const batch = (seq: number, t0: number, n = 30) => ({
      seq,
      trialId: a.trials[0]?.id,
      samples: Array.from({ length: n }, (_, i) => [t0 + i * 33, 900, 500, 0]),
    });
    async function expectNothingStored(run: () => Promise<{ status: number; body: Record<string, unknown> }>, status: number, field?: string) {
      const before = await rowCount(sampleBatches);
      const res = await run();
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      if (field) expect(res.body.field).toBe(field);
      expect(await rowCount(sampleBatches)).toBe(before);
      return res;
    }

    it('forged token and another session’s token → 403', async () => {
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: 'forged-token', body: batch(0, 1000) }), 403);
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: b.token, body: batch(0, 1000) }), 403);
      expect((await call(stateRoute, { id: a.sessionId }, { method: 'GET', token: b.token })).status).toBe(403);
      expect((await call(withdrawRoute, { id: a.sessionId }, { method: 'DELETE', token: b.token })).status).toBe(403);
      expect((await call(stateRoute, { id: a.sessionId }, { method: 'GET' })).status).toBe(401);
      // A bad body with a bad token is still a 403 (the token is checked before answering 400).
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: b.token, body: { seq: -1 } }), 403);
    });

    it('a replayed batch is stored once', async () => {
      const first = await call(samplesRoute, { id: a.sessionId }, { token: a.token, body: batch(0, 1000) });
      expect(first).toMatchObject({ status: 200, body: { stored: 30 } });
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: batch(0, 1000) }), 200).then((r) => expect(r.body).toEqual({ duplicate: true }));
      const [n] = await handle.db.select({ n: count() }).from(sampleBatches).where(and(eq(sampleBatches.sessionId, a.sessionId), eq(sampleBatches.seq, 0)));
      expect(Number(n?.n)).toBe(1);
    });

    it('NaN / null / Infinity, huge arrays, huge bodies, out-of-range coordinates → 400/413 naming the field', async () => {
      const withNull = JSON.stringify(batch(1, 2000)).replace('[2000,900,', '[2000,null,');
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, raw: withNull }), 400, 'samples.0.1');
      const withNaN = JSON.stringify(batch(1, 2000)).replace('[2000,900,', '[2000,NaN,');
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, raw: withNaN }), 400);
      const withInf = JSON.stringify(batch(1, 2000)).replace('[2000,900,', '[2000,1e999,');
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, raw: withInf }), 400, 'samples.0.1');
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: batch(1, 2000, 201) }), 400, 'samples');
      const far = batch(1, 2000);
      (far.samples[3] as number[])[2] = 20_001;
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: far }), 400, 'samples.3.2');
      const big = { ...batch(1, 2000), pad: 'x'.repeat(70_000) };
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: big }), 413);
    });

    it('time going backwards, within a batch and across batches of the trial → 400 naming the sample', async () => {
      const back = batch(1, 2000);
      (back.samples[5] as number[])[0] = 1000;
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: back }), 400, 'samples.5.0');
      // seq 0 covered 1000–1957 ms: a later seq starting at 1500 overlaps it.
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: batch(1, 1500) }), 400, 'samples.0.0');
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: { ...batch(1, 2000), samples: [[-5, 1, 1, 0]] } }), 400, 'samples.0.0');
      expect((await call(samplesRoute, { id: a.sessionId }, { token: a.token, body: batch(1, 2000) })).status).toBe(200);
    });

    it('trial caps: samples outside the trial window, or more than 250 Hz over it → 400', async () => {
      const trial = a.trials[1];
      if (!trial) throw new Error('no second trial');
      const shownAt = 100_000;
      expect((await call(startTrialRoute, { id: a.sessionId, trialId: trial.id }, { token: a.token, body: { rect: RECT, viewport: { width: 1920, height: 1080 }, shownAt } })).status).toBe(200);
      const dense = (seq: number, t0: number) => ({ seq, trialId: trial.id, samples: Array.from({ length: 200 }, (_, i) => [t0 + i * 3, 900, 500, 0]) });
      // viewingMs 3000 → window [98 000, 105 000] ms: 7 s × 250 Hz = 1750 samples.
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: { ...dense(100, shownAt + 4400), samples: [[shownAt + 4400, 1, 1, 0], [shownAt + 5001, 1, 1, 0]] } }), 400, 'samples.1.0');
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: dense(100, shownAt - 2500) }), 400, 'samples.0.0');
      for (let k = 0; k < 8; k++) {
        const r = await call(samplesRoute, { id: a.sessionId }, { token: a.token, body: dense(100 + k, shownAt - 2000 + k * 600) });
        expect(r.status, JSON.stringify(r.body)).toBe(200);
      }
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: dense(108, shownAt - 2000 + 8 * 600) }), 400, 'samples');
    });

    it('a trial of another session or study → 400 field trialId', async () => {
      const ofB = { ...batch(2, 4000), trialId: b.trials[0]?.id };
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: ofB }), 400, 'trialId');
      const demo = await startSession(DEMO_STUDY_SLUG);
      await expectNothingStored(() => call(samplesRoute, { id: a.sessionId }, { token: a.token, body: { ...batch(2, 4000), trialId: demo.trials[0]?.id } }), 400, 'trialId');
      const st = await call(startTrialRoute, { id: a.sessionId, trialId: demo.trials[0]?.id ?? '' }, { token: a.token, body: { rect: RECT, viewport: { width: 1920, height: 1080 }, shownAt: 1 } });
      expect(st).toMatchObject({ status: 400, body: { field: 'trialId' } });
    });
  });

  it('a restarted trial (here or in another process) maps later batches through its new rectangle', async () => {
    const s = await startSession('tiny-study');
    await calibrate(s);
    const trial = s.trials[0];
    if (!trial) throw new Error('no trial');
    const start = (rect: typeof RECT, shownAt: number) => call(startTrialRoute, { id: s.sessionId, trialId: trial.id }, { token: s.token, body: { rect, viewport: { width: 1920, height: 1080 }, shownAt } });
    const post = (seq: number, t: number) => call(samplesRoute, { id: s.sessionId }, { token: s.token, body: { seq, trialId: trial.id, samples: [[t, 512 + 448, 92 + 448, 0]] } });
    const storedX = async (seq: number) => {
      const [b] = await handle.db.select().from(sampleBatches).where(and(eq(sampleBatches.sessionId, s.sessionId), eq(sampleBatches.seq, seq)));
      return b ? decodeSamples(b.samples)[0]?.x : undefined;
    };
    expect((await start(RECT, 1000)).status).toBe(200);
    expect((await post(0, 1500)).body).toEqual({ stored: 1 });
    expect(await storedX(0)).toBe(112);
    expect((await start({ ...RECT, x: 0 }, 9000)).status).toBe(200); // restart: earlier batches dropped
    expect(await storedX(0)).toBeUndefined();
    expect((await post(1, 9500)).body).toEqual({ stored: 1 });
    expect(await storedX(1)).toBe(240);
    // Another process restarts the trial: this process's cached rectangle is stale.
    await handle.db.update(trials).set({ rect: { ...RECT, x: 512, viewportWidth: 1920, viewportHeight: 1080, shownAt: 20_000 } }).where(eq(trials.id, trial.id));
    expect((await post(2, 20_500)).body).toEqual({ stored: 1 });
    expect(await storedX(2)).toBe(112);
  });

  it('withdrawal deletes every row of the session and the maps are recomputed without it', async () => {
    // Two accepted participants on the same images; then one withdraws.
    const p1 = await startSession('tiny-study');
    const p2 = await startSession('tiny-study');
    for (const [n, s] of [p1, p2].entries()) {
      await calibrate(s);
      let seq = 0;
      for (const [k, trial] of s.trials.entries()) seq = (await runTrial(s, trial, LOOK_AT, 1000 + k * 5000, seq, 10 * n + k)).seq;
      expect((await call(completeRoute, { id: s.sessionId }, { token: s.token })).body.decision).toBe('accepted');
    }
    const imageId = tinyImageIds[0] as string;
    const before = await waitForMap(imageId, (m) => (m?.observers ?? 0) >= 3);
    const counts = async (id: string) => [
      Number((await handle.db.select({ n: count() }).from(sampleBatches).where(eq(sampleBatches.sessionId, id)))[0]?.n),
      Number((await handle.db.select({ n: count() }).from(fixations).where(eq(fixations.sessionId, id)))[0]?.n),
      Number((await handle.db.select({ n: count() }).from(trials).where(eq(trials.sessionId, id)))[0]?.n),
    ];
    expect((await counts(p2.sessionId)).every((n) => n > 0)).toBe(true);
    const res = await call(withdrawRoute, { id: p2.sessionId }, { method: 'DELETE', token: p2.token });
    expect(res.status).toBe(204);
    expect(await counts(p2.sessionId)).toEqual([0, 0, 0]);
    expect(await handle.db.select().from(gazeSessions).where(eq(gazeSessions.id, p2.sessionId))).toEqual([]);
    const after = await waitForMap(imageId, (m) => (m?.version ?? 0) > (before?.version ?? 0) && m?.observers === (before?.observers ?? 0) - 1);
    expect(after?.fixationCount).toBe((before?.fixationCount ?? 0) - 3);
    // The token is dead with its session.
    expect((await call(stateRoute, { id: p2.sessionId }, { method: 'GET', token: p2.token })).status).toBe(403);
    expect(await handle.db.select({ id: densityMaps.id }).from(densityMaps).where(eq(densityMaps.imageId, imageId))).not.toEqual([]);
  });
});
