/**
 * The scoring service end to end on a real database: runs and maps through the route handlers,
 * validation of bad uploads (nothing stored), exactly-once scoring, ground-truth versioning and
 * rescoring, evaluation with the demo model, reference rows, exports and ownership.
 */
import fs from 'node:fs';
import path from 'node:path';
import { and, count, eq, isNull } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as createRunRoute } from '@/app/api/v1/runs/route';
import { GET as getRunRoute } from '@/app/api/v1/runs/[id]/route';
import { POST as postMaps } from '@/app/api/v1/runs/[id]/maps/route';
import { GET as getMapFile } from '@/app/api/v1/runs/[id]/maps/[file]/route';
import { GET as getScoresFile } from '@/app/api/v1/runs/[id]/[file]/route';
import { GET as getLeaderboard } from '@/app/api/v1/datasets/[id]/leaderboard/route';
import { GET as getDensityFile } from '@/app/api/v1/images/[id]/[file]/route';
import type { DbHandle } from '@/db/client';
import { latestDensityMap, rebuildDensityMap } from '@/db/queries/ground-truth';
import { datasets, densityMaps, fixations, gazeSessions, referenceScores, saliencyMaps, scoreFailures, scores } from '@/db/schema';
import { seedDemo } from '@/db/seed/demo';
import { enqueueRecomputeGroundTruth } from '@/lib/jobs/ground-truth';
import { stopQueue } from '@/lib/jobs/queue';
import { startWorker } from '@/lib/jobs/worker';
import { readNpy, writeNpy } from '@/lib/io/npy';
import { decodePngGray } from '@/lib/io/png';
import { evaluateRun } from '@/lib/scoring/evaluate-run';
import { computeReference } from '@/lib/scoring/reference';
import { scoreRun } from '@/lib/scoring/score-run';
import { driver, freshDb, tempDir, testDatabaseUrl } from './helpers';
import { bytesRequest, centreMap, createResearcher, demoFixtures, jsonRequest, params, type TestUser } from './scoring-helpers';
import { makeZip } from '@/lib/io/zip.test-util';

const root = path.resolve(__dirname, '../..');
const GT_METRICS = 8;

describe(`scoring service on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let alice: TestUser;
  let bob: TestUser;
  let demo: Awaited<ReturnType<typeof demoFixtures>>;
  let runId = '';
  let boss: PgBoss | undefined;

  const count$ = async (table: typeof scores | typeof saliencyMaps | typeof scoreFailures, runFilter = runId) =>
    Number((await handle.db.select({ n: count() }).from(table).where(eq(table.runId, runFilter)))[0]?.n ?? 0);

  async function newRun(user: TestUser, body: Record<string, unknown> = {}): Promise<Response> {
    return createRunRoute(
      jsonRequest('http://x/api/v1/runs', { datasetId: demo.dataset.id, modelId: demo.model.id, explainer: 'centre-test', name: 'centre test', ...body }, user.auth),
    );
  }

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') });
    demo = await demoFixtures(handle.db);
    alice = await createResearcher(handle.db, 'alice@example.org');
    bob = await createResearcher(handle.db, 'bob@example.org');
  });
  afterAll(async () => {
    await boss?.stop({ graceful: true, timeout: 5000 }).catch(() => undefined); // lets an in-flight job settle before the database closes
    await stopQueue();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('POST /api/v1/runs: validates, needs a token with write scope, answers the run with its progress', async () => {
    expect((await createRunRoute(jsonRequest('http://x/api/v1/runs', {}))).status).toBe(401);
    const bad = await newRun(alice, { evaluate: ['telepathy'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'evaluate.0' });
    const missingModel = await newRun(alice, { modelId: '00000000-0000-4000-8000-000000000000' });
    expect(missingModel.status).toBe(404);
    expect(await missingModel.json()).toMatchObject({ field: 'modelId' });
    const res = await newRun(alice, { evaluate: ['insertion', 'deletion'], evaluationStep: 224 * 56, visibility: 'private' });
    expect(res.status).toBe(201);
    const run = (await res.json()) as { id: string; progress: { images: number; mapsReceived: number }; status: string; evaluate: string[] };
    expect(run.progress).toMatchObject({ images: 80, mapsReceived: 0, scoresExpected: 0 });
    expect(run.status).toBe('pending');
    expect(run.evaluate).toEqual(['insertion', 'deletion']);
    runId = run.id;
  });

  it('bad map uploads are 400 naming the problem, and store nothing', async () => {
    const url = `http://x/api/v1/runs/${runId}/maps`;
    const img = demo.images[0]!;
    const cases: [Request, string, RegExp][] = [
      [jsonRequest(url, { imageId: img.id, width: 10, height: 10, data: Array(100).fill(1) }, alice.auth), 'size', new RegExp(`'${img.name}' is 10x10; expected 224x224`)],
      [jsonRequest(url, { imageName: img.name, width: 224, height: 224, data: [null, ...Array(224 * 224 - 1).fill(0.5)] }, alice.auth), 'data', /non-finite value \(NaN\) at x=0, y=0/],
      [jsonRequest(url, { imageName: 'no-such-image.png', width: 224, height: 224, data: Array(224 * 224).fill(1) }, alice.auth), 'imageName', /'no-such-image.png' is not in this run's dataset/],
      [bytesRequest(`${url}?image=${img.name}`, writeNpy({ width: 224, height: 224, data: new Float32Array(224 * 224).fill(Number.POSITIVE_INFINITY) }), 'application/octet-stream', alice.auth), 'data', /non-finite value \(Infinity\)/],
      [bytesRequest(`${url}?image=unknown`, writeNpy(centreMap(224, 224)), 'application/octet-stream', alice.auth), 'image', /'unknown' is not in this run's dataset/],
      [
        bytesRequest(url, makeZip([
          { name: `${demo.images[1]!.name}.npy`, bytes: writeNpy(centreMap(224, 224)) },
          { name: 'ghost.npy', bytes: writeNpy(centreMap(224, 224)) },
        ]), 'application/zip', alice.auth),
        'image',
        /ghost.npy: image 'ghost' is not in this run's dataset/,
      ],
      [bytesRequest(url, makeZip([{ name: '../evil.npy', bytes: writeNpy(centreMap(224, 224)) }]), 'application/zip', alice.auth), 'body', /invalid relative path/],
      [bytesRequest(url, makeZip([{ name: `${demo.images[1]!.name}.npy`, bytes: writeNpy(centreMap(100, 80)) }]), 'application/zip', alice.auth), 'size', /is 100x80; expected/],
    ];
    for (const [req, field, detail] of cases) {
      const res = await postMaps(req, params({ id: runId }));
      const body = (await res.json()) as { field: string; detail: string };
      expect(res.status, body.detail).toBe(400);
      expect(body.field).toBe(field);
      expect(body.detail).toMatch(detail);
    }
    expect(await count$(saliencyMaps)).toBe(0);
    // Bob may read nothing of Alice's private run: 404, not 403.
    expect((await postMaps(jsonRequest(url, {}, bob.auth), params({ id: runId }))).status).toBe(404);
  });

  it('stores maps sent as JSON, NPY and zip; a second map for an image is a 409', async () => {
    const url = `http://x/api/v1/runs/${runId}/maps`;
    const [a, b, c, d] = demo.images;
    const m = centreMap(224, 224);
    const j = await postMaps(jsonRequest(url, { imageId: a!.id, width: 224, height: 224, data: Array.from(m.data) }, alice.auth), params({ id: runId }));
    expect(j.status).toBe(201);
    const n = await postMaps(bytesRequest(`${url}?image=${b!.name.replace(/\.png$/, '')}`, writeNpy(m), 'application/octet-stream', alice.auth), params({ id: runId }));
    expect(n.status).toBe(201);
    const z = await postMaps(
      bytesRequest(url, makeZip([{ name: `maps/${c!.name}.npy`, bytes: writeNpy(centreMap(224, 224, 60, 60)) }, { name: `${d!.name.replace('.png', '')}.npy`, bytes: writeNpy(m) }]), 'application/zip', alice.auth),
      params({ id: runId }),
    );
    expect(z.status).toBe(201);
    expect(await z.json()).toMatchObject({ received: 2 });
    expect(await count$(saliencyMaps)).toBe(4);
    const again = await postMaps(bytesRequest(`${url}?image=${a!.id}`, writeNpy(m), 'application/octet-stream', alice.auth), params({ id: runId }));
    expect(again.status).toBe(409);
    expect((await again.json()).detail).toContain(a!.name);
    // The NPY export gives back exactly what was stored (float32).
    const npy = await getMapFile(new Request('http://x', { headers: alice.auth }), params({ id: runId, file: `${c!.id}.npy` }));
    expect(readNpy(new Uint8Array(await npy.arrayBuffer())).data).toEqual(centreMap(224, 224, 60, 60).data);
  });

  it('scores every map once against the version in force; running the job twice adds nothing', async () => {
    await stopQueue();
    const first = await scoreRun(handle.db, runId);
    expect(first).toMatchObject({ done: true, stored: 4 * GT_METRICS, failed: 0 });
    expect(await count$(scores)).toBe(4 * GT_METRICS);
    const second = await scoreRun(handle.db, runId);
    expect(second).toMatchObject({ stored: 0, failed: 0 });
    expect(await count$(scores)).toBe(4 * GT_METRICS);
    const rows = await handle.db.select().from(scores).where(eq(scores.runId, runId));
    for (const r of rows) expect(Number.isFinite(r.value)).toBe(true);
    const v1 = await latestDensityMap(handle.db, demo.images[0]!.id, 'simulated');
    expect(rows.filter((r) => r.imageId === demo.images[0]!.id).every((r) => r.densityMapId === v1?.id)).toBe(true);
  });

  it('evaluates with the stored demo model (insertion/deletion curves), exactly once', async () => {
    const r = await evaluateRun(handle.db, runId, { dataDir, publicDir: path.join(root, 'public') });
    expect(r).toMatchObject({ done: true, stored: 8, failed: 0 });
    const again = await evaluateRun(handle.db, runId, { dataDir, publicDir: path.join(root, 'public') });
    expect(again.stored).toBe(0);
    const ev = await handle.db.select().from(scores).where(and(eq(scores.runId, runId), isNull(scores.densityMapId)));
    expect(ev).toHaveLength(8);
    for (const s of ev) {
      expect(s.value).toBeGreaterThanOrEqual(0);
      expect(s.value).toBeLessThanOrEqual(1);
      // 224² pixels, 224·56 per step → 4 steps → 5 curve points.
      expect((s.detail as { curve: number[] }).curve).toHaveLength(5);
    }
    const run = (await (await getRunRoute(new Request('http://x', { headers: alice.auth }), params({ id: runId }))).json()) as { status: string; progress: Record<string, number> };
    expect(run.progress).toMatchObject({ mapsReceived: 4, scoresExpected: 4 * (GT_METRICS + 2), scoresDone: 4 * (GT_METRICS + 2) });
    expect(run.status).toBe('complete');
  });

  it('reference rows: ceiling and four baselines per version; IG of the centre bias against itself is 0', async () => {
    await computeReference(handle.db, demo.dataset.id, 'simulated');
    const refs = await handle.db.select().from(referenceScores);
    const kinds = new Set(refs.map((r) => r.kind));
    expect(kinds).toEqual(new Set(['ceiling', 'baseline:centre', 'baseline:mean-fixations', 'baseline:uniform', 'baseline:random']));
    for (const r of refs.filter((x) => x.kind === 'baseline:centre' && x.metric === 'infoGain')) expect(r.value).toBeCloseTo(0, 12);
    for (const r of refs.filter((x) => x.kind === 'baseline:uniform' && x.metric === 'cc')) expect(r.value).toBe(0);
    expect(refs.some((x) => x.kind === 'baseline:uniform' && x.metric === 'infoGain')).toBe(false);
    const ceilingCc = refs.filter((x) => x.kind === 'ceiling' && x.metric === 'cc').map((x) => x.value);
    expect(ceilingCc.length).toBe(80);
    const [dm] = await handle.db.select().from(densityMaps).where(eq(densityMaps.imageId, demo.images[5]!.id));
    expect(dm?.consistency).toMatchObject({ observers: 12, observersNeeded: { target: 0.8 } });
    // Computed once per version: a second pass writes nothing new.
    const before = refs.map((r) => r.updatedAt.getTime()).sort().join();
    expect(await computeReference(handle.db, demo.dataset.id, 'simulated')).toEqual({ versions: 0 });
    expect((await handle.db.select().from(referenceScores)).map((r) => r.updatedAt.getTime()).sort().join()).toBe(before);
  }, 300_000);

  it('ground truth changes: old scores keep their version; the rescore job adds the new version', async () => {
    const image = demo.images[0]!;
    const v1 = await latestDensityMap(handle.db, image.id, 'simulated');
    // Unchanged fixations write no new version.
    expect(await rebuildDensityMap(handle.db, image.id, 'simulated')).toMatchObject({ version: 1, changed: false });
    const [session] = await handle.db.select().from(gazeSessions).where(eq(gazeSessions.datasetId, demo.dataset.id)).limit(1);
    await handle.db.insert(fixations).values({ sessionId: session!.id, imageId: image.id, x: 20, y: 20, startMs: 99_999, durationMs: 250 });
    boss = await startWorker(handle, { maintenanceIntervalSeconds: 1 });
    await enqueueRecomputeGroundTruth(boss, { imageId: image.id, modality: 'simulated' });
    const deadline = Date.now() + 150_000;
    let v2Scores = 0;
    let v2Id: string | undefined;
    while (Date.now() < deadline && v2Scores < GT_METRICS) {
      await new Promise((r) => setTimeout(r, 300));
      const latest = await latestDensityMap(handle.db, image.id, 'simulated');
      if (latest && latest.version === 2) {
        v2Id = latest.id;
        v2Scores = Number((await handle.db.select({ n: count() }).from(scores).where(and(eq(scores.runId, runId), eq(scores.densityMapId, latest.id))))[0]?.n ?? 0);
      }
    }
    expect(v2Id).toBeDefined();
    expect(v2Scores).toBe(GT_METRICS);
    const v1Scores = await handle.db.select().from(scores).where(and(eq(scores.runId, runId), eq(scores.densityMapId, v1!.id)));
    expect(v1Scores).toHaveLength(GT_METRICS);
    expect(await count$(scores)).toBe(4 * GT_METRICS + 8 + GT_METRICS);
    // The new version gets its reference rows too (and only it).
    while (Date.now() < deadline && (await handle.db.select().from(referenceScores).where(eq(referenceScores.densityMapId, v2Id!))).length === 0) {
      await new Promise((r) => setTimeout(r, 300));
    }
    expect((await handle.db.select().from(referenceScores).where(eq(referenceScores.densityMapId, v2Id!))).length).toBeGreaterThan(30);
    await boss.stop({ graceful: true, timeout: 5000 });
    boss = undefined;
    await stopQueue();
  }, 240_000);

  it('the leaderboard: run row, ceiling and baselines, snapshot id stable and stale after a change', async () => {
    const url = (q = '') => `http://x/api/v1/datasets/demo-shapes/leaderboard${q}`;
    const get = async (q = '', user: TestUser | null = alice) => getLeaderboard(new Request(url(q), { headers: user?.auth ?? {} }), params({ id: 'demo-shapes' }));
    const res = await get();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { snapshot: string; rows: { id: string; kind: string; images: number; cells: Record<string, { n: number; mean: number } | null> }[]; columns: { key: string }[] };
    expect(body.columns.map((c) => c.key)).toEqual(['cc', 'ssim', 'nss', 'aucJudd', 'aucShuffled', 'sim', 'kld', 'infoGain', 'insertion', 'deletion']);
    const run = body.rows.find((r) => r.id === runId);
    expect(run?.cells.cc?.n).toBe(4);
    expect(run?.cells.insertion?.n).toBe(4);
    expect(body.rows.filter((r) => r.kind === 'baseline')).toHaveLength(4);
    expect(body.rows.find((r) => r.kind === 'ceiling')?.cells.nss?.n).toBe(80);
    // Anonymous viewers do not see Alice's private run.
    const anonymous = (await (await get('', null)).json()) as { rows: { id: string }[]; snapshot: string };
    expect(anonymous.rows.some((r) => r.id === runId)).toBe(false);
    expect((await (await get()).json()).snapshot).toBe(body.snapshot);
    const cited = await (await get(`?snapshot=${body.snapshot}`)).json();
    expect(cited).toMatchObject({ snapshot: body.snapshot, stale: false });
    // Anonymous cannot open a snapshot that lists a private run.
    expect((await get(`?snapshot=${body.snapshot}`, null)).status).toBe(404);
    // Version 1 is still there for citation, with the scores computed against it.
    const v1 = (await (await get('?version=1')).json()) as { snapshot: string; rows: { id: string; cells: Record<string, { n: number } | null> }[] };
    expect(v1.rows.find((r) => r.id === runId)?.cells.cc?.n).toBe(4);
    expect(v1.snapshot).not.toBe(body.snapshot);
    await handle.db.update(scores).set({ value: 0.123 }).where(and(eq(scores.runId, runId), eq(scores.metric, 'insertion'), eq(scores.imageId, demo.images[0]!.id)));
    const stale = await (await get(`?snapshot=${body.snapshot}`)).json();
    expect(stale.stale).toBe(true);
    expect(stale.currentSnapshot).not.toBe(body.snapshot);
    const filtered = (await (await get('?class=star&sort=deletion')).json()) as { filters: { classLabel: string }; sort: { column: string } };
    expect(filtered).toMatchObject({ filters: { classLabel: 'star' }, sort: { column: 'deletion' } });
    expect((await get('?sort=frobnicate')).status).toBe(400);
    expect((await get('?class=hexagon')).status).toBe(400);
  });

  it('exports: scores CSV/JSON per image and aggregated, density NPY and 16-bit PNG', async () => {
    const csv = await (await getScoresFile(new Request('http://x', { headers: alice.auth }), params({ id: runId, file: 'scores.csv' }))).text();
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('scope,image,image_id,class,metric,modality,gt_version,n,value,variance,ci95_lower,ci95_upper');
    expect(lines.filter((l) => l.startsWith('image,'))).toHaveLength(4 * GT_METRICS + 8 + GT_METRICS);
    expect(lines.some((l) => l.startsWith('aggregate,,,,cc,simulated,1,4,'))).toBe(true);
    const json = await (await getScoresFile(new Request('http://x', { headers: alice.auth }), params({ id: runId, file: 'scores.json' }))).json();
    expect(json.scores).toHaveLength(4 * GT_METRICS + 8 + GT_METRICS);
    expect((await getScoresFile(new Request('http://x', { headers: bob.auth }), params({ id: runId, file: 'scores.csv' }))).status).toBe(404);

    const image = demo.images[0]!;
    const npy = await getDensityFile(new Request('http://x?modality=simulated'), params({ id: image.id, file: 'density.npy' }));
    expect(npy.headers.get('x-gazebench-version')).toBe('2');
    const grid = readNpy(new Uint8Array(await npy.arrayBuffer()));
    expect(Array.from(grid.data).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const png = await getDensityFile(new Request('http://x?modality=simulated&version=1'), params({ id: image.id, file: 'density.png16' }));
    expect(png.headers.get('x-gazebench-version')).toBe('1');
    const gray = decodePngGray(new Uint8Array(await png.arrayBuffer()));
    expect([gray.width, gray.height]).toEqual([224, 224]);
    expect(Math.max(...gray.data)).toBe(65535);
  });

  it('ownership: private datasets and runs of others are 404', async () => {
    const [priv] = await handle.db.insert(datasets).values({ slug: 'alice-private', name: 'Alice private', ownerId: alice.userId, visibility: 'private' }).returning();
    const lb = (u: TestUser | null) => getLeaderboard(new Request('http://x/api/v1/datasets/x/leaderboard', { headers: u?.auth ?? {} }), params({ id: priv!.id }));
    expect((await lb(alice)).status).toBe(200);
    expect((await lb(bob)).status).toBe(404);
    expect((await lb(null)).status).toBe(404);
    const bobRun = await createRunRoute(jsonRequest('http://x/api/v1/runs', { datasetId: priv!.id, modelId: demo.model.id, explainer: 'x', name: 'x' }, bob.auth));
    expect(bobRun.status).toBe(404);
    expect((await getRunRoute(new Request('http://x', { headers: bob.auth }), params({ id: runId }))).status).toBe(404);
    expect((await getRunRoute(new Request('http://x'), params({ id: runId }))).status).toBe(404);
    expect((await getRunRoute(new Request('http://x', { headers: alice.auth }), params({ id: runId }))).status).toBe(200);
    // A read-only token cannot write.
    const reader = await createResearcher(handle.db, 'reader@example.org', { scopes: ['read'] });
    expect((await newRun(reader)).status).toBe(403);
  });
});
