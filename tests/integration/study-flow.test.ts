/**
 * Study rules through the route handlers on a real database: balanced assignment and full
 * studies, drift and attention trials, validation gating, the mouse alternative, partial
 * completion, chinrest plausibility, and the researcher's quality table and review decision.
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as completeRoute } from '@/app/api/v1/sessions/[id]/complete/route';
import { PUT as geometryRoute } from '@/app/api/v1/sessions/[id]/geometry/route';
import { PUT as modalityRoute } from '@/app/api/v1/sessions/[id]/modality/route';
import { GET as stateRoute } from '@/app/api/v1/sessions/[id]/route';
import { POST as completeTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/complete/route';
import { POST as startTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/start/route';
import { POST as validationsRoute } from '@/app/api/v1/sessions/[id]/validations/route';
import { PATCH as reviewRoute } from '@/app/api/v1/studies/[id]/sessions/[sessionId]/route';
import { GET as sessionsTableRoute, POST as startRoute } from '@/app/api/v1/studies/[id]/sessions/route';
import type { DbHandle } from '@/db/client';
import { latestDensityMap } from '@/db/queries/ground-truth';
import { createStudy } from '@/db/queries/studies';
import { fixations, gazeSessions, trials } from '@/db/schema';
import { startWorker } from '@/lib/jobs/worker';
import type { StartSessionResponse, Trial } from '@/lib/studies/contract';
import { freshDb, driver, tempDir, testDatabaseUrl } from './helpers';
import { calibrate, call, GEOMETRY, LOOK_AT, makeDataset, makeResearcher, RECT, runTrial, startSession, validationPoints } from './participant-helpers';

describe(`study rules on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let boss: PgBoss | undefined;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    process.env.GAZEBENCH_SECRET = 'study-flow-secret-0123456789';
    boss = await startWorker(handle);
  });
  afterAll(async () => {
    await boss?.stop({ graceful: true, timeout: 5000 }).catch(() => undefined); // lets an in-flight job settle before the database closes
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('balanced assignment: fewest observers first, until every image has its target; then 409 study_full', async () => {
    const { datasetId, imageIds } = await makeDataset(handle.db, dataDir, 'twelve', 12);
    await createStudy(handle.db, { slug: 'balanced', datasetId, name: 'B', status: 'open', consentText: '', config: { imagesPerParticipant: 4, observersPerImage: 2, driftEvery: 0 } });
    const seen = new Map<string, number>();
    const firstRound: string[][] = [];
    for (let k = 0; k < 6; k++) {
      const s = await startSession('balanced');
      const ids = s.trials.flatMap((t) => (t.kind === 'image' ? [t.imageId] : []));
      expect(ids).toHaveLength(4);
      if (k < 3) firstRound.push(ids);
      for (const id of ids) seen.set(id, (seen.get(id) ?? 0) + 1);
    }
    // The first three participants cover the 12 images without overlap (ties by position: 0–3, 4–7, 8–11).
    expect(new Set(firstRound.flat()).size).toBe(12);
    expect(firstRound.map((ids) => [...ids].sort())).toEqual([0, 1, 2].map((k) => imageIds.slice(4 * k, 4 * k + 4).sort()));
    expect([...seen.values()]).toEqual(Array(12).fill(2));
    expect(await call(startRoute, { id: 'balanced' }, { body: { modality: 'webcam' } })).toMatchObject({ status: 409, body: { error: 'study_full' } });
  });

  it('participant cap and modality offered', async () => {
    const { datasetId } = await makeDataset(handle.db, dataDir, 'capped', 2);
    await createStudy(handle.db, { slug: 'capped', datasetId, name: 'C', status: 'open', consentText: '', participantCap: 1, config: { imagesPerParticipant: 2 } });
    expect(await call(startRoute, { id: 'capped' }, { body: { modality: 'mouse' } })).toMatchObject({ status: 400, body: { field: 'modality' } });
    await startSession('capped');
    expect(await call(startRoute, { id: 'capped' }, { body: { modality: 'webcam' } })).toMatchObject({ status: 409, body: { error: 'study_full' } });
  });

  describe('drift checks, attention checks and review', () => {
    let owner: Awaited<ReturnType<typeof makeResearcher>>;
    let studyId: string;
    let imageIds: string[];
    beforeAll(async () => {
      owner = await makeResearcher(handle.db, 'owner@example.org');
      const ds = await makeDataset(handle.db, dataDir, 'three', 3);
      imageIds = ds.imageIds;
      const study = await createStudy(handle.db, {
        slug: 'checks',
        datasetId: ds.datasetId,
        ownerId: owner.userId,
        name: 'Checks',
        status: 'open',
        consentText: '',
        config: { imagesPerParticipant: 2, driftEvery: 1, attentionChecks: { every: 1 } },
      });
      studyId = study.id;
    });

    /** Runs the plan image, drift, attention, image; the attention gaze goes to the target or away. */
    async function participant(lookAtTarget: boolean): Promise<StartSessionResponse> {
      const s = await startSession('checks');
      expect(s.trials.map((t) => t.kind)).toEqual(['image', 'drift', 'attention', 'image']);
      await calibrate(s);
      let seq = 0;
      for (const [k, trial] of s.trials.entries()) {
        if (trial.kind === 'drift') {
          const v = await call(validationsRoute, { id: s.sessionId }, { token: s.token, body: { kind: 'drift', attempt: 1, trialId: trial.id, points: validationPoints(1, 0.5, 7) } });
          expect(v.body).toMatchObject({ kind: 'drift', passed: true });
          continue;
        }
        const target = trial.kind === 'attention' ? trial.target : undefined;
        const look = target ? [{ x: lookAtTarget ? target.x : 224 - target.x + 300, y: target.y, durationMs: 1200 }] : LOOK_AT;
        const r = await runTrial(s, trial as Trial, look, 1000 + k * 5000, seq, k + 3);
        seq = r.seq;
        if (trial.kind === 'attention') {
          expect(r.done).toEqual({ fixations: 0, passed: lookAtTarget });
          expect(imageIds).toContain(trial.imageId);
        }
      }
      const st = await call(stateRoute, { id: s.sessionId }, { method: 'GET', token: s.token });
      expect(st.body).toMatchObject({ nextTrialPosition: null, validations: { passed: true, attempts: 1 } });
      return s;
    }

    it('a participant who passes every check is accepted; attention trials store no fixations', async () => {
      const s = await participant(true);
      const done = await call(completeRoute, { id: s.sessionId }, { token: s.token });
      expect(done.body).toMatchObject({ decision: 'accepted', quality: { attention: { checks: 1, passed: 1 }, drift: { checks: 1, failed: 0 } } });
      const att = s.trials.find((t) => t.kind === 'attention');
      expect(await handle.db.select().from(fixations).where(eq(fixations.trialId, att?.id ?? ''))).toEqual([]);
      // Its maps exist once the worker has run (the next test compares against them).
      for (const t of s.trials) {
        if (t.kind !== 'image') continue;
        const deadline = Date.now() + 30_000;
        while (!(await latestDensityMap(handle.db, t.imageId, 'webcam')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
        expect(await latestDensityMap(handle.db, t.imageId, 'webcam')).toMatchObject({ observers: 1 });
      }
    });

    it('a failed attention check → pending review; the owner accepts it and ground truth follows; others see 404', async () => {
      const s = await participant(false);
      const done = await call(completeRoute, { id: s.sessionId }, { token: s.token });
      expect(done.body).toMatchObject({ decision: 'pending_review', quality: { reasons: ['attention checks passed 0 of 1'] } });

      const table = await call(sessionsTableRoute, { id: studyId }, { method: 'GET', headers: owner.headers });
      expect(table.status).toBe(200);
      const rows = table.body.sessions as Array<{ id: string; status: string; decision: string; quality: { attention: { passed: number } } }>;
      expect(rows.find((r) => r.id === s.sessionId)).toMatchObject({ status: 'completed', decision: 'pending_review', quality: { attention: { passed: 0 } } });

      const other = await makeResearcher(handle.db, 'other@example.org');
      expect((await call(sessionsTableRoute, { id: studyId }, { method: 'GET', headers: other.headers })).status).toBe(404);
      expect((await call(sessionsTableRoute, { id: studyId }, { method: 'GET' })).status).toBe(401);
      const admin = await makeResearcher(handle.db, 'admin@example.org', 'admin');
      expect((await call(sessionsTableRoute, { id: studyId }, { method: 'GET', headers: admin.headers })).status).toBe(200);

      const params = { id: studyId, sessionId: s.sessionId };
      expect((await call(reviewRoute, params, { method: 'PATCH', headers: other.headers, body: { decision: 'accepted' } })).status).toBe(404);
      expect((await call(reviewRoute, params, { method: 'PATCH', headers: { cookie: owner.headers.cookie }, body: { decision: 'accepted' } })).status).toBe(403);
      expect((await call(reviewRoute, params, { method: 'PATCH', headers: owner.headers, body: { decision: 'maybe' } })).body.field).toBe('decision');
      const image = s.trials.find((t) => t.kind === 'image');
      const before = await latestDensityMap(handle.db, image?.kind === 'image' ? image.imageId : '', 'webcam');
      const ok = await call(reviewRoute, params, { method: 'PATCH', headers: owner.headers, body: { decision: 'accepted' } });
      expect(ok).toMatchObject({ status: 200, body: { status: 'accepted', reviewDecision: 'accepted' } });
      const deadline = Date.now() + 30_000;
      let after = before;
      while (Date.now() < deadline && (after?.version ?? 0) <= (before?.version ?? 0)) {
        await new Promise((r) => setTimeout(r, 200));
        after = await latestDensityMap(handle.db, image?.kind === 'image' ? image.imageId : '', 'webcam');
      }
      expect(after?.observers).toBe((before?.observers ?? 0) + 1);
    });
  });

  it('validation is computed by the server and gates the trials; attempts are capped', async () => {
    const { datasetId } = await makeDataset(handle.db, dataDir, 'gate', 2);
    await createStudy(handle.db, { slug: 'gate', datasetId, name: 'G', status: 'open', consentText: '', config: { imagesPerParticipant: 2, driftEvery: 0 } });
    const s = await startSession('gate');
    const trial = { id: s.sessionId, trialId: s.trials[0]?.id ?? '' };
    const start = () => call(startTrialRoute, trial, { token: s.token, body: { rect: RECT, viewport: GEOMETRY.window, shownAt: 5 } });
    expect(await call(validationsRoute, { id: s.sessionId }, { token: s.token, body: { kind: 'initial', attempt: 1, points: validationPoints(5, 0.5) } })).toMatchObject({ status: 409, body: { error: 'geometry_required' } });
    expect(await start()).toMatchObject({ status: 409, body: { error: 'geometry_required' } });
    expect((await call(geometryRoute, { id: s.sessionId }, { method: 'PUT', token: s.token, body: { ...GEOMETRY, screenPxPerDeg: 50 } })).body.field).toBe('screenPxPerDeg');
    expect((await call(geometryRoute, { id: s.sessionId }, { method: 'PUT', token: s.token, body: { ...GEOMETRY, pxPerMm: 1, viewingDistanceMm: 200, screenPxPerDeg: 3.49 } })).body.field).toBe('viewingDistanceMm');
    const g = await call(geometryRoute, { id: s.sessionId }, { method: 'PUT', token: s.token, body: { ...GEOMETRY, screenPxPerDeg: 42 } });
    expect(g.body.screenPxPerDeg).toBeCloseTo(41.889, 3);
    const bad = await call(validationsRoute, { id: s.sessionId }, { token: s.token, body: { kind: 'initial', attempt: 1, points: validationPoints(5, 6) } });
    expect(bad.body).toMatchObject({ passed: false, attemptsLeft: 2 });
    expect(bad.body.accuracyDeg as number).toBeGreaterThan(5);
    expect(await start()).toMatchObject({ status: 409, body: { error: 'validation_required' } });
    expect((await call(validationsRoute, { id: s.sessionId }, { token: s.token, body: { kind: 'initial', attempt: 1, points: validationPoints(4, 0.5) } })).body.field).toBe('points');
    expect((await call(validationsRoute, { id: s.sessionId }, { token: s.token, body: { kind: 'initial', attempt: 4, points: validationPoints(5, 0.5) } })).body.field).toBe('attempt');
    const good = await call(validationsRoute, { id: s.sessionId }, { token: s.token, body: { kind: 'initial', attempt: 2, points: validationPoints(5, 0.5) } });
    expect(good.body).toMatchObject({ passed: true });
    expect(good.body.accuracyDeg as number).toBeLessThan(1);
    expect((await start()).status).toBe(200);
    expect((await call(startTrialRoute, trial, { token: s.token, body: { rect: { ...RECT, height: 600 }, viewport: GEOMETRY.window, shownAt: 5 } })).body.field).toBe('rect');
  });

  it('mouse alternative: switching before any trial; partial sessions are discarded by default', async () => {
    const { datasetId } = await makeDataset(handle.db, dataDir, 'both', 2);
    await createStudy(handle.db, { slug: 'both', datasetId, name: 'M', status: 'open', consentText: '', config: { imagesPerParticipant: 2, driftEvery: 1, modality: 'both' } });
    const s = await startSession('both');
    expect(await call(modalityRoute, { id: s.sessionId }, { method: 'PUT', token: s.token, body: { modality: 'mouse' } })).toMatchObject({ status: 200, body: { modality: 'mouse' } });
    await call(geometryRoute, { id: s.sessionId }, { method: 'PUT', token: s.token, body: GEOMETRY });
    const first = s.trials[0] as Trial;
    const r = await runTrial(s, first, LOOK_AT, 100, 0);
    expect(r.done.fixations).toBe(3);
    expect(await call(modalityRoute, { id: s.sessionId }, { method: 'PUT', token: s.token, body: { modality: 'webcam' } })).toMatchObject({ status: 409, body: { error: 'trials_started' } });
    const drift = s.trials[1] as Trial;
    expect(drift.kind).toBe('drift');
    expect(await call(completeTrialRoute, { id: s.sessionId, trialId: drift.id }, { token: s.token, body: {} })).toMatchObject({ status: 200, body: { fixations: 0 } });
    const done = await call(completeRoute, { id: s.sessionId }, { token: s.token });
    expect(done.body).toMatchObject({ decision: 'rejected' });
    const [row] = await handle.db.select().from(gazeSessions).where(eq(gazeSessions.id, s.sessionId));
    expect([row?.status, row?.modality]).toEqual(['ended', 'mouse']);
    expect((await handle.db.select().from(trials).where(eq(trials.sessionId, s.sessionId))).map((t) => t.status).sort()).toEqual(['complete', 'skipped', 'skipped']);
    expect(await call(startTrialRoute, { id: s.sessionId, trialId: s.trials[2]?.id ?? '' }, { token: s.token, body: { rect: RECT, viewport: GEOMETRY.window, shownAt: 5 } })).toMatchObject({ status: 409, body: { error: 'session_closed' } });
  });
});
