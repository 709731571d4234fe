/**
 * Helpers for the participant API tests: call a route handler with a real Request, and a
 * scripted participant whose synthetic gaze looks at known image points.
 */
import { expect } from 'vitest';
import type { Db } from '@/db/client';
import { authSessions, datasets, images, users } from '@/db/schema';
import { sha256Hex } from '@/lib/auth/access';
import { encodePng } from '@/lib/io/png';
import { putBlob } from '@/lib/storage/blobs';
import { POST as startTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/start/route';
import { POST as completeTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/complete/route';
import { POST as samplesRoute } from '@/app/api/v1/sessions/[id]/samples/route';
import { PUT as geometryRoute } from '@/app/api/v1/sessions/[id]/geometry/route';
import { POST as validationsRoute } from '@/app/api/v1/sessions/[id]/validations/route';
import { POST as startSessionRoute } from '@/app/api/v1/studies/[id]/sessions/route';
import { pixelsPerDegree } from '@/lib/gaze/geometry';
import { syntheticTrace, type TrueFixation } from '@/lib/gaze/synthetic-trace';
import { createRandom } from '@/lib/random';
import type { ExternalIds, StartSessionResponse, Trial } from '@/lib/studies/contract';

type Handler<P> = (req: Request, ctx: { params: Promise<P> }) => Promise<Response>;

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  /** Sent as is (overrides body). */
  raw?: string;
  headers?: Record<string, string>;
}

export async function call<P>(handler: Handler<P>, params: P, options: CallOptions = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token) headers['X-Session-Token'] = options.token;
  const text = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (text !== undefined) headers['Content-Type'] = 'application/json';
  const req = new Request('http://localhost/api/v1/x', { method: options.method ?? 'POST', headers, body: text });
  const res = await handler(req, { params: Promise.resolve(params) });
  if (!res.headers.get('content-type')?.includes('json')) {
    return { status: res.status, body: { contentType: res.headers.get('content-type'), bytes: (await res.arrayBuffer()).byteLength } };
  }
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

// Screen: 1920×1080 CSS px, 4 px/mm, 600 mm away → 41.889 px/°. Images (224 px) shown 896 px wide.
export const GEOMETRY = {
  pxPerMm: 4,
  viewingDistanceMm: 600,
  screenPxPerDeg: pixelsPerDegree(4, 600),
  window: { width: 1920, height: 1080 },
  screen: { width: 1920, height: 1080 },
  devicePixelRatio: 1,
};
export const RECT = { x: 512, y: 92, width: 896, height: 896 };
export const SCALE = 4;
export const IMAGE_PPD = (GEOMETRY.screenPxPerDeg * 224) / 896;

export function toScreen(p: { x: number; y: number }) {
  return { x: RECT.x + p.x * SCALE, y: RECT.y + p.y * SCALE };
}

/** Validation points with samples within `offsetDeg` of their targets, 45 samples at 30 Hz each. */
export function validationPoints(n: number, offsetDeg: number, seed = 1) {
  const r = createRandom(seed);
  const ppd = GEOMETRY.screenPxPerDeg;
  return Array.from({ length: n }, (_, k) => {
    const target = { x: 300 + ((k * 337) % 1300), y: 200 + ((k * 211) % 700) };
    const samples = Array.from({ length: 45 }, (_, i): [number, number, number] => [
      1000 + k * 3000 + (i * 1000) / 30,
      target.x + offsetDeg * ppd + r.normal() * 0.3 * ppd,
      target.y + r.normal() * 0.3 * ppd,
    ]);
    return { target, samples };
  });
}

export async function startSession(slug: string, externalIds?: ExternalIds, modality: 'webcam' | 'mouse' = 'webcam') {
  const res = await call(startSessionRoute, { id: slug }, { body: { modality, ...(externalIds ? { externalIds } : {}) } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as unknown as StartSessionResponse;
}

export async function calibrate(s: StartSessionResponse, points = 5) {
  const g = await call(geometryRoute, { id: s.sessionId }, { method: 'PUT', token: s.token, body: GEOMETRY });
  expect(g.status, JSON.stringify(g.body)).toBe(200);
  const v = await call(validationsRoute, { id: s.sessionId }, { token: s.token, body: { kind: 'initial', attempt: 1, points: validationPoints(points, 1) } });
  expect(v.status, JSON.stringify(v.body)).toBe(200);
  expect(v.body.passed).toBe(true);
}

/** Wire batches of ~1 s from a synthetic trace of fixations given in image pixels. */
export function gazeBatches(fixations: readonly TrueFixation[], shownAt: number, seed: number): Array<Array<[number, number, number, number]>> {
  const screenFix = fixations.map((f) => ({ ...toScreen(f), durationMs: f.durationMs }));
  const trace = syntheticTrace(screenFix, createRandom(seed), { ppd: GEOMETRY.screenPxPerDeg, startMs: shownAt });
  const batches: Array<Array<[number, number, number, number]>> = [];
  for (const s of trace.samples) {
    const k = Math.floor((s.t - shownAt) / 1000);
    (batches[k] ??= []).push([s.t, s.x, s.y, s.flags]);
  }
  return batches.filter((b) => b.length > 0);
}

/** Shows one trial: start, batches (seq from `seq`), complete. Returns the next seq and the completion answer. */
export async function runTrial(s: StartSessionResponse, trial: Trial, fixations: readonly TrueFixation[], shownAt: number, seq: number, seed = 1) {
  const t = { id: s.sessionId, trialId: trial.id };
  const st = await call(startTrialRoute, t, { token: s.token, body: { rect: RECT, viewport: GEOMETRY.window, shownAt } });
  expect(st.status, JSON.stringify(st.body)).toBe(200);
  for (const samples of gazeBatches(fixations, shownAt, seed)) {
    const r = await call(samplesRoute, { id: s.sessionId }, { token: s.token, body: { seq: seq++, trialId: trial.id, samples } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
  }
  const done = await call(completeTrialRoute, t, { token: s.token, body: {} });
  expect(done.status, JSON.stringify(done.body)).toBe(200);
  return { seq, done: done.body as { fixations: number; passed?: boolean } };
}

/** Three fixations on a 224-px image: top left, top right, bottom centre. */
export const LOOK_AT: TrueFixation[] = [
  { x: 56, y: 56, durationMs: 600 },
  { x: 168, y: 56, durationMs: 600 },
  { x: 112, y: 168, durationMs: 800 },
];

/** A dataset of `n` 224×224 PNGs (distinct grey levels) stored under dataDir, without the demo seed. */
export async function makeDataset(db: Db, dataDir: string, slug: string, n: number): Promise<{ datasetId: string; imageIds: string[] }> {
  const [ds] = await db.insert(datasets).values({ slug, name: slug, visibility: 'private' }).returning();
  if (!ds) throw new Error('dataset insert returned nothing');
  const rows = [];
  for (let i = 0; i < n; i++) {
    const png = encodePng({ width: 224, height: 224, data: new Uint8Array(224 * 224 * 4).fill(10 + i) });
    rows.push({ datasetId: ds.id, name: `img-${i}.png`, width: 224, height: 224, sha256: await putBlob(dataDir, png), mimeType: 'image/png', bytes: png.byteLength, position: i });
  }
  const inserted = await db.insert(images).values(rows).returning({ id: images.id });
  return { datasetId: ds.id, imageIds: inserted.map((r) => r.id) };
}

/** A researcher with a cookie session: returns the headers that authenticate them (cookie + CSRF). */
export async function makeResearcher(db: Db, email: string, role: 'admin' | 'researcher' = 'researcher') {
  const [user] = await db.insert(users).values({ email, passwordHash: 'x', role }).returning();
  if (!user) throw new Error('user insert returned nothing');
  const cookie = `cookie-${email}`;
  await db.insert(authSessions).values({ tokenHash: sha256Hex(cookie), userId: user.id, csrfToken: `csrf-${email}`, expiresAt: new Date(Date.now() + 3600_000) });
  return { userId: user.id, headers: { cookie: `gb_session=${cookie}`, 'x-csrf-token': `csrf-${email}` } };
}
