/**
 * Browser curves through the real upload route and evaluation job (issue 18), on the demo CNN
 * uploaded as a researcher's model: a JSON map with honest curves (computed in Node on wasm as the
 * browser worker computes them) is accepted at k seeded points and stored as 'client-verified'; a
 * forged one is rejected, recomputed and stored as 'client-rejected' with the reason; a map
 * without curves is 'recomputed'. Bad curves are a 400 naming the field and store nothing. The
 * leaderboard API and the run's scores.json say how each number was obtained.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getLeaderboard } from '@/app/api/v1/datasets/[id]/leaderboard/route';
import { GET as getRunFile } from '@/app/api/v1/runs/[id]/[file]/route';
import { POST as postMaps } from '@/app/api/v1/runs/[id]/maps/route';
import { POST as createRunRoute } from '@/app/api/v1/runs/route';
import type { DbHandle } from '@/db/client';
import { createDataset, insertImages } from '@/db/queries/datasets';
import { createModel } from '@/db/queries/models';
import { getRunContext, runMapIndex } from '@/db/queries/runs';
import { scores } from '@/db/schema';
import { generateShapeImage, SHAPE_CLASSES } from '@/lib/demo/shapes';
import { evaluateWithoutGroundTruth } from '@/lib/evaluation/evaluate';
import { encodePng } from '@/lib/io/png';
import { stopQueue } from '@/lib/jobs/queue';
import { curveAuc } from '@/lib/metrics/curve-auc';
import { loadModelBundle, type ModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { CURVE_TOLERANCE } from '@/lib/scoring/curve-check';
import { evaluateRun } from '@/lib/scoring/evaluate-run';
import { putBlob } from '@/lib/storage/blobs';
import { modelBundleDir } from '@/lib/storage/model-bundles';
import { driver, freshDb, tempDir } from './helpers';
import { asCookie, call, makeUser, request, type TestUser } from './http-helpers';

const root = path.resolve(__dirname, '../..');
const INPUT = 224;
const STEP = 224 * 14; // 16 steps, 17 scores per curve, 15 interior points
const K = 4;

interface Curves {
  classIndex: number;
  step: number;
  insertion: number[];
  deletion: number[];
}

describe(`browser curves through upload and evaluation on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let owner: TestUser;
  let datasetId = '';
  let runId = '';
  let bundle: ModelBundle;
  const shapes = [0, 1, 2].map((i) => generateShapeImage(2026, 500 + i, SHAPE_CLASSES[i]));
  const names = ['honest.png', 'forged.png', 'plain.png'];
  const honest: Curves[] = [];

  /** A map on the object (Gaussian), at the model input size. */
  const mapOf = (i: number): number[] => {
    const { x, y } = shapes[i]!.center;
    return Array.from({ length: INPUT * INPUT }, (_, p) => Math.fround(Math.exp(-(((p % INPUT) - x) ** 2 + (Math.floor(p / INPUT) - y) ** 2) / 1500)));
  };
  const upload = (json: unknown) => call(postMaps, request(`/api/v1/runs/${runId}/maps`, { caller: asCookie(owner), json }), { id: runId });

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    owner = await makeUser(handle.db);
    const dataset = await createDataset(handle.db, { slug: 'curve-set', name: 'Curve set', description: '', visibility: 'private', ownerId: owner.id });
    if (!dataset) throw new Error('fixture dataset');
    datasetId = dataset.id;
    const rows = [];
    for (const [i, s] of shapes.entries()) {
      const bytes = encodePng({ width: s.width, height: s.height, data: s.rgba });
      rows.push({ name: names[i]!, classLabel: s.label, width: s.width, height: s.height, sha256: await putBlob(dataDir, bytes), mimeType: 'image/png', bytes: bytes.length });
    }
    await insertImages(handle.db, datasetId, rows);
    const files = [];
    for (const name of ['model.json', 'weights.bin']) {
      const bytes = fs.readFileSync(path.join(root, 'public/models/demo-shapes', name));
      files.push({ name, sha256: await putBlob(dataDir, bytes), bytes: bytes.length });
    }
    const modelId = randomUUID();
    await createModel(handle.db, {
      id: modelId, slug: 'curve-cnn', name: 'Curve CNN', architecture: '', trainingData: '', license: '', format: 'layers', url: `/api/v1/models/${modelId}/files/model.json`,
      labels: [...SHAPE_CLASSES], preprocessing: 'unit', inputWidth: INPUT, inputHeight: INPUT, targetLayer: 'last_conv',
      ownerId: owner.id, visibility: 'private', sha256: 'c'.repeat(64), bytes: 1, files,
    });
    const created = await createRunRoute(request('/api/v1/runs', { caller: asCookie(owner), json: { datasetId, modelId, name: 'browser curves', explainer: 'gradcam', params: {}, evaluate: ['insertion', 'deletion'], evaluationStep: STEP } }));
    expect(created.status).toBe(201);
    runId = ((await created.json()) as { id: string }).id;
    // The "browser": the same model files and settings, evaluate.ts on wasm, as the worker runs it.
    const context = await getRunContext(handle.db, runId);
    await initTfNode('wasm');
    bundle = await loadModelBundle(await modelBundleDir(dataDir, { ...context!.model, files: context!.model.files! }));
    for (const [i, s] of shapes.entries()) {
      const r = await evaluateWithoutGroundTruth({ bundle, image: s, saliency: { width: INPUT, height: INPUT, data: Float64Array.from(mapOf(i)) }, metrics: ['insertion', 'deletion'], step: STEP });
      honest.push({ classIndex: r.classIndex, step: STEP, insertion: r.insertion!.curve, deletion: r.deletion!.curve });
    }
  });

  afterAll(async () => {
    bundle?.dispose();
    await stopQueue();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses bad curves with 400 naming the field, and stores nothing', async () => {
    const base = { imageName: names[0], width: INPUT, height: INPUT, data: mapOf(0) };
    const h = honest[0]!;
    const cases: [Record<string, unknown>, string][] = [
      [{ ...h, insertion: h.insertion.map((v, i) => (i === 3 ? null : v)) }, 'curves.insertion.3'],
      [{ ...h, deletion: [...h.deletion, 0.5] }, 'curves.deletion'],
      [{ ...h, insertion: h.insertion.map((v, i) => (i === 0 ? 1.5 : v)) }, 'curves.insertion.0'],
      [{ ...h, deletion: h.deletion.map((v, i) => (i === 2 ? -0.1 : v)) }, 'curves.deletion.2'],
      [{ ...h, step: 224 }, 'curves.step'],
      [{ ...h, classIndex: 5 }, 'curves.classIndex'],
      [{ ...h, classIndex: undefined }, 'curves.classIndex'],
    ];
    for (const [curves, field] of cases) {
      const res = await upload({ ...base, curves });
      expect(res.status, field).toBe(400);
      expect(await res.json()).toMatchObject({ error: 'invalid_map', field });
    }
    expect(await runMapIndex(handle.db, runId)).toEqual([]);
  });

  it('stores maps with curves (honest, forged) and without', async () => {
    const h = honest[1]!;
    // Every interior point moved by 0.2 (kept in [0, 1]): any sample sees it.
    const forged = { ...h, deletion: h.deletion.map((v, i) => (i === 0 || i === h.deletion.length - 1 ? v : v > 0.5 ? v - 0.2 : v + 0.2)) };
    for (const [i, curves] of [honest[0], forged, undefined].entries()) {
      const res = await upload({ imageName: names[i], width: INPUT, height: INPUT, data: mapOf(i), ...(curves ? { curves } : {}) });
      expect(res.status).toBe(201);
    }
    expect(await runMapIndex(handle.db, runId)).toHaveLength(3);
  });

  it('the job accepts the honest curve at k + 2 points, rejects and recomputes the forged one, recomputes the plain map', async () => {
    const r = await evaluateRun(handle.db, runId, { dataDir, publicDir: path.join(root, 'public'), curveSamples: K });
    expect(r).toMatchObject({ done: true, stored: 6, failed: 0 });
    const rows = await handle.db.select().from(scores).where(and(eq(scores.runId, runId), isNull(scores.densityMapId)));
    const images = new Map((await runMapIndex(handle.db, runId)).map((m) => [m.imageId, m]));
    expect(images.size).toBe(3);
    const byName = async (name: string) => {
      const ctx = await handle.db.query.images.findFirst({ where: (t, { eq: e }) => e(t.name, name) });
      return rows.filter((s) => s.imageId === ctx?.id);
    };
    for (const s of await byName(names[0]!)) {
      const metric = s.metric as 'insertion' | 'deletion';
      const detail = s.detail as { curve: number[]; check: { seed: string; k: number; tolerance: number; indices: number[]; server: number[]; maxDiff: number } };
      expect(s.curveSource).toBe('client-verified');
      expect(detail.curve).toEqual(honest[0]![metric]);
      expect(s.value).toBe(curveAuc(honest[0]![metric]));
      expect(detail.check.seed).toMatch(/^[0-9a-f]{32}$/);
      expect(detail.check).toMatchObject({ k: K, tolerance: CURVE_TOLERANCE });
      expect(detail.check.indices).toHaveLength(K + 2);
      expect(detail.check.indices).toContain(0);
      expect(detail.check.indices).toContain(16);
      expect(detail.check.maxDiff).toBeLessThanOrEqual(CURVE_TOLERANCE);
    }
    const forged = await byName(names[1]!);
    expect(forged.map((s) => s.curveSource).sort()).toEqual(['client-rejected', 'client-rejected']);
    for (const s of forged) {
      const metric = s.metric as 'insertion' | 'deletion';
      const detail = s.detail as { curve: number[]; check: { reason: string } };
      // The server's own curve (same model, same backend as the honest client: equal).
      expect(detail.curve).toEqual(honest[1]![metric]);
      expect(s.value).toBe(curveAuc(honest[1]![metric]));
      expect(detail.check.reason).toMatch(metric === 'deletion' ? /differs by .* > τ = 0\.001/ : /deletion curve of this map was rejected/);
      for (const v of detail.curve) expect(Number.isFinite(v)).toBe(true);
    }
    expect((await byName(names[2]!)).map((s) => s.curveSource)).toEqual(['recomputed', 'recomputed']);
    expect((await evaluateRun(handle.db, runId, { dataDir, publicDir: path.join(root, 'public'), curveSamples: K })).stored).toBe(0);
  });

  it('the leaderboard API and scores.json say how each curve number was obtained', async () => {
    const res = await call(getLeaderboard, request(`/api/v1/datasets/${datasetId}/leaderboard`, { caller: asCookie(owner) }), { id: datasetId });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: { id: string; provenance?: Record<string, unknown> }[] };
    const row = body.rows.find((r) => r.id === runId);
    for (const metric of ['insertion', 'deletion']) {
      expect(row?.provenance?.[metric]).toEqual({ recomputed: 1, verified: 1, rejected: 1, k: { min: K, max: K }, tolerance: CURVE_TOLERANCE });
    }
    const file = await call(getRunFile, request(`/api/v1/runs/${runId}/scores.json`, { caller: asCookie(owner) }), { id: runId, file: 'scores.json' });
    const json = (await file.json()) as { scores: { image: string; metric: string; curveSource?: string }[] };
    expect(json.scores.filter((s) => s.metric === 'deletion').map((s) => [s.image, s.curveSource]).sort()).toEqual([
      ['forged.png', 'client-rejected'],
      ['honest.png', 'client-verified'],
      ['plain.png', 'recomputed'],
    ]);
  });
});
