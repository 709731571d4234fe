/**
 * Issue 16: POST /api/v1/runs refuses a method the stored model cannot run (a graph model with
 * control flow runs RISE and LIME only), with field `explainer` and the reason, and creates nothing.
 * The decision is the server's, from the stored model: models.methods, recorded at upload, or
 * computed from the stored bundle when the row has none (lib/models/stored-methods.ts).
 */
import fs from 'node:fs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as createModelRoute } from '@/app/api/v1/models/route';
import { POST as stage } from '@/app/api/v1/models/uploads/route';
import { POST as createRunRoute } from '@/app/api/v1/runs/route';
import type { DbHandle } from '@/db/client';
import { createDataset } from '@/db/queries/datasets';
import { models, runs } from '@/db/schema';
import { graphCnnFixture } from '@/lib/models/testing/graph-model.test-util';
import { driver, freshDb, tempDir } from './helpers';
import { asCookie, call, formData, makeUser, request, type TestUser } from './http-helpers';

describe(`runs with a method the model refuses, on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let ada: TestUser;
  let datasetId = '';
  let modelId = '';

  const countRuns = async () => (await handle.db.select({ id: runs.id }).from(runs)).length;
  const createRun = (explainer: string) =>
    call(createRunRoute, request('/api/v1/runs', { caller: asCookie(ada), json: { datasetId, modelId, name: `cond × ${explainer}`, explainer, params: {} } }));

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    ada = await makeUser(handle.db);
    const dataset = await createDataset(handle.db, { slug: 'refusals', name: 'Refusals', description: '', visibility: 'private', ownerId: ada.id });
    if (!dataset) throw new Error('fixture dataset');
    datasetId = dataset.id;
    const fixture = graphCnnFixture({ controlFlow: 'cond' });
    const body = formData([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(fixture.modelJson)) }, { name: 'group1-shard1of1.bin', bytes: fixture.weightData }]);
    const staged = await call(stage, request('/api/v1/models/uploads', { body, caller: asCookie(ada) }));
    expect(staged.status).toBe(201);
    const { uploadId } = (await staged.json()) as { uploadId: string };
    const saved = await call(createModelRoute, request('/api/v1/models', { json: { uploadId, slug: 'cond-graph', name: 'Cond graph', labels: ['a', 'b', 'c'] }, caller: asCookie(ada) }));
    expect(saved.status).toBe(201);
    modelId = ((await saved.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('the upload stores which methods the model runs', async () => {
    const [row] = await handle.db.select({ methods: models.methods }).from(models).where(eq(models.id, modelId));
    expect(row?.methods?.filter((m) => m.ok).map((m) => m.method)).toEqual(['rise', 'lime']);
  });

  it('a gradient or CAM method is 422 method_refused, field explainer, with the reason; no run is created', async () => {
    for (const explainer of ['gradcam', 'gradient']) {
      const before = await countRuns();
      const res = await createRun(explainer);
      expect(res.status).toBe(422);
      const body = (await res.json()) as { error: string; field?: string; detail: string };
      expect(body).toMatchObject({ error: 'method_refused', field: 'explainer' });
      expect(body.detail).toMatch(new RegExp(`^${explainer} cannot run on the model 'Cond graph': .*dynamic op Switch .*executeAsync`));
      expect(await countRuns()).toBe(before);
    }
  });

  it('a perturbation method is accepted', async () => {
    const before = await countRuns();
    expect((await createRun('rise')).status).toBe(201);
    expect(await countRuns()).toBe(before + 1);
  });

  it('a row without stored methods (older uploads): the server decides from the stored bundle and records it', async () => {
    await handle.db.update(models).set({ methods: null }).where(eq(models.id, modelId));
    const before = await countRuns();
    const res = await createRun('gradcampp');
    expect(res.status).toBe(422);
    expect((await res.json()) as { field?: string; detail: string }).toMatchObject({ field: 'explainer', detail: expect.stringMatching(/dynamic op Switch/) });
    expect(await countRuns()).toBe(before);
    const [row] = await handle.db.select({ methods: models.methods }).from(models).where(eq(models.id, modelId));
    expect(row?.methods?.filter((m) => m.ok).map((m) => m.method)).toEqual(['rise', 'lime']);
  });
});
