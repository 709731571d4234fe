/**
 * The sample route served beside Next (lib/server/fast-routes.ts) answers exactly as the Next
 * route handler does, over a real HTTP server, and leaves every other request to the fallback.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { createStudy } from '@/db/queries/studies';
import { sampleBatches } from '@/db/schema';
import { serveFastRoute } from '@/lib/server/fast-routes';
import type { StartSessionResponse } from '@/lib/studies/contract';
import { driver, freshDb, tempDir } from './helpers';
import { calibrate, call, GEOMETRY, makeDataset, RECT, startSession } from './participant-helpers';
import { POST as samplesRoute } from '@/app/api/v1/sessions/[id]/samples/route';
import { POST as startTrialRoute } from '@/app/api/v1/sessions/[id]/trials/[trialId]/start/route';

describe(`fast sample route on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let server: http.Server;
  let base: string;
  let s: StartSessionResponse;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    process.env.GAZEBENCH_SECRET = 'fast-routes-secret-0123456789';
    const { datasetId } = await makeDataset(handle.db, dataDir, 'fast', 2);
    await createStudy(handle.db, { slug: 'fast', datasetId, name: 'F', status: 'open', consentText: '', config: { imagesPerParticipant: 2, driftEvery: 0 } });
    s = await startSession('fast');
    await calibrate(s);
    const st = await call(startTrialRoute, { id: s.sessionId, trialId: s.trials[0]?.id ?? '' }, { token: s.token, body: { rect: RECT, viewport: GEOMETRY.window, shownAt: 0 } });
    expect(st.status).toBe(200);
    server = http.createServer((req, res) => {
      void serveFastRoute(req, res).then((served) => {
        if (!served) res.writeHead(299, { 'X-Fallback': '1' }).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const post = (body: string, token = s.token, path = `/api/v1/sessions/${s.sessionId}/samples`) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Session-Token': token }, body });
  const batch = (seq: number, t0: number) => JSON.stringify({ seq, trialId: s.trials[0]?.id, samples: Array.from({ length: 30 }, (_, i) => [t0 + i * 33, 900, 500, 0]) });
  const stored = async () => Number((await handle.db.select({ n: count() }).from(sampleBatches).where(eq(sampleBatches.sessionId, s.sessionId)))[0]?.n);

  it('stores a batch once, with the security headers and no compression', async () => {
    const res = await post(batch(0, 10), s.token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ stored: 30 });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-encoding')).toBeNull();
    expect(await (await post(batch(0, 10))).json()).toEqual({ duplicate: true });
    expect(await stored()).toBe(1);
  });

  it('refusals are the route’s: 403 other token, 400 field, 413 oversize; nothing stored', async () => {
    expect((await post(batch(1, 2000), 'forged')).status).toBe(403);
    const bad = await post(batch(1, 2000).replace('[2000,900,', '[2000,"x",'));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { field: string }).field).toBe('samples.0.1');
    const huge = await post(JSON.stringify({ pad: 'x'.repeat(100_000) }));
    expect(huge.status).toBe(413);
    expect(await stored()).toBe(1);
  });

  it('every refusal is the same status and body as the Next route handler’s; nothing stored', async () => {
    const viaFast = async (id: string, token: string | null, body: string) => {
      const res = await fetch(`${base}/api/v1/sessions/${id}/samples`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { 'X-Session-Token': token }) }, body });
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type') };
    };
    const viaNext = async (id: string, token: string | null, body: string) => {
      const req = new Request(`http://x/api/v1/sessions/${id}/samples`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { 'X-Session-Token': token }) }, body });
      const res = await samplesRoute(req, { params: Promise.resolve({ id }) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type') };
    };
    const cases: [string, string, string | null, string, number, string | undefined][] = [
      ['no token', s.sessionId, null, batch(5, 9000), 401, undefined],
      ['blank token', s.sessionId, '  ', batch(5, 9000), 401, undefined],
      ['session id not a UUID', 'nope', s.token, batch(5, 9000), 400, 'id'],
      ['not JSON', s.sessionId, s.token, '{"seq": 5,', 400, undefined],
      ['empty body', s.sessionId, s.token, '', 400, undefined],
      ['malformed batch, right token', s.sessionId, s.token, JSON.stringify({ seq: -1, trialId: s.trials[0]?.id, samples: [[1, 2, 3, 0]] }), 400, 'seq'],
      ['malformed batch, forged token', s.sessionId, 'forged', JSON.stringify({ seq: -1 }), 403, undefined],
      ['unknown session', '00000000-0000-4000-8000-000000000000', s.token, batch(5, 9000), 403, undefined],
    ];
    for (const [what, id, token, body, status, field] of cases) {
      const fast = await viaFast(id, token, body);
      expect(fast, what).toEqual(await viaNext(id, token, body));
      expect(fast.status, what).toBe(status);
      expect(fast.body.field, what).toBe(field);
      expect(fast.type, what).toBe('application/json');
    }
    expect(await stored()).toBe(1);
  });

  it('trial start: the same answers as the Next route handler, success and refusals; a restart clears the trial', async () => {
    const trial = s.trials[1]?.id ?? '';
    const startBody = (shownAt: number) => JSON.stringify({ rect: RECT, viewport: GEOMETRY.window, shownAt });
    const viaFast = async (id: string, trialId: string, token: string | null, body: string) => {
      const res = await fetch(`${base}/api/v1/sessions/${id}/trials/${trialId}/start`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { 'X-Session-Token': token }) }, body });
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type'), nosniff: res.headers.get('x-content-type-options') };
    };
    const viaNext = async (id: string, trialId: string, token: string | null, body: string) => {
      const req = new Request(`http://x/api/v1/sessions/${id}/trials/${trialId}/start`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token === null ? {} : { 'X-Session-Token': token }) }, body });
      const res = await startTrialRoute(req, { params: Promise.resolve({ id, trialId }) });
      return { status: res.status, body: (await res.json()) as Record<string, unknown>, type: res.headers.get('content-type'), nosniff: 'nosniff' };
    };
    const cases: [string, string, string, string | null, string, number, string | undefined][] = [
      ['no token', s.sessionId, trial, null, startBody(40_000), 401, undefined],
      ['trial id not a UUID', s.sessionId, 'nope', s.token, startBody(40_000), 400, 'trialId'],
      ['not JSON', s.sessionId, trial, s.token, '{', 400, undefined],
      ['rect missing', s.sessionId, trial, s.token, JSON.stringify({ viewport: GEOMETRY.window, shownAt: 1 }), 400, 'rect'],
      ['forged token', s.sessionId, trial, 'forged', startBody(40_000), 403, undefined],
      ['success', s.sessionId, trial, s.token, startBody(40_000), 200, undefined],
      ['success again (restart)', s.sessionId, trial, s.token, startBody(40_000), 200, undefined],
    ];
    for (const [what, id, trialId, token, body, status, field] of cases) {
      const fast = await viaFast(id, trialId, token, body);
      expect(fast, what).toEqual(await viaNext(id, trialId, token, body));
      expect(fast.status, what).toBe(status);
      expect(fast.body.field, what).toBe(field);
    }
    const ok = await viaFast(s.sessionId, trial, s.token, startBody(40_000));
    expect(ok.body).toMatchObject({ trialId: trial });
    expect(ok.body.pixelsPerDegree).toBeGreaterThan(0);
    // Samples of the started trial are taken on the fast path; a restart of the trial drops them.
    const samples = JSON.stringify({ seq: 50, trialId: trial, samples: Array.from({ length: 30 }, (_, i) => [40_010 + i * 33, 900, 500, 0]) });
    expect(await (await post(samples)).json()).toEqual({ stored: 30 });
    const onTrial = async () => Number((await handle.db.select({ n: count() }).from(sampleBatches).where(eq(sampleBatches.trialId, trial)))[0]?.n);
    expect(await onTrial()).toBe(1);
    expect((await viaFast(s.sessionId, trial, s.token, startBody(80_000))).status).toBe(200);
    expect(await onTrial()).toBe(0);
  });

  it('leaves other requests to Next', async () => {
    expect((await fetch(`${base}/api/v1/sessions/${s.sessionId}`)).status).toBe(299);
    expect((await post(batch(1, 2000), s.token, `/api/v1/sessions/${s.sessionId}/samples/extra`)).status).toBe(299);
  });
});
