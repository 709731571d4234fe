/**
 * The researcher's study routes (issue 7, "Studies") through their handlers on a real database:
 * creation from one's own dataset with field-level validation, ownership (404 to others, admins
 * allowed), the status life cycle (409 on an illegal transition, the participant link following
 * the status), the config frozen once a participant has started, and the progress numbers on
 * seeded sessions, including the convergence curve computed by the ground-truth code.
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DELETE as withdrawRoute } from '@/app/api/v1/sessions/[id]/route';
import { GET as progressRoute } from '@/app/api/v1/studies/[id]/progress/route';
import { GET as publicRoute } from '@/app/api/v1/studies/[id]/public/route';
import { GET as getRoute, PATCH as patchRoute } from '@/app/api/v1/studies/[id]/route';
import { GET as listRoute, POST as createRoute } from '@/app/api/v1/studies/route';
import type { DbHandle } from '@/db/client';
import { createDataset, insertImages } from '@/db/queries/datasets';
import { recomputeDensityMap } from '@/db/queries/ground-truth';
import { createStudy } from '@/db/queries/studies';
import { fixations, gazeSessions, studies, trials } from '@/db/schema';
import { encodePng } from '@/lib/io/png';
import { computeReference } from '@/lib/scoring/reference';
import { putBlob } from '@/lib/storage/blobs';
import { driver, freshDb, tempDir } from './helpers';
import { asCookie, asToken, call, makeToken, makeUser, request, type Caller, type TestUser } from './http-helpers';
import { call as participantCall, startSession } from './participant-helpers';

type Json = Record<string, unknown>;

describe(`study routes on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let n = 0;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    process.env.GAZEBENCH_SECRET = 'studies-api-secret-0123456789';
    [owner, other, admin] = [await makeUser(handle.db), await makeUser(handle.db), await makeUser(handle.db, 'admin')];
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A dataset of `count` 32×32 PNGs owned by `ownerId`. */
  async function dataset(ownerId: string, count: number, visibility: 'private' | 'public' = 'private') {
    const slug = `ds-${++n}`;
    const row = await createDataset(handle.db, { slug, name: slug, description: '', visibility, ownerId });
    if (!row) throw new Error('dataset');
    const files = [];
    for (let i = 0; i < count; i++) {
      const bytes = encodePng({ width: 32, height: 32, data: new Uint8Array(32 * 32 * 4).fill(20 + i) });
      files.push({ name: `img_${i}.png`, classLabel: 'img', width: 32, height: 32, sha256: await putBlob(dataDir, bytes), mimeType: 'image/png', bytes: bytes.length });
    }
    const imgs = await insertImages(handle.db, row.id, files);
    return { id: row.id, slug, imageIds: imgs.map((i) => i.id) };
  }

  async function create(caller: Caller, json: Json) {
    const res = await call(createRoute, request('/api/v1/studies', { caller, json }));
    return { status: res.status, body: (await res.json()) as Json };
  }
  async function patch(caller: Caller, id: string, json: Json) {
    const res = await call(patchRoute, request(`/api/v1/studies/${id}`, { method: 'PATCH', caller, json }), { id });
    return { status: res.status, body: (await res.json()) as Json };
  }
  async function get(handler: unknown, caller: Caller, path: string, id: string) {
    const res = await call(handler, request(path, { caller }), { id });
    return { status: res.status, body: (await res.json()) as Json };
  }
  const base = (datasetId: string, extra: Json = {}): Json => ({ name: 'Gaze on shapes', datasetId, consentText: 'I agree to take part.', config: { imagesPerParticipant: 2 }, ...extra });

  it('creates a draft study from an own dataset, with defaults, a random link, and lists it', async () => {
    const d = await dataset(owner.id, 3);
    const res = await create(asCookie(owner), base(d.id, { config: { imagesPerParticipant: 2, calibrationPoints: 13, modality: 'both', observersPerImage: 4 }, completionCode: 'C0DE-1', participantCap: 40 }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const s = res.body as { id: string; slug: string; status: string; link: string; config: Json; dataset: Json; mine: boolean; transitions: string[]; sessionsStarted: number; completionCode: string; participantCap: number };
    expect(s.slug).toMatch(/^[a-z0-9]{12}$/);
    expect(s.link).toBe(`/s/${s.slug}`);
    expect(s.status).toBe('draft');
    expect(s.transitions).toEqual(['open']);
    expect(s.config).toMatchObject({ imagesPerParticipant: 2, calibrationPoints: 13, modality: 'both', observersPerImage: 4, viewingMs: 3000, validationThresholdDeg: 4 });
    expect(s.dataset).toEqual({ id: d.id, slug: d.slug, name: d.slug });
    expect([s.mine, s.sessionsStarted, s.completionCode, s.participantCap]).toEqual([true, 0, 'C0DE-1', 40]);
    // A draft is not a participant link yet.
    expect((await participantCall(publicRoute, { id: s.slug }, { method: 'GET' })).status).toBe(404);

    const list = await get(listRoute, asCookie(owner), '/api/v1/studies', '');
    expect((list.body.studies as Json[]).map((x) => x.id)).toContain(s.id);
    expect(((await get(listRoute, asCookie(other), '/api/v1/studies', '')).body.studies as Json[]).map((x) => x.id)).not.toContain(s.id);
    const one = await get(getRoute, asCookie(owner), `/api/v1/studies/${s.id}`, s.id);
    expect(one.status).toBe(200);
    expect(one.body.slug).toBe(s.slug);
  });

  it('refuses bad input with the field at fault (400), an unusable dataset (422), and a taken slug (409)', async () => {
    const d = await dataset(owner.id, 2);
    const empty = await dataset(owner.id, 0);
    const cases: [Json, number, string][] = [
      [{ ...base(d.id), consentText: '   ' }, 400, 'consentText'],
      [{ ...base(d.id), name: undefined }, 400, 'name'],
      [{ ...base(d.id), datasetId: 'nope' }, 400, 'datasetId'],
      [base(d.id, { config: { calibrationPoints: 10 } }), 400, 'config.calibrationPoints'],
      [base(d.id, { config: { viewingMs: 100 } }), 400, 'config.viewingMs'],
      [base(d.id, { config: { modality: 'eeg' } }), 400, 'config.modality'],
      [base(d.id, { config: { imagesPerParticpant: 2 } }), 400, 'config'],
      [base(d.id, { redirectUrl: 'javascript:alert(1)' }), 400, 'redirectUrl'],
      [base(d.id, { participantCap: 0 }), 400, 'participantCap'],
      [base(d.id, { slug: 'Bad Slug' }), 400, 'slug'],
      [base(empty.id), 422, 'datasetId'],
      [base(d.id, { config: { imagesPerParticipant: 3 } }), 422, 'config.imagesPerParticipant'],
    ];
    for (const [json, status, field] of cases) {
      const res = await create(asCookie(owner), json);
      expect([res.status, res.body.field], JSON.stringify(res.body)).toEqual([status, field]);
      expect(typeof res.body.detail).toBe('string');
    }
    expect((await create(asCookie(owner), base(d.id, { slug: 'taken-link' }))).status).toBe(201);
    const again = await create(asCookie(owner), base(d.id, { slug: 'taken-link' }));
    expect([again.status, again.body.field]).toEqual([409, 'slug']);
  });

  it("keeps studies private: others get 404 (and cannot use others' datasets), admins may act, tokens need write, cookies need CSRF", async () => {
    const mine = await dataset(owner.id, 2);
    const theirsPublic = await dataset(other.id, 2, 'public');
    const theirsPrivate = await dataset(other.id, 2, 'private');
    expect(await create(asCookie(owner), base(theirsPrivate.id)).then((r) => [r.status, r.body.field])).toEqual([404, 'datasetId']);
    expect(await create(asCookie(owner), base(theirsPublic.id)).then((r) => [r.status, r.body.field])).toEqual([403, 'datasetId']);

    const s = (await create(asCookie(owner), base(mine.id))).body as { id: string };
    expect((await get(getRoute, asCookie(other), '', s.id)).status).toBe(404);
    expect((await get(progressRoute, asCookie(other), '', s.id)).status).toBe(404);
    expect((await patch(asCookie(other), s.id, { status: 'open' })).status).toBe(404);
    expect((await get(getRoute, { kind: 'anonymous' }, '', s.id)).status).toBe(401);
    expect((await get(getRoute, asCookie(admin), '', s.id)).status).toBe(200);

    const readToken = await makeToken(handle.db, owner.id, ['read']);
    expect((await get(getRoute, asToken(readToken), '', s.id)).status).toBe(200);
    expect((await patch(asToken(readToken), s.id, { name: 'x' })).status).toBe(403);
    const writeToken = await makeToken(handle.db, owner.id, ['read', 'write']);
    expect((await patch(asToken(writeToken), s.id, { name: 'Renamed by token' })).body.name).toBe('Renamed by token');

    const noCsrf = await call(patchRoute, request(`/api/v1/studies/${s.id}`, { method: 'PATCH', caller: asCookie(owner), json: { name: 'y' }, headers: { 'x-csrf-token': 'wrong' } }), { id: s.id });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as Json).error).toBe('csrf_failed');

    const byAdmin = await patch(asCookie(admin), s.id, { status: 'open' });
    expect([byAdmin.status, byAdmin.body.status, byAdmin.body.mine]).toEqual([200, 'open', false]);
  });

  it('moves draft → open ⇄ paused → closed, refuses the rest with 409, and the participant link follows', async () => {
    const d = await dataset(owner.id, 2);
    const s = (await create(asCookie(owner), base(d.id))).body as { id: string; slug: string };
    const link = async () => (await participantCall(publicRoute, { id: s.slug }, { method: 'GET' })).status;
    const step = async (status: string) => {
      const r = await patch(asCookie(owner), s.id, { status });
      return r.status === 200 ? r.body.status : `${r.status} ${String(r.body.error)} ${String(r.body.field)}`;
    };
    expect(await step('paused')).toBe('409 illegal_transition status');
    expect(await step('closed')).toBe('409 illegal_transition status');
    expect(await step('open')).toBe('open');
    expect(await link()).toBe(200);
    expect(await step('open')).toBe('open'); // the current status: a no-op
    expect(await step('draft')).toBe('409 illegal_transition status');
    expect(await step('paused')).toBe('paused');
    expect(await link()).toBe(409);
    expect(await step('open')).toBe('open');
    expect(await step('closed')).toBe('closed');
    expect(await link()).toBe(409);
    expect(await step('open')).toBe('409 illegal_transition status');
    const bad = await patch(asCookie(owner), s.id, { status: 'archived' });
    expect([bad.status, bad.body.field]).toEqual([400, 'status']);
    expect((await patch(asCookie(owner), s.id, {})).status).toBe(400);
  });

  it('edits the config while no session has started, and freezes it (409) once one has, withdrawn included', async () => {
    const d = await dataset(owner.id, 3);
    const s = (await create(asCookie(owner), base(d.id))).body as { id: string; slug: string };
    const edited = await patch(asCookie(owner), s.id, { config: { viewingMs: 5000, calibrationPoints: 13 }, consentText: 'New consent.' });
    expect(edited.status, JSON.stringify(edited.body)).toBe(200);
    expect(edited.body.config).toMatchObject({ viewingMs: 5000, calibrationPoints: 13, imagesPerParticipant: 2 });
    expect(edited.body.consentText).toBe('New consent.');
    const invalid = await patch(asCookie(owner), s.id, { config: { viewingMs: 10 } });
    expect([invalid.status, invalid.body.field]).toEqual([400, 'config.viewingMs']);
    const unknown = await patch(asCookie(owner), s.id, { config: { viewMs: 10 } });
    expect([unknown.status, unknown.body.field]).toEqual([400, 'config']);

    expect((await patch(asCookie(owner), s.id, { status: 'open' })).status).toBe(200);
    const started = await startSession(s.slug);
    expect((await get(getRoute, asCookie(owner), '', s.id)).body.sessionsStarted).toBe(1);
    const frozen = await patch(asCookie(owner), s.id, { config: { viewingMs: 4000 } });
    expect([frozen.status, frozen.body.error, frozen.body.field]).toEqual([409, 'study_started', 'config']);
    expect((await patch(asCookie(owner), s.id, { consentText: 'changed' })).status).toBe(409);
    // Settings participants never depend on stay editable.
    const renamed = await patch(asCookie(owner), s.id, { name: 'Renamed', participantCap: 10, redirectUrl: 'https://app.prolific.com/submissions/complete?cc=X' });
    expect([renamed.status, renamed.body.name, renamed.body.participantCap]).toEqual([200, 'Renamed', 10]);
    expect((renamed.body.config as Json).viewingMs).toBe(5000);

    // The only session withdraws (its rows are deleted): the config stays frozen.
    expect((await participantCall(withdrawRoute, { id: started.sessionId }, { method: 'DELETE', token: started.token })).status).toBe(204);
    expect((await get(getRoute, asCookie(owner), '', s.id)).body.sessionsStarted).toBe(1);
    expect((await patch(asCookie(owner), s.id, { config: { viewingMs: 4000 } })).status).toBe(409);
  });

  it('reports progress on seeded sessions: counts by fate, observers per image against the target, accuracy, convergence', async () => {
    const d = await dataset(owner.id, 3);
    const study = await createStudy(handle.db, {
      slug: `progress-${++n}`, datasetId: d.id, ownerId: owner.id, name: 'p', consentText: 'ok', status: 'open',
      config: { imagesPerParticipant: 3, observersPerImage: 4, validationThresholdDeg: 3 },
    });
    // Four accepted observers on every image (fixations near two hot spots), plus other fates.
    const seeded: { status: string; accuracyDeg: number | null; images: string[] }[] = [
      { status: 'accepted', accuracyDeg: 1.2, images: d.imageIds },
      { status: 'accepted', accuracyDeg: 2.0, images: d.imageIds },
      { status: 'accepted', accuracyDeg: 2.7, images: d.imageIds },
      { status: 'accepted', accuracyDeg: 0.9, images: d.imageIds.slice(0, 2) },
      { status: 'completed', accuracyDeg: 5.3, images: d.imageIds },
      { status: 'rejected', accuracyDeg: null, images: [] },
      { status: 'ended', accuracyDeg: 9.5, images: [] },
      { status: 'in_progress', accuracyDeg: null, images: [d.imageIds[2] ?? ''] },
    ];
    for (const [k, s] of seeded.entries()) {
      const summary = s.status === 'in_progress' ? undefined : { validation: { accuracyDeg: s.accuracyDeg } };
      const [row] = await handle.db
        .insert(gazeSessions)
        .values({ datasetId: d.id, studyId: study.id, modality: 'webcam', observerLabel: `P${k}`, status: s.status, quality: summary ? { validations: [], summary } : { validations: [] } })
        .returning();
      for (const [pos, imageId] of s.images.entries()) {
        const [trial] = await handle.db
          .insert(trials)
          .values({ sessionId: row?.id ?? '', imageId, position: pos, kind: 'image', status: s.status === 'in_progress' ? 'pending' : 'complete', pixelsPerDegree: 3 })
          .returning();
        if (s.status !== 'accepted') continue;
        await handle.db.insert(fixations).values([
          { sessionId: row?.id ?? '', imageId, trialId: trial?.id ?? null, x: 8 + k, y: 8, startMs: 0, durationMs: 300 },
          { sessionId: row?.id ?? '', imageId, trialId: trial?.id ?? null, x: 24, y: 22 + (k % 2), startMs: 400, durationMs: 300 },
        ]);
      }
    }
    await handle.db.update(studies).set({ withdrawnCount: 2 }).where(eq(studies.id, study.id));

    const before = await get(progressRoute, asCookie(owner), '', study.id);
    expect(before.status).toBe(200);
    const p = before.body as {
      sessions: Json; observersPerImage: number; participantCap: number | null;
      images: { total: number; atTarget: number; list: { imageId: string; accepted: number; assigned: number }[] };
      accuracy: { thresholdDeg: number; sessions: number; withinThreshold: number; noData: number; medianDeg: number; bins: { fromDeg: number; count: number }[] };
      convergence: unknown[];
    };
    expect(p.sessions).toEqual({ started: 10, inProgress: 1, completed: 7, pendingReview: 1, accepted: 4, rejected: 1, ended: 1, withdrawn: 2 });
    expect(p.observersPerImage).toBe(4);
    expect(p.images.total).toBe(3);
    expect(p.images.list.map((i) => i.accepted)).toEqual([4, 4, 3]);
    // What assignment counts: accepted + awaiting review + recent in progress.
    expect(p.images.list.map((i) => i.assigned)).toEqual([5, 5, 5]);
    expect(p.images.atTarget).toBe(2);
    expect(p.accuracy).toMatchObject({ thresholdDeg: 3, sessions: 7, withinThreshold: 4, noData: 1, medianDeg: 2.35 });
    const bin = (deg: number) => p.accuracy.bins.find((b) => b.fromDeg === deg)?.count;
    expect([bin(0.5), bin(1), bin(2), bin(2.5), bin(5), bin(8)]).toEqual([1, 1, 1, 1, 1, 1]);
    // No density maps yet: no curve.
    expect(p.convergence).toEqual([]);

    for (const imageId of d.imageIds) await recomputeDensityMap(handle.db, imageId, 'webcam');
    await computeReference(handle.db, d.id, 'webcam');
    const after = (await get(progressRoute, asCookie(owner), '', study.id)).body as { convergence: { modality: string; images: number; curve: { n: number; cc: number; images: number }[] }[] };
    expect(after.convergence).toHaveLength(1);
    const c = after.convergence[0];
    expect([c?.modality, c?.images]).toEqual(['webcam', 3]);
    // Four observers on two images and three on one: groups of 1 on all three, of 2 on the two.
    expect(c?.curve.map((pt) => [pt.n, pt.images])).toEqual([[1, 3], [2, 2]]);
    for (const pt of c?.curve ?? []) expect(pt.cc).toBeGreaterThan(0.5);
  });
});
