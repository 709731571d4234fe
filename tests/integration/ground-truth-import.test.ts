/**
 * Importing a lab's ground truth (API and CLI), all or nothing; the fixations export round trip;
 * scoring against an imported map without fixations (failures recorded, not stored); and
 * `gazebench submit` against a real HTTP server wrapping the route handlers.
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { POST as importRoute, GET as stateRoute } from '@/app/api/v1/datasets/[id]/ground-truth/route';
import { GET as datasetFile } from '@/app/api/v1/datasets/[id]/[file]/route';
import { GET as getRun } from '@/app/api/v1/runs/[id]/route';
import { POST as postMaps } from '@/app/api/v1/runs/[id]/maps/route';
import type { DbHandle } from '@/db/client';
import { createRun } from '@/db/queries/runs';
import { datasets, densityMaps, fixations, gazeSessions, images, models, saliencyMaps, scoreFailures, scores } from '@/db/schema';
import { importCommand } from '@/lib/cli/import';
import { run as submit } from '@/lib/cli/submit';
import { stopQueue } from '@/lib/jobs/queue';
import { writeNpy } from '@/lib/io/npy';
import { encodePngGray16 } from '@/lib/io/png';
import { scoreRun } from '@/lib/scoring/score-run';
import { driver, freshDb, tempDir } from './helpers';
import { centreMap, createResearcher, params, type TestUser } from './scoring-helpers';

const W = 64;
const H = 48;
const CSV = ['image,observer,x,y,duration_ms', 'a.png,P1,10,10,200', 'a.png,P1,30,20,150', 'a,P2,12,11,300', 'b.png,P1,50,40,100', 'b.png,P2,"49",41,'].join('\n');

describe(`ground-truth import and submit on ${driver}`, () => {
  let handle: DbHandle;
  let alice: TestUser;
  let bob: TestUser;
  let datasetId = '';
  let dir: string;

  const n = async (table: typeof gazeSessions | typeof fixations | typeof densityMaps) => Number((await handle.db.select({ n: count() }).from(table))[0]?.n ?? 0);
  const csvImport = (body: string, query: string, user: TestUser | null = alice) =>
    importRoute(new Request(`http://x/api/v1/datasets/${datasetId}/ground-truth?${query}`, { method: 'POST', headers: { 'Content-Type': 'text/csv', ...(user?.auth ?? {}) }, body }), params({ id: datasetId }));
  const formImport = (form: FormData, user: TestUser = alice) =>
    importRoute(new Request(`http://x/api/v1/datasets/${datasetId}/ground-truth`, { method: 'POST', headers: user.auth, body: form }), params({ id: datasetId }));

  beforeAll(async () => {
    handle = await freshDb();
    dir = tempDir();
    alice = await createResearcher(handle.db, 'alice@example.org');
    bob = await createResearcher(handle.db, 'bob@example.org');
    const [d] = await handle.db.insert(datasets).values({ slug: 'lab-set', name: 'Lab set', ownerId: alice.userId, visibility: 'private' }).returning();
    datasetId = d!.id;
    await handle.db.insert(images).values(['a.png', 'b.png', 'c.png'].map((name, i) => ({ datasetId, name, width: W, height: H, sha256: '0'.repeat(64), mimeType: 'image/png', bytes: 1, position: i })));
  });
  afterAll(async () => {
    await stopQueue();
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses bad CSVs with a 400 naming the image or line, and stores nothing', async () => {
    const cases: [string, string, string, RegExp][] = [
      [`${CSV}\nghost.png,P3,1,1,100`, 'ppd=8', 'fixations', /line 7: unknown image 'ghost.png'/],
      [`${CSV}\nb.png,P3,64,1,100`, 'ppd=8', 'fixations', /line 7: fixation \(64, 1\) is outside image 'b.png' \(64x48\)/],
      ['image,x,y\na.png,1,1', 'ppd=8', 'fixations', /'observer' is missing/],
      [CSV, '', 'ppd', /pixels per degree/],
      [`${CSV}\na.png,P3,abc,1,100`, 'ppd=8', 'fixations', /line 7: x and y must be finite numbers/],
    ];
    for (const [body, query, field, detail] of cases) {
      const res = await csvImport(body, query);
      const json = (await res.json()) as { field: string; detail: string };
      expect(res.status, json.detail).toBe(400);
      expect(json.field).toBe(field);
      expect(json.detail).toMatch(detail);
    }
    expect([await n(gazeSessions), await n(fixations), await n(densityMaps)]).toEqual([0, 0, 0]);
    expect((await csvImport(CSV, 'ppd=8', bob)).status).toBe(404);
    // Not signed in: 401 before the dataset is looked up (like every write route; it tells nothing about the dataset).
    expect((await csvImport(CSV, 'ppd=8', null)).status).toBe(401);
  });

  it('imports fixations: observers become accepted lab sessions; maps at σ = ppd; an observer is imported once', async () => {
    const res = await csvImport(CSV, 'ppd=8&modality=lab');
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ observers: 2, fixations: 5, maps: 0, modality: 'lab' });
    const sessions = await handle.db.select().from(gazeSessions);
    expect(sessions.map((s) => [s.observerLabel, s.modality, s.pixelsPerDegree, s.status]).sort()).toEqual([
      ['P1', 'lab', 8, 'accepted'],
      ['P2', 'lab', 8, 'accepted'],
    ]);
    const maps = await handle.db.select().from(densityMaps);
    expect(maps.map((m) => [m.version, m.source, m.sigmaPx, m.observers, m.fixationCount]).sort()).toEqual([
      [1, 'fixations', 8, 2, 2],
      [1, 'fixations', 8, 2, 3],
    ]);
    const again = await csvImport('image,observer,x,y\nc.png,P2,5,5', 'ppd=8');
    expect(again.status).toBe(400);
    expect((await again.json()).detail).toMatch(/observer 'P2' already has lab data/);
  });

  it('imports density maps (PNG 16-bit, NPY); a wrong-size map is a 400 and nothing of that upload is stored', async () => {
    const bad = new FormData();
    bad.set('modality', 'lab');
    bad.append('maps', new File([writeNpy({ width: W, height: H, data: new Float64Array(W * H).fill(1) }) as Uint8Array<ArrayBuffer>], 'a.npy'));
    bad.append('maps', new File([writeNpy({ width: 10, height: 10, data: new Float64Array(100).fill(1) }) as Uint8Array<ArrayBuffer>], 'b.npy'));
    const before = await n(densityMaps);
    const r = await formImport(bad);
    expect(r.status).toBe(400);
    expect(await r.json()).toMatchObject({ field: 'maps', detail: "b.npy: map is 10x10, image 'b.png' is 64x48" });
    expect(await n(densityMaps)).toBe(before);

    const good = new FormData();
    good.set('modality', 'lab');
    const values = Uint16Array.from({ length: W * H }, (_, i) => (i % W) * 100);
    good.append('maps', new File([new Uint8Array(encodePngGray16(W, H, values))], 'c.png'));
    good.append('maps', new File([writeNpy(centreMap(W, H)) as Uint8Array<ArrayBuffer>], 'a.npy'));
    const ok = await formImport(good);
    expect(ok.status).toBe(201);
    const c = await handle.db.select().from(densityMaps).where(eq(densityMaps.source, 'imported'));
    expect(c).toHaveLength(2);
    const cRow = c.find((m) => m.observers === 0);
    expect(cRow).toMatchObject({ version: 1, sigmaPx: null, points: null, fixationCount: 0 });
    const aRow = c.find((m) => m.observers === 2);
    expect(aRow).toMatchObject({ version: 2, fixationCount: 3 });
    const state = (await (await stateRoute(new Request('http://x', { headers: alice.auth }), params({ id: datasetId }))).json()) as { modalities: { modality: string; state: string; images: { image: string; version: number; source: string }[] }[] };
    expect(state.modalities[0]?.state).toMatch(/^gt_[0-9a-f]{24}$/);
    expect(state.modalities[0]?.images.map((i) => [i.image, i.version, i.source])).toEqual([
      ['a.png', 2, 'imported'],
      ['b.png', 1, 'fixations'],
      ['c.png', 1, 'imported'],
    ]);
  });

  it('fixations.csv round-trips through the CLI import (as another modality)', async () => {
    const res = await datasetFile(new Request('http://x?modality=lab', { headers: alice.auth }), params({ id: datasetId, file: 'fixations.csv' }));
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe('image,observer,x,y,duration_ms,modality,start_ms');
    expect(text.trim().split('\r\n')).toHaveLength(6);
    const file = path.join(dir, 'export.csv');
    fs.writeFileSync(file, text);
    expect(await importCommand(['--dataset', 'lab-set', '--fixations', file, '--ppd', '8', '--modality', 'mouse'], { handle, enqueue: false })).toBe(0);
    const mouse = await handle.db.select().from(densityMaps).where(eq(densityMaps.modality, 'mouse'));
    const lab = await handle.db.select().from(densityMaps).where(and(eq(densityMaps.modality, 'lab'), eq(densityMaps.source, 'fixations')));
    expect(mouse).toHaveLength(2);
    // Same fixations, same σ: the same map as the lab version computed from them.
    const labB = lab.find((m) => m.fixationCount === 2);
    expect(mouse.find((m) => m.imageId === labB?.imageId)?.data).toEqual(labB?.data);
    const bad = path.join(dir, 'bad.csv');
    fs.writeFileSync(bad, 'image,observer,x,y\nnope.png,Q,1,1\n');
    await expect(importCommand(['--dataset', 'lab-set', '--fixations', bad, '--ppd', '8'], { handle, enqueue: false })).rejects.toThrow(/line 2: unknown image 'nope.png'/);
  });

  it('an imported map without fixations: density metrics stored, fixation metrics recorded as failures', async () => {
    const [model] = await handle.db.insert(models).values({ slug: 'm', name: 'm', url: '/models/x/model.json', labels: ['a'], preprocessing: 'unit', inputWidth: 32, inputHeight: 32 }).returning();
    const run = await createRun(handle.db, { datasetId, modelId: model!.id, explainer: 'centre', params: {}, target: {}, name: 'r', ownerId: alice.userId, modality: 'lab' });
    const [c] = await handle.db.select().from(images).where(eq(images.name, 'c.png'));
    const res = await postMaps(
      new Request(`http://x/api/v1/runs/${run.id}/maps?image=c`, { method: 'POST', headers: { 'Content-Type': 'application/octet-stream', ...alice.auth }, body: writeNpy(centreMap(32, 32)) as Uint8Array<ArrayBuffer> }),
      params({ id: run.id }),
    );
    expect(res.status).toBe(201);
    await stopQueue();
    expect(await scoreRun(handle.db, run.id)).toMatchObject({ stored: 4, failed: 4 });
    const failures = await handle.db.select().from(scoreFailures).where(eq(scoreFailures.imageId, c!.id));
    expect(failures.map((f) => f.metric).sort()).toEqual(['aucJudd', 'aucShuffled', 'infoGain', 'nss']);
    expect(failures[0]?.message).toMatch(/no fixations/);
    expect((await handle.db.select().from(scores).where(eq(scores.runId, run.id))).map((s) => s.metric).sort()).toEqual(['cc', 'kld', 'sim', 'ssim']);
    expect(await scoreRun(handle.db, run.id)).toMatchObject({ stored: 0, failed: 0 });
  });

  it('gazebench submit uploads a folder of NPY maps over HTTP; a re-run skips them; a bad map exits 2 naming it', async () => {
    const [model] = await handle.db.select().from(models).limit(1);
    const run = await createRun(handle.db, { datasetId, modelId: model!.id, explainer: 'centre', params: {}, target: {}, name: 'cli', ownerId: alice.userId });
    const server = http.createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const request = new Request(url, { method: req.method, headers: req.headers as Record<string, string>, ...(req.method === 'POST' ? { body: Buffer.concat(chunks) } : {}) });
      const m = /^\/api\/v1\/runs\/([^/]+)(\/maps)?$/.exec(url.pathname);
      const answer = !m ? new Response('no', { status: 404 }) : m[2] ? await postMaps(request, params({ id: m[1] ?? '' })) : await getRun(request, params({ id: m[1] ?? '' }));
      res.writeHead(answer.status, Object.fromEntries(answer.headers));
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const good = path.join(dir, 'good');
    fs.mkdirSync(good);
    fs.writeFileSync(path.join(good, 'a.npy'), writeNpy(centreMap(W, H)));
    fs.writeFileSync(path.join(good, 'b.png.npy'), writeNpy(centreMap(32, 32)));
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      const args = ['--run', run.id, '--maps', good, '--server', base, '--token', alice.token];
      expect(await submit(args)).toBe(0);
      expect(await submit(args)).toBe(0);
      expect(String(stdout.mock.calls.at(-1)?.[0])).toMatch(/stored 0 map\(s\), 2 already there; run has 2\/3 maps/);
      const bad = path.join(dir, 'bad');
      fs.mkdirSync(bad);
      fs.writeFileSync(path.join(bad, 'c.npy'), writeNpy(centreMap(10, 10)));
      expect(await submit(['--run', run.id, '--maps', bad, '--server', base, '--token', alice.token])).toBe(2);
      expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/c\.npy: 400 .*'c\.png' is 10x10; expected 64x48 \(image\) or 32x32 \(model input\)/);
      expect(await submit(['--run', run.id, '--maps', good, '--server', base, '--token', bob.token])).toBe(2);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      server.close();
    }
    expect(Number((await handle.db.select({ n: count() }).from(saliencyMaps).where(eq(saliencyMaps.runId, run.id)))[0]?.n)).toBe(2);
  });
});
