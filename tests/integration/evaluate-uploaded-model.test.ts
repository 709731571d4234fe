/**
 * Insertion/deletion of a run whose model a researcher uploaded: the job worker's evaluateRun
 * loads the bundle from the blob store (lib/storage/model-bundles.ts) with the settings stored for
 * the model. The same bundle served from public/models as a platform model must give the very
 * same curves — one implementation, two places to find the files.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { insertImages } from '@/db/queries/datasets';
import { createModel } from '@/db/queries/models';
import { createRun, insertSaliencyMaps } from '@/db/queries/runs';
import { datasets, models, scoreFailures, scores } from '@/db/schema';
import { generateShapeImage, SHAPE_CLASSES } from '@/lib/demo/shapes';
import { encodePng } from '@/lib/io/png';
import { stopQueue } from '@/lib/jobs/queue';
import { evaluateRun } from '@/lib/scoring/evaluate-run';
import { putBlob } from '@/lib/storage/blobs';
import { driver, freshDb, tempDir } from './helpers';
import { centreMap, createResearcher } from './scoring-helpers';

const root = path.resolve(__dirname, '../..');
const publicDir = path.join(root, 'public');
const bundleDir = path.join(publicDir, 'models/demo-shapes');
const LABELS = [...SHAPE_CLASSES];
/** 28 rows of 224 px per step: 2 × 8 + 1 forward passes per image, enough to pin the curves. */
const STEP = 224 * 28;

describe(`evaluation of an uploaded model's run on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  const runIds: Record<'uploaded' | 'platform', string> = { uploaded: '', platform: '' };

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    const alice = await createResearcher(handle.db, 'alice@example.org');
    const [d] = await handle.db.insert(datasets).values({ slug: 'up', name: 'up', ownerId: alice.userId, visibility: 'private' }).returning();
    const rows = [];
    for (let i = 0; i < 2; i++) {
      const img = generateShapeImage(4242, i, SHAPE_CLASSES[i]);
      const png = encodePng({ width: img.width, height: img.height, data: img.rgba });
      rows.push({ name: `${LABELS[i]}_${i}.png`, classLabel: LABELS[i] ?? null, width: img.width, height: img.height, sha256: await putBlob(dataDir, png), mimeType: 'image/png', bytes: png.length });
    }
    const images = await insertImages(handle.db, d!.id, rows);
    const files = [];
    for (const name of ['model.json', 'weights.bin', 'gazebench.json']) {
      const bytes = fs.readFileSync(path.join(bundleDir, name));
      files.push({ name, sha256: await putBlob(dataDir, bytes), bytes: bytes.length });
    }
    const common = { architecture: '', trainingData: '', license: '', format: 'layers' as const, labels: LABELS, preprocessing: 'unit', inputWidth: 224, inputHeight: 224, targetLayer: 'last_conv' };
    const uploaded = await createModel(handle.db, { ...common, id: randomUUID(), slug: 'uploaded', name: 'Uploaded CNN', url: '/api/v1/models/x/files/model.json', ownerId: alice.userId, visibility: 'private', sha256: 'a'.repeat(64), bytes: 1, files });
    const [platform] = await handle.db.insert(models).values({ ...common, slug: 'platform', name: 'Platform CNN', url: '/models/demo-shapes/model.json', visibility: 'public' }).returning();
    for (const [kind, model] of [['uploaded', uploaded], ['platform', platform]] as const) {
      const run = await createRun(handle.db, { datasetId: d!.id, modelId: model!.id, explainer: 'centre', params: {}, target: {}, name: kind, ownerId: alice.userId, evaluateWithoutGroundTruth: ['insertion', 'deletion'], evaluationStep: STEP });
      await insertSaliencyMaps(handle.db, run.id, images.map((img) => ({ imageId: img.id, grid: centreMap(224, 224, 90, 120) })));
      runIds[kind] = run.id;
    }
    await stopQueue();
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('scores insertion and deletion from the blob store, identical to the same bundle under public/', async () => {
    const results: Record<string, number[]> = {};
    for (const kind of ['uploaded', 'platform'] as const) {
      expect(await evaluateRun(handle.db, runIds[kind], { dataDir, publicDir })).toMatchObject({ stored: 4, failed: 0 });
      expect(await handle.db.select().from(scoreFailures).where(eq(scoreFailures.runId, runIds[kind]))).toEqual([]);
      const rows = await handle.db.select().from(scores).where(and(eq(scores.runId, runIds[kind])));
      results[kind] = rows.sort((a, b) => `${a.imageId}${a.metric}`.localeCompare(`${b.imageId}${b.metric}`)).map((r) => r.value);
      for (const v of results[kind] ?? []) expect(v).toBeGreaterThanOrEqual(0);
    }
    expect(results.uploaded).toHaveLength(4);
    expect(results.uploaded).toEqual(results.platform);
    // The folder holds the stored settings, not the upload's own gazebench.json.
    const dirs = fs.readdirSync(path.join(dataDir, 'model-bundles'));
    expect(dirs).toHaveLength(1);
    const config = JSON.parse(fs.readFileSync(path.join(dataDir, 'model-bundles', dirs[0] ?? '', 'gazebench.json'), 'utf8')) as Record<string, unknown>;
    expect(config).toEqual({ labels: LABELS, preprocessing: 'unit', inputSize: [224, 224], targetLayer: 'last_conv' });
  });
});
