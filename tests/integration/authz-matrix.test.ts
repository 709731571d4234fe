/**
 * The authorisation matrix (issue 7, "Bad input and security"): EVERY route of the OpenAPI registry
 * (lib/api/index.ts) × every kind of caller × (for resources with a visibility) private and public
 * resources, each answer checked against one rule. A route registered without a request builder
 * or a fixture for its resource fails here, so new routes cannot slip through untested.
 *
 * Callers: anonymous; a participant (the gaze session's token in X-Session-Token, and also as a
 * bearer token: not an API token, so researcher routes count it as anonymous); another session's
 * participant; a revoked/unknown API token (401 everywhere but sign-in/up); another researcher
 * (cookie); the owner (cookie, with CSRF); the owner's read-only token; an admin (cookie).
 * Resources belong to the owner. The rule (`expected`):
 * - auth none (sign-in/up) and study-link (the open study's link: its page data and the session
 *   start, which read no credentials at all): everyone gets the success status;
 * - participant routes (a gaze session): its own token gets the success status, another session's
 *   token 403, everyone else (no session token) 401;
 * - not signed in: public routes answer public resources and 404 for private ones, others 401;
 * - a read-only token: 403 on write and session routes;
 * - a resource someone cannot see (private, not theirs, not admin): 404; visible but not theirs
 *   on a write route: 403; otherwise the route's success status.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { createApiToken } from '@/db/queries/auth';
import { createDataset, insertImages } from '@/db/queries/datasets';
import { recomputeDensityMap } from '@/db/queries/ground-truth';
import { createModel } from '@/db/queries/models';
import { createRun, insertSaliencyMaps } from '@/db/queries/runs';
import { createStudy } from '@/db/queries/studies';
import { fixations, gazeSessions, models } from '@/db/schema';
import { API_ROUTES } from '@/lib/api';
import { sha256Hex } from '@/lib/auth/access';
import { startSession } from '@/lib/auth/session';
import { apiTokenPrefix, newApiToken } from '@/lib/auth/tokens';
import { successStatus, type RouteSpec } from '@/lib/http/openapi';
import { encodePng } from '@/lib/io/png';
import { stopQueue } from '@/lib/jobs/queue';
import { stageModelBundle } from '@/lib/models/upload';
import { putBlob } from '@/lib/storage/blobs';
import { driver, freshDb, tempDir } from './helpers';
import { call, formData, makeToken, makeUser, ORIGIN, PASSWORD, request, type Caller, type TestUser } from './http-helpers';
import { calibrate, call as callParticipant, GEOMETRY, RECT, startSession as startParticipantSession, validationPoints } from './participant-helpers';
import { PUT as geometryRoute } from '@/app/api/v1/sessions/[id]/geometry/route';
import { POST as startTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/start/route';

const root = path.resolve(__dirname, '../..');
const bundleDir = path.join(root, 'public/models/demo-shapes');
const PERSONAS = ['anonymous', 'participant', 'other-session', 'revoked', 'other', 'owner', 'owner-read-token', 'admin'] as const;
type Persona = (typeof PERSONAS)[number];
type Visibility = 'private' | 'public' | null;
const VISIBLE_KINDS = new Set(['dataset', 'image', 'model', 'run']);

function expected(spec: RouteSpec, persona: Persona, visibility: Visibility): number {
  const ok = successStatus(spec);
  if (spec.auth === 'none' || spec.auth === 'study-link') return ok;
  if (spec.auth === 'participant') return persona === 'participant' ? ok : persona === 'other-session' ? 403 : 401;
  if (persona === 'revoked') return 401;
  if (persona === 'anonymous' || persona === 'participant' || persona === 'other-session') {
    if (spec.auth !== 'public') return 401;
    return !spec.resource || visibility === 'public' ? ok : 404;
  }
  if ((spec.auth === 'write' || spec.auth === 'session') && persona === 'owner-read-token') return 403;
  if (!spec.resource) return ok;
  const mine = persona === 'owner' || persona === 'owner-read-token' || persona === 'admin';
  if (!mine && visibility !== 'public') return 404;
  if (spec.auth === 'write' && !mine) return 403;
  return ok;
}

describe(`authorisation matrix on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let readToken: string;
  let revokedToken: string;
  let signInUser: TestUser;
  let stagedTemplate: string;
  let publicDatasetId: string;
  let platformModelId: string;
  let studySlug: string;
  /** A session of the same study: its token opens it, not the fixture's session. */
  let otherSessionToken: string;
  let n = 0;
  const uniq = () => `m${++n}-${Date.now().toString(36)}`;

  const png = () => encodePng({ width: 4, height: 4, data: new Uint8Array(64).fill(n % 250) });

  async function dataset(visibility: 'private' | 'public', ownerId = owner.id) {
    const slug = uniq();
    const row = await createDataset(handle.db, { slug, name: slug, description: '', visibility, ownerId });
    if (!row) throw new Error('fixture dataset');
    const bytes = png();
    const [img] = await insertImages(handle.db, row.id, [{ name: 'a_1.png', classLabel: 'a', width: 4, height: 4, sha256: await putBlob(dataDir, bytes), mimeType: 'image/png', bytes: bytes.length }]);
    return { id: row.id, slug, imageId: img?.id ?? '' };
  }

  /** What a route's path parameters and request builder need of its resource. */
  type Fixture = { id: string; slug?: string; params?: Record<string, string>; mappedImageId?: string; unmappedImage?: string; token?: string; trialId?: string };

  /** A participant's gaze session of the study, with its first image trial. */
  async function session(): Promise<Fixture> {
    const s = await startParticipantSession(studySlug);
    const trial = s.trials.find((t) => t.kind === 'image');
    if (!trial) throw new Error('fixture session has no image trial');
    return { id: s.sessionId, token: s.token, trialId: trial.id };
  }
  const SHOWN_AT = 100_000;
  /** Geometry and a passed validation, so trials may start. */
  const calibrated = async (f: Fixture) => calibrate({ sessionId: f.id, token: f.token ?? '' } as Parameters<typeof calibrate>[0]);
  async function started(f: Fixture) {
    await calibrated(f);
    const res = await callParticipant(startTrialRoute, { id: f.id, trialId: f.trialId ?? '' }, { token: f.token ?? '', body: { rect: RECT, viewport: GEOMETRY.window, shownAt: SHOWN_AT } });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
  }

  async function model(visibility: 'private' | 'public', ownerId: string) {
    const slug = uniq();
    const files = [];
    for (const name of ['model.json', 'weights.bin']) {
      const bytes = fs.readFileSync(path.join(bundleDir, name));
      files.push({ name, sha256: await putBlob(dataDir, bytes), bytes: bytes.length });
    }
    const id = randomUUID();
    await createModel(handle.db, {
      id, slug, name: slug, architecture: '', trainingData: '', license: '', format: 'layers', url: `/api/v1/models/${id}/files/model.json`,
      labels: ['circle', 'square', 'triangle', 'star', 'cross'], preprocessing: 'unit', inputWidth: 224, inputHeight: 224, targetLayer: 'last_conv',
      ownerId, visibility, sha256: 'x'.repeat(64), bytes: 1, files,
    });
    return { id, slug };
  }

  const fixtures: Record<string, (v: Visibility) => Promise<Fixture>> = {
    dataset: (v) => dataset(v ?? 'private'),
    image: async (v) => {
      const d = await dataset(v ?? 'private');
      const [s] = await handle.db.insert(gazeSessions).values({ datasetId: d.id, modality: 'simulated', observerLabel: 'sim-1', pixelsPerDegree: 2, status: 'accepted' }).returning();
      await handle.db.insert(fixations).values({ sessionId: s?.id ?? '', imageId: d.imageId, x: 2, y: 2, startMs: 0, durationMs: 200 });
      await recomputeDensityMap(handle.db, d.imageId, 'simulated');
      return { id: d.imageId };
    },
    model: (v) => model(v ?? 'private', owner.id),
    // A run of the owner on a public dataset and model: the run's own visibility decides. Its first
    // image has a stored map (to be read back); a second one has none yet (to be uploaded).
    run: async (v) => {
      const d = await dataset('public');
      const bytes = png();
      await insertImages(handle.db, d.id, [{ name: 'b_1.png', classLabel: 'b', width: 4, height: 4, sha256: await putBlob(dataDir, bytes), mimeType: 'image/png', bytes: bytes.length }]);
      const m = await model('public', owner.id);
      const row = await createRun(handle.db, { datasetId: d.id, modelId: m.id, explainer: 'gradcam', params: {}, target: {}, name: 'matrix', ownerId: owner.id, visibility: v ?? 'private' });
      await insertSaliencyMaps(handle.db, row.id, [{ imageId: d.imageId, grid: { width: 4, height: 4, data: new Float32Array(16).fill(0.5) } }]);
      return { id: row.id, mappedImageId: d.imageId, unmappedImage: 'b_1.png' };
    },
    token: async () => {
      const token = newApiToken();
      const row = await createApiToken(handle.db, { userId: owner.id, name: 't', prefix: apiTokenPrefix(token), tokenHash: sha256Hex(token), scopes: ['read'] });
      return { id: row.id };
    },
    'model-upload': async () => ({ id: await copyStaged(owner.id) }),
    // Studies have no visibility: private to their owner (and admins) whatever their dataset's.
    // Each has one finished session awaiting review (the {sessionId} of the review route).
    study: async () => {
      const d = await dataset('private');
      const row = await createStudy(handle.db, { slug: uniq(), datasetId: d.id, ownerId: owner.id, name: 's', consentText: 'ok', config: { imagesPerParticipant: 1 } });
      const [s] = await handle.db.insert(gazeSessions).values({ datasetId: d.id, studyId: row.id, modality: 'webcam', observerLabel: 'P1', status: 'completed' }).returning();
      return { id: row.id, slug: row.slug, params: { sessionId: s?.id ?? '' } };
    },
    session,
    // The open study of beforeAll, addressed by its link (slug). Every session start adds a session
    // to it: its 200 observers per image leave room for every run of the matrix.
    'study-link': async () => ({ id: studySlug }),
  };

  /** A staged upload for `ownerId`: a copy of one real staging folder (stageModelBundle ran once). */
  async function copyStaged(ownerId: string): Promise<string> {
    const id = randomUUID();
    const dir = path.join(dataDir, 'uploads', id);
    fs.cpSync(path.join(dataDir, 'uploads', stagedTemplate), dir, { recursive: true });
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, uploadId: id, ownerId }));
    return id;
  }

  async function callerFor(persona: Persona, fixture: Fixture): Promise<{ caller: Caller; userId: string | null; headers?: Record<string, string> }> {
    const fresh = async (u: TestUser): Promise<TestUser> => {
      const s = await startSession(handle.db, u.id, new Request(`${ORIGIN}/`));
      return { ...u, cookie: s.cookie.split(';')[0] ?? '', csrf: s.csrfToken };
    };
    switch (persona) {
      case 'anonymous': return { caller: { kind: 'anonymous' }, userId: null };
      case 'participant': {
        const token = fixture.token ?? otherSessionToken;
        return { caller: { kind: 'bearer', token }, userId: null, headers: { 'x-session-token': token } };
      }
      case 'other-session': return { caller: { kind: 'anonymous' }, userId: null, headers: { 'x-session-token': otherSessionToken } };
      case 'revoked': return { caller: { kind: 'bearer', token: revokedToken }, userId: null };
      case 'other': return { caller: { kind: 'cookie', user: await fresh(other) }, userId: other.id };
      case 'owner': return { caller: { kind: 'cookie', user: await fresh(owner) }, userId: owner.id };
      case 'owner-read-token': return { caller: { kind: 'bearer', token: readToken }, userId: owner.id };
      case 'admin': return { caller: { kind: 'cookie', user: await fresh(admin) }, userId: admin.id };
    }
  }

  type Built = { query?: string; json?: unknown; body?: BodyInit; headers?: Record<string, string> };
  const builders: Record<string, (ctx: { fixture: Fixture; userId: string | null }) => Promise<Built> | Built> = {
    'POST /api/v1/auth/signup': () => ({ json: { email: `${uniq()}@example.org`, password: PASSWORD } }),
    'POST /api/v1/auth/signin': () => ({ json: { email: signInUser.email, password: PASSWORD } }),
    'POST /api/v1/tokens': () => ({ json: { name: 'matrix' } }),
    'POST /api/v1/datasets': () => ({ json: { name: 'x', slug: uniq() } }),
    'PATCH /api/v1/datasets/{id}': () => ({ json: { description: 'changed' } }),
    'DELETE /api/v1/datasets/{id}': ({ fixture }) => ({ query: `?confirm=${fixture.slug}` }),
    'POST /api/v1/datasets/{id}/images': () => ({ body: formData([{ name: `${uniq()}_1.png`, bytes: png() }]) }),
    'PATCH /api/v1/images/{id}': () => ({ json: { classLabel: 'relabelled' } }),
    'POST /api/v1/models/uploads': () => ({ body: formData(['model.json', 'weights.bin'].map((f) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(bundleDir, f))) }))) }),
    'POST /api/v1/models/uploads/{id}/predict': () => ({ json: { count: 1, datasetId: publicDatasetId } }),
    'POST /api/v1/models': async ({ userId }) => ({ json: { uploadId: userId ? await copyStaged(userId) : randomUUID(), slug: uniq(), name: 'm' } }),
    'PATCH /api/v1/models/{id}': () => ({ json: { license: 'MIT' } }),
    'DELETE /api/v1/models/{id}': ({ fixture }) => ({ query: `?confirm=${fixture.slug}` }),
    // Each caller creates from a dataset of their own (a study is made from your own dataset).
    'POST /api/v1/studies': async ({ userId }) => ({
      json: { name: 's', datasetId: userId ? (await dataset('private', userId)).id : randomUUID(), consentText: 'ok', config: { imagesPerParticipant: 1 } },
    }),
    'PATCH /api/v1/studies/{id}': () => ({ json: { status: 'open' } }),
    // One session per external participant ID and study: every caller is a different Prolific
    // participant, so no call is refused as already started (409).
    'POST /api/v1/studies/{id}/sessions': () => ({
      json: { modality: 'webcam', externalIds: { provider: 'prolific', participantId: `PID-${uniq()}`, studyId: 'PROLIFIC-STUDY', sessionId: `S-${uniq()}` } },
    }),
    // 'rejected' keeps the session out of ground truth: no recompute job to enqueue.
    'PATCH /api/v1/studies/{id}/sessions/{sessionId}': () => ({ json: { decision: 'rejected' } }),
    'POST /api/v1/datasets/{id}/ground-truth': () => ({ query: '?modality=lab&ppd=8', body: 'image,observer,x,y,duration_ms\na_1.png,P1,2,2,200\n', headers: { 'content-type': 'text/csv' } }),
    // Anyone signed in may run a platform model on a public dataset.
    'POST /api/v1/runs': () => ({ json: { datasetId: publicDatasetId, modelId: platformModelId, explainer: 'gradcam', name: 'matrix' } }),
    'PUT /api/v1/sessions/{id}/geometry': () => ({ json: GEOMETRY }),
    'PUT /api/v1/sessions/{id}/modality': () => ({ json: { modality: 'mouse' } }),
    'POST /api/v1/sessions/{id}/validations': async ({ fixture }) => {
      expect((await callParticipant(geometryRoute, { id: fixture.id }, { method: 'PUT', token: fixture.token ?? '', body: GEOMETRY })).status).toBe(200);
      return { json: { kind: 'initial', attempt: 1, points: validationPoints(5, 1) } };
    },
    'POST /api/v1/sessions/{id}/samples': async ({ fixture }) => {
      await started(fixture);
      return { json: { seq: 0, trialId: fixture.trialId, samples: [[SHOWN_AT + 10, 900, 500, 0], [SHOWN_AT + 43, 905, 502, 0]] } };
    },
    'POST /api/v1/sessions/{id}/trials/{trialId}/start': async ({ fixture }) => {
      await calibrated(fixture);
      return { json: { rect: RECT, viewport: GEOMETRY.window, shownAt: SHOWN_AT } };
    },
    'POST /api/v1/sessions/{id}/trials/{trialId}/complete': async ({ fixture }) => {
      await started(fixture);
      return { json: {} };
    },
    'POST /api/v1/runs/{id}/maps': ({ fixture }) => ({ json: { imageName: fixture.unmappedImage, width: 4, height: 4, data: Array(16).fill(0.25) } }),
  };
  const extraParams: Record<string, (fixture: Fixture) => Record<string, string>> = {
    '/api/v1/models/{id}/files/{name}': () => ({ name: 'model.json' }),
    '/api/v1/runs/{id}/maps/{file}': (f) => ({ file: `${f.mappedImageId}.npy` }),
    '/api/v1/runs/{id}/{file}': () => ({ file: 'scores.json' }),
    '/api/v1/datasets/{id}/{file}': () => ({ file: 'fixations.csv' }),
    '/api/v1/images/{id}/{file}': () => ({ file: 'density.npy' }),
    '/api/v1/sessions/{id}/trials/{trialId}/start': (f) => ({ trialId: f.trialId ?? '' }),
    '/api/v1/sessions/{id}/trials/{trialId}/complete': (f) => ({ trialId: f.trialId ?? '' }),
    '/api/v1/sessions/{id}/trials/{trialId}/image': (f) => ({ trialId: f.trialId ?? '' }),
  };

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    [owner, other, admin, signInUser] = [await makeUser(handle.db), await makeUser(handle.db), await makeUser(handle.db, 'admin'), await makeUser(handle.db)];
    readToken = await makeToken(handle.db, owner.id, ['read']);
    revokedToken = newApiToken();
    const bundle = formData(['model.json', 'weights.bin', 'gazebench.json'].map((f) => ({ name: f, bytes: new Uint8Array(fs.readFileSync(path.join(bundleDir, f))) })));
    stagedTemplate = (await stageModelBundle(dataDir, owner.id, request('/api/v1/models/uploads', { body: bundle }))).uploadId;
    publicDatasetId = (await dataset('public')).id;
    // A public platform model, as the seeded demo models are (a private one is admin-only: browser-runs.test.ts).
    platformModelId = (await model('public', owner.id)).id;
    await handle.db.update(models).set({ ownerId: null }).where(eq(models.id, platformModelId));
    // An open study of the owner's (4×4-pixel images, 1 per participant, webcam or mouse).
    process.env.GAZEBENCH_SECRET ??= 'authz-matrix-secret-0123456789abcdef';
    const studyDataset = await dataset('public');
    studySlug = uniq();
    await createStudy(handle.db, { slug: studySlug, datasetId: studyDataset.id, name: 'matrix', status: 'open', consentText: 'consent', config: { imagesPerParticipant: 1, observersPerImage: 200, driftEvery: 0, modality: 'both' }, completionCode: 'CODE-1' });
    otherSessionToken = (await session()).token ?? '';
  });
  afterAll(async () => {
    await stopQueue();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const cases = API_ROUTES.flatMap((spec) =>
    (spec.resource && VISIBLE_KINDS.has(spec.resource) ? (['private', 'public'] as const) : [null]).map((visibility) => ({ spec, visibility })),
  );

  it('covers every registered route', () => {
    expect(new Set(cases.map((c) => `${c.spec.method} ${c.spec.path}`)).size).toBe(API_ROUTES.length);
    for (const spec of API_ROUTES) {
      if (spec.body && !builders[`${spec.method} ${spec.path}`]) throw new Error(`authz matrix: add a request builder for ${spec.method} ${spec.path}`);
      if (spec.resource && !fixtures[spec.resource]) throw new Error(`authz matrix: add a fixture for resource '${spec.resource}' (${spec.method} ${spec.path})`);
    }
  });

  it.each(cases.map((c) => [`${c.spec.method} ${c.spec.path}${c.visibility ? ` (${c.visibility})` : ''}`, c] as const))('%s', async (_name, { spec, visibility }) => {
    const file = path.join(root, 'app', spec.path.replace(/\{(\w+)\}/g, '[$1]'), 'route.ts');
    const mod = (await import(file)) as Record<string, unknown>;
    const handler = mod[spec.method];
    expect(handler, `${file} exports ${spec.method}`).toBeTypeOf('function');
    const safe = spec.method === 'GET';
    let shared: Fixture | undefined;
    const got: Record<string, number> = {};
    const want: Record<string, number> = {};
    for (const persona of PERSONAS) {
      // Mutations get a fresh resource per caller (a DELETE must not hide the next caller's answer).
      const fixture: Fixture = spec.resource ? (safe ? (shared ??= await fixtures[spec.resource]!(visibility)) : await fixtures[spec.resource]!(visibility)) : { id: '' };
      const { caller, userId, headers } = await callerFor(persona, fixture);
      const built = await (builders[`${spec.method} ${spec.path}`]?.({ fixture, userId }) ?? {});
      const params: Record<string, string> = { ...(spec.resource ? { id: fixture.id } : {}), ...fixture.params, ...extraParams[spec.path]?.(fixture) };
      const url = spec.path.replace(/\{(\w+)\}/g, (_m, k: string) => params[k] ?? '') + (built.query ?? '');
      const req = request(url, { method: spec.method, caller, json: built.json, body: built.body, headers: { ...built.headers, ...headers }, ip: `10.${n % 250}.0.${PERSONAS.indexOf(persona)}` });
      const res = await call(handler, req, params);
      got[persona] = res.status;
      want[persona] = expected(spec, persona, visibility);
      if (res.status >= 400) {
        const body = (await res.json()) as Record<string, unknown>;
        expect(typeof body.error === 'string' && typeof body.detail === 'string', `${persona}: error body ${JSON.stringify(body)}`).toBe(true);
      }
    }
    expect(got).toEqual(want);
  });
});
