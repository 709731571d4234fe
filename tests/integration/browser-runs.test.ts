/**
 * What the browser runner (app/workspace/runs/[id]) relies on, through the route handlers on a
 * real database: GET /api/v1/runs/{id}/images lists the dataset's images in order with whether
 * the run has each map, so that after a pause, a reload or on another day the runner continues at
 * the next image without a map; maps uploaded one by one (NPY, as the runner sends them) flip
 * exactly those images; other researchers see nothing of a private run.
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getRunImages } from '@/app/api/v1/runs/[id]/images/route';
import { POST as postMaps } from '@/app/api/v1/runs/[id]/maps/route';
import { POST as createRunRoute } from '@/app/api/v1/runs/route';
import type { DbHandle } from '@/db/client';
import { createDataset, insertImages } from '@/db/queries/datasets';
import { createModel } from '@/db/queries/models';
import { listOwnRuns } from '@/db/queries/runs';
import { stopQueue } from '@/lib/jobs/queue';
import { writeNpy } from '@/lib/io/npy';
import { encodePng } from '@/lib/io/png';
import { putBlob } from '@/lib/storage/blobs';
import { driver, freshDb, tempDir } from './helpers';
import { anonymous, asCookie, asToken, call, makeToken, makeUser, request, type TestUser } from './http-helpers';

const root = path.resolve(__dirname, '../..');
const bundleDir = path.join(root, 'public/models/demo-shapes');
const INPUT = 224;

interface RunImages {
  run: { id: string; explainer: string; status: string; dataset: { slug: string } };
  total: number;
  withMap: number;
  images: { id: string; name: string; classLabel: string | null; width: number; height: number; hasMap: boolean; url: string; mapUrl: string | null }[];
}

describe(`browser runs API on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let owner: TestUser;
  let other: TestUser;
  let datasetId = '';
  let modelId = '';
  let imageNames: string[] = [];

  const list = async (runId: string, caller = asCookie(owner)) => call(getRunImages, request(`/api/v1/runs/${runId}/images`, { caller }), { id: runId });

  async function createRun(body: Record<string, unknown>, user = owner): Promise<Response> {
    return createRunRoute(request('/api/v1/runs', { caller: asCookie(user), json: { datasetId, modelId, name: 'browser run', ...body } }));
  }

  function npyUpload(runId: string, image: string, value: number): Request {
    const data = new Float32Array(INPUT * INPUT).fill(value);
    data[0] = value + 1;
    return request(`/api/v1/runs/${runId}/maps?image=${encodeURIComponent(image)}`, {
      caller: asCookie(owner),
      body: new Uint8Array(writeNpy({ width: INPUT, height: INPUT, data })),
      headers: { 'content-type': 'application/octet-stream' },
    });
  }

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    owner = await makeUser(handle.db);
    other = await makeUser(handle.db);
    const dataset = await createDataset(handle.db, { slug: 'runner-set', name: 'Runner set', description: '', visibility: 'private', ownerId: owner.id });
    if (!dataset) throw new Error('fixture dataset');
    datasetId = dataset.id;
    // Positions deliberately not in name order: the runner follows the dataset's order.
    imageNames = ['c_3.png', 'a_1.png', 'b_2.png', 'd_4.png'];
    const rows = [];
    for (const [i, name] of imageNames.entries()) {
      const bytes = encodePng({ width: 8, height: 6, data: new Uint8Array(8 * 6 * 4).fill(40 * i + 10) });
      rows.push({ name, classLabel: name[0] ?? null, width: 8, height: 6, sha256: await putBlob(dataDir, bytes), mimeType: 'image/png', bytes: bytes.length });
    }
    await insertImages(handle.db, datasetId, rows);
    const files = [];
    for (const name of ['model.json', 'weights.bin']) {
      const bytes = fs.readFileSync(path.join(bundleDir, name));
      files.push({ name, sha256: await putBlob(dataDir, bytes), bytes: bytes.length });
    }
    modelId = randomUUID();
    await createModel(handle.db, {
      id: modelId, slug: 'runner-cnn', name: 'Runner CNN', architecture: '', trainingData: '', license: '', format: 'layers', url: `/api/v1/models/${modelId}/files/model.json`,
      labels: ['circle', 'square', 'triangle', 'star', 'cross'], preprocessing: 'unit', inputWidth: INPUT, inputHeight: INPUT, targetLayer: 'last_conv',
      ownerId: owner.id, visibility: 'private', sha256: 'x'.repeat(64), bytes: 1, files,
    });
  });
  afterAll(async () => {
    await stopQueue();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("POST /runs reads the model's visibility: another's public model 201, their private model and a private platform model 404", async () => {
    const admin = await makeUser(handle.db, 'admin');
    // A researcher of their own (the other tests count `other`'s runs).
    const third = await makeUser(handle.db);
    const theirs = await createDataset(handle.db, { slug: 'other-set', name: 'Other set', description: '', visibility: 'private', ownerId: third.id });
    if (!theirs) throw new Error('fixture dataset');
    const model = async (slug: string, ownerId: string | null, visibility: 'public' | 'private') => {
      const id = randomUUID();
      await createModel(handle.db, {
        id, slug, name: slug, architecture: '', trainingData: '', license: '', format: 'layers', url: `/api/v1/models/${id}/files/model.json`,
        labels: ['a', 'b'], preprocessing: 'unit', inputWidth: INPUT, inputHeight: INPUT, targetLayer: 'last_conv', ownerId, visibility, sha256: 'y'.repeat(64), bytes: 1, files: [],
      });
      return id;
    };
    const publicOfOwner = await model('owner-public', owner.id, 'public');
    const privatePlatform = await model('platform-private', null, 'private');
    const publicPlatform = await model('platform-public', null, 'public');
    const run = (user: TestUser, datasetOf: string, model: string) =>
      createRunRoute(request('/api/v1/runs', { caller: asCookie(user), json: { datasetId: datasetOf, modelId: model, name: 'v', explainer: 'gradcam', params: {} } }));
    expect((await run(third, theirs.id, publicOfOwner)).status).toBe(201);
    const hidden = await run(third, theirs.id, modelId);
    expect(hidden.status).toBe(404);
    expect(await hidden.json()).toMatchObject({ field: 'modelId' });
    expect((await run(third, theirs.id, privatePlatform)).status).toBe(404);
    expect((await run(third, theirs.id, publicPlatform)).status).toBe(201);
    expect((await run(admin, theirs.id, privatePlatform)).status).toBe(201);
  });

  it('lists the images in dataset order, none with a map, for a new run', async () => {
    const created = await createRun({ explainer: 'gradcam', params: { relu: true } });
    expect(created.status).toBe(201);
    const run = (await created.json()) as { id: string };
    const res = await list(run.id);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as RunImages;
    expect(body.run).toMatchObject({ id: run.id, explainer: 'gradcam', status: 'pending', dataset: { slug: 'runner-set' } });
    expect(body.total).toBe(4);
    expect(body.withMap).toBe(0);
    expect(body.images.map((i) => i.name)).toEqual(imageNames);
    expect(body.images.every((i) => !i.hasMap && i.mapUrl === null)).toBe(true);
    expect(body.images[1]).toMatchObject({ classLabel: 'a', width: 8, height: 6, url: `/api/v1/images/${body.images[1]?.id}/file` });
  });

  it('marks exactly the uploaded images, so a resumed runner starts at the next image without a map', async () => {
    const run = (await (await createRun({ explainer: 'rise', params: { N: 16 } })).json()) as { id: string };
    // Upload the first and the third image (a runner that skipped one after an error, say).
    for (const name of [imageNames[0]!, imageNames[2]!]) expect((await postMaps(npyUpload(run.id, name, 0.25), { params: Promise.resolve({ id: run.id }) })).status).toBe(201);
    const body = (await (await list(run.id)).json()) as RunImages;
    expect(body.images.map((i) => i.hasMap)).toEqual([true, false, true, false]);
    expect(body.withMap).toBe(2);
    expect(body.run.status).toBe('running');
    const next = body.images.find((i) => !i.hasMap);
    expect(next?.name).toBe(imageNames[1]);
    expect(body.images[0]?.mapUrl).toBe(`/api/v1/runs/${run.id}/maps/${body.images[0]?.id}.npy`);
    // A second upload for an image with a map is refused: a runner that resumes must skip it.
    expect((await postMaps(npyUpload(run.id, imageNames[0]!, 0.5), { params: Promise.resolve({ id: run.id }) })).status).toBe(409);
    // Other runs of the same dataset are unaffected.
    const first = (await listOwnRuns(handle.db, owner.id)).find((r) => r.explainer === 'gradcam');
    expect(first).toMatchObject({ maps: 0, images: 4, dataset: { slug: 'runner-set' }, model: { slug: 'runner-cnn' } });
    const mine = (await listOwnRuns(handle.db, owner.id)).find((r) => r.id === run.id);
    expect(mine).toMatchObject({ maps: 2, images: 4, status: 'running' });
    expect(await listOwnRuns(handle.db, other.id)).toEqual([]);
  });

  it('a private run is invisible (404) to others and anonymous callers; a bad id is a 400 naming it', async () => {
    const run = (await (await createRun({ explainer: 'gradcam' })).json()) as { id: string };
    expect((await list(run.id, asCookie(other))).status).toBe(404);
    expect((await list(run.id, anonymous)).status).toBe(404);
    expect((await list(randomUUID())).status).toBe(404);
    const token = await makeToken(handle.db, owner.id, ['read']);
    expect((await list(run.id, asToken(token))).status).toBe(200);
    const bad = await call(getRunImages, request('/api/v1/runs/nope/images', { caller: asCookie(owner) }), { id: 'nope' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_request', field: 'id' });
  });
});
