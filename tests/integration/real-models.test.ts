/**
 * Real model shapes (issue 16) through the real HTTP routes on a real database: a Teachable
 * Machine export (nested Sequential, MobileNetV2-like base, metadata.json) and a Keras 3
 * conversion are uploaded (stage → create), explained server-side from the stored files by the
 * code of the CLI and the worker (lib/explainers on the bundle lib/storage/model-bundles.ts links
 * from the blob store), their maps posted to runs (POST /runs/{id}/maps, NPY as the browser
 * runner sends them) and scored by the server (scoreRun). Also: the stored default target layer
 * is the explainers' choice, PATCH takes exactly the names the explainers take, and the Keras 3
 * rewrites are stored and returned.
 */
import fs from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getModel, PATCH as patchModel } from '@/app/api/v1/models/[id]/route';
import { POST as createModelRoute } from '@/app/api/v1/models/route';
import { POST as predict } from '@/app/api/v1/models/uploads/[id]/predict/route';
import { POST as stage } from '@/app/api/v1/models/uploads/route';
import { POST as postMaps } from '@/app/api/v1/runs/[id]/maps/route';
import { POST as createRunRoute } from '@/app/api/v1/runs/route';
import type { DbHandle } from '@/db/client';
import { getModelById } from '@/db/queries/models';
import { models, scores } from '@/db/schema';
import { seedDemo } from '@/db/seed/demo';
import { getExplainer } from '@/lib/explainers/index';
import { decodeImage } from '@/lib/io/image-file';
import { writeNpy } from '@/lib/io/npy';
import { stopQueue } from '@/lib/jobs/queue';
import { loadModelBundle } from '@/lib/models/bundle';
import { fileSystemHandler } from '@/lib/models/fs-io';
import { graphCnnFixture } from '@/lib/models/testing/graph-model.test-util';
import { writeKeras3Bundles } from '@/lib/models/testing/keras3.test-util';
import { saveTeachableMachineExport, seedWeights, teachableMachineModel, TM_LABELS, TM_TARGET_PATH } from '@/lib/models/testing/teachable-machine.test-util';
import { initTfNode } from '@/lib/models/tf-node';
import { scoreRun } from '@/lib/scoring/score-run';
import { readBlob } from '@/lib/storage/blobs';
import { modelBundleDir } from '@/lib/storage/model-bundles';
import { driver, freshDb, tempDir } from './helpers';
import { asCookie, call, formData, makeUser, request, type TestUser } from './http-helpers';
import { demoFixtures } from './scoring-helpers';

const root = path.resolve(__dirname, '../..');
/** Ground-truth metrics per map and density version (lib/scoring/metrics.ts), as scoring.test.ts counts them. */
const GT_METRICS = 8;
const IMAGES = 2;
const METHODS: { explainer: string; params: Record<string, unknown>; output: 'logit' | 'probability' }[] = [
  { explainer: 'gradcam', params: {}, output: 'logit' },
  { explainer: 'gradient', params: {}, output: 'logit' },
  { explainer: 'rise', params: { N: 32, s: 4, p1: 0.5 }, output: 'probability' },
];

interface ModelJson {
  id: string;
  targetLayer: string | null;
  preprocessing: string;
  rewrites: string[];
}

/**
 * A functional model holding two nested models that each end in a ReLU named `act`: the bare name
 * `act` is ambiguous. (Weighted layers cannot share a name: TF.js names weights `layer/kernel`
 * without the nested model's name, and refuses duplicate weight names when loading.)
 */
function ambiguousModel(): tf.LayersModel {
  const inner = (name: string, inputShape: number[], filters: number) => {
    const x = tf.input({ shape: inputShape });
    const c = tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', name: `${name}_conv` }).apply(x) as tf.SymbolicTensor;
    const y = tf.layers.reLU({ name: 'act' }).apply(c) as tf.SymbolicTensor;
    return tf.model({ inputs: x, outputs: y, name });
  };
  const input = tf.input({ shape: [16, 16, 3], name: 'image' });
  let x = inner('a', [16, 16, 3], 4).apply(input) as tf.SymbolicTensor;
  x = inner('b', [16, 16, 4], 4).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.dense({ units: 2, activation: 'softmax', name: 'out' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x });
  seedWeights(model, 5);
  return model;
}

const GRAPH_DEFAULT_NODE = 'StatefulPartitionedCall/sequential/conv2d_1/Relu';
const GRAPH_DEPTHWISE_NODE = 'StatefulPartitionedCall/sequential/depthwise_conv2d/Relu6';
const GRAPH_DENSE_NODE = 'StatefulPartitionedCall/sequential/dense/BiasAdd';

describe(`real model shapes uploaded, explained and scored on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let work: string;
  let ada: TestUser;
  let demo: Awaited<ReturnType<typeof demoFixtures>>;
  const ids: Record<'tm' | 'keras3' | 'ambiguous', string> = { tm: '', keras3: '', ambiguous: '' };

  async function upload(dir: string, names: string[], slug: string): Promise<{ staged: Record<string, unknown>; model: ModelJson }> {
    const files = names.map((name) => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(dir, name))) }));
    const staged = await call(stage, request('/api/v1/models/uploads', { body: formData(files), caller: asCookie(ada) }));
    if (staged.status !== 201) throw new Error(`stage ${slug}: ${staged.status} ${await staged.text()}`);
    const body = (await staged.json()) as { uploadId: string };
    const created = await call(createModelRoute, request('/api/v1/models', { json: { uploadId: body.uploadId, slug, name: slug }, caller: asCookie(ada) }));
    expect(created.status).toBe(201);
    return { staged: body, model: (await created.json()) as ModelJson };
  }
  const patch = (id: string, json: Record<string, unknown>) => call(patchModel, request(`/api/v1/models/${id}`, { method: 'PATCH', json, caller: asCookie(ada) }), { id });

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') });
    demo = await demoFixtures(handle.db);
    ada = await makeUser(handle.db);
    await initTfNode('wasm');
    work = await mkdtemp(path.join(tmpdir(), 'gazebench-real-models-'));
  }, 120_000);
  afterAll(async () => {
    await stopQueue();
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('a Teachable Machine export with metadata.json: TM labels and preprocessing, default target layer = the explainers` choice out_relu', async () => {
    const model = teachableMachineModel({ size: 224, seed: 3 });
    const dir = await saveTeachableMachineExport(model);
    model.dispose();
    const { staged, model: row } = await upload(dir, ['model.json', 'weights.bin', 'metadata.json'], 'tm-export');
    // Not the last Conv2D (…/Conv_1, before its BatchNorm and ReLU6): the last 4-D activation.
    expect(staged).toMatchObject({ detected: { labels: TM_LABELS, preprocessing: 'teachable-machine', inputSize: [224, 224], targetLayer: TM_TARGET_PATH, configSource: 'metadata.json' }, rewrites: [] });
    expect(row).toMatchObject({ targetLayer: TM_TARGET_PATH, preprocessing: 'teachable-machine', rewrites: [] });
    ids.tm = row.id;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('PATCH targetLayer takes what the explainers take: a bare name unique in nested models (stored as its path) or a full path', async () => {
    const bare = await patch(ids.tm, { targetLayer: 'Conv_1_bn' });
    expect(bare.status).toBe(200);
    expect(await bare.json()).toMatchObject({ targetLayer: 'sequential_1/model1/Conv_1_bn' });
    const back = await patch(ids.tm, { targetLayer: 'out_relu' });
    expect(await back.json()).toMatchObject({ targetLayer: TM_TARGET_PATH });
    const full = await patch(ids.tm, { targetLayer: 'sequential_1/model1/Conv_1' });
    expect(await full.json()).toMatchObject({ targetLayer: 'sequential_1/model1/Conv_1' });
    // The nested base's own path stands for its output layer, as in split.ts.
    const container = await patch(ids.tm, { targetLayer: 'sequential_1/model1' });
    expect(await container.json()).toMatchObject({ targetLayer: TM_TARGET_PATH });
  });

  it('PATCH targetLayer refuses unknown, 2-D and ambiguous names with 400 listing candidate paths; nothing changes', async () => {
    const unknown = await patch(ids.tm, { targetLayer: 'nope' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringContaining(TM_TARGET_PATH) });
    const dense = await patch(ids.tm, { targetLayer: 'dense_Dense1' });
    expect(dense.status).toBe(400);
    expect(await dense.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringContaining('not a 4-D NHWC activation') });
    const dir = path.join(work, 'ambiguous');
    const model = ambiguousModel();
    await model.save(fileSystemHandler(dir));
    model.dispose();
    const { model: row } = await upload(dir, ['model.json', 'weights.bin'], 'ambiguous');
    ids.ambiguous = row.id;
    expect(row.targetLayer).toBe('b/act');
    const ambiguous = await patch(row.id, { targetLayer: 'act' });
    expect(ambiguous.status).toBe(400);
    const detail = ((await ambiguous.json()) as { detail: string }).detail;
    expect(detail).toContain('ambiguous');
    expect(detail).toContain('a/act');
    expect(detail).toContain('b/act');
    expect((await getModelById(handle.db, row.id))?.targetLayer).toBe('b/act');
    expect((await getModelById(handle.db, ids.tm))?.targetLayer).toBe(TM_TARGET_PATH);
  });

  it('the upload`s predict and save steps take the target layers PATCH takes: a unique bare name is stored as its path; ambiguous and 2-D names are 422 and save nothing', async () => {
    const dir = path.join(work, 'ambiguous');
    const files = ['model.json', 'weights.bin'].map((name) => ({ name, bytes: new Uint8Array(fs.readFileSync(path.join(dir, name))) }));
    const staged = await call(stage, request('/api/v1/models/uploads', { body: formData(files), caller: asCookie(ada) }));
    expect(staged.status).toBe(201);
    const { uploadId } = (await staged.json()) as { uploadId: string };
    const before = (await handle.db.select({ id: models.id }).from(models)).length;
    const save = (slug: string, targetLayer: string) => call(createModelRoute, request('/api/v1/models', { json: { uploadId, slug, name: slug, targetLayer }, caller: asCookie(ada) }));
    // The load-time rule accepted both of these (a layer of that name exists); the explainers refuse them.
    const ambiguous = await save('amb-act', 'act');
    expect(ambiguous.status).toBe(422);
    expect(await ambiguous.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringMatching(/ambiguous.*a\/act|a\/act.*ambiguous/s) });
    const flat = await save('amb-gap', 'gap');
    expect(flat.status).toBe(422);
    expect(await flat.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringContaining('not a 4-D NHWC activation') });
    const tried = await call(predict, request(`/api/v1/models/uploads/${uploadId}/predict`, { json: { targetLayer: 'act' }, caller: asCookie(ada) }), { id: uploadId });
    expect(tried.status).toBe(422);
    expect(await tried.json()).toMatchObject({ field: 'targetLayer' });
    expect((await handle.db.select({ id: models.id }).from(models)).length).toBe(before);
    // A bare name unique among the nested models is stored as the path the explainers resolve.
    const bare = await save('amb-bare', 'a_conv');
    expect(bare.status).toBe(201);
    expect(await bare.json()).toMatchObject({ targetLayer: 'a/a_conv' });
  });

  it('PATCH targetLayer on a graph model takes a node the CAM split takes, and refuses an unknown or 2-D node with 400', async () => {
    const fixture = graphCnnFixture();
    const dir = path.join(work, 'graph');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(fixture.modelJson));
    fs.writeFileSync(path.join(dir, 'group1-shard1of1.bin'), fixture.weightData);
    const { model: row } = await upload(dir, ['model.json', 'group1-shard1of1.bin'], 'graph-cnn');
    expect(row.targetLayer).toBe(GRAPH_DEFAULT_NODE);
    const depthwise = await patch(row.id, { targetLayer: GRAPH_DEPTHWISE_NODE });
    expect(depthwise.status).toBe(200);
    expect(await depthwise.json()).toMatchObject({ targetLayer: GRAPH_DEPTHWISE_NODE });
    const unknown = await patch(row.id, { targetLayer: 'nope' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringContaining("no node named 'nope'") });
    const flat = await patch(row.id, { targetLayer: GRAPH_DENSE_NODE });
    expect(flat.status).toBe(400);
    expect(await flat.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringMatching(/not a 4-D NHWC activation|does not depend/) });
    expect((await getModelById(handle.db, row.id))?.targetLayer).toBe(GRAPH_DEPTHWISE_NODE);
  });

  it('a Keras 3 conversion: what the normaliser rewrote is stored and returned by GET /models/{id}', async () => {
    const { keras3 } = await writeKeras3Bundles(work);
    const { staged, model: row } = await upload(keras3, ['model.json', 'weights.bin'], 'keras3-cnn');
    const rewrites = staged.rewrites as string[];
    expect(rewrites.some((r) => r.startsWith('InputLayer batch_shape → batch_input_shape'))).toBe(true);
    expect(row.rewrites).toEqual(rewrites);
    const got = await call(getModel, request(`/api/v1/models/${row.id}`, { caller: asCookie(ada) }), { id: row.id });
    expect(((await got.json()) as ModelJson).rewrites).toEqual(rewrites);
    expect(row.targetLayer).toBe('add');
    ids.keras3 = row.id;
  });

  for (const kind of ['tm', 'keras3'] as const) {
    it(`${kind}: Grad-CAM, gradient and RISE maps of the stored bundle, posted to runs, are scored by the server (finite, exactly once)`, async () => {
      const row = await getModelById(handle.db, ids[kind]);
      if (!row?.files) throw new Error('fixture model');
      const bundle = await loadModelBundle(await modelBundleDir(dataDir, { ...row, files: row.files }));
      const images = demo.images.slice(0, IMAGES);
      const decoded = await Promise.all(images.map(async (img) => decodeImage(await readBlob(dataDir, img.sha256), img.name)));
      try {
        const valuesBy: Record<string, number[]> = {};
        for (const method of METHODS) {
          const created = await createRunRoute(request('/api/v1/runs', { caller: asCookie(ada), json: { datasetId: demo.dataset.id, modelId: row.id, name: `${kind} ${method.explainer}`, explainer: method.explainer, params: method.params } }));
          expect(created.status).toBe(201);
          const runId = ((await created.json()) as { id: string }).id;
          for (const [i, img] of images.entries()) {
            const result = await getExplainer(method.explainer).explain({ bundle, image: decoded[i]!, params: method.params, target: { classIndex: 'predicted', output: method.output }, seed: 7 });
            expect([result.map.width, result.map.height]).toEqual([row.inputWidth, row.inputHeight]);
            const posted = await postMaps(
              request(`/api/v1/runs/${runId}/maps?image=${encodeURIComponent(img.name)}`, { caller: asCookie(ada), body: new Uint8Array(writeNpy(result.map)), headers: { 'content-type': 'application/octet-stream' } }),
              { params: Promise.resolve({ id: runId }) },
            );
            expect(posted.status).toBe(201);
          }
          await stopQueue();
          expect(await scoreRun(handle.db, runId)).toMatchObject({ stored: IMAGES * GT_METRICS, failed: 0 });
          expect(await scoreRun(handle.db, runId)).toMatchObject({ stored: 0, failed: 0 });
          const rows = await handle.db.select().from(scores).where(eq(scores.runId, runId));
          expect(rows).toHaveLength(IMAGES * GT_METRICS);
          for (const r of rows) expect(Number.isFinite(r.value), `${method.explainer} ${r.metric}`).toBe(true);
          valuesBy[method.explainer] = rows.filter((r) => r.metric === 'nss').map((r) => r.value).sort();
        }
        // The scores come from the maps: three methods, three different NSS sets.
        expect(new Set(Object.values(valuesBy).map((v) => v.join(','))).size).toBe(METHODS.length);
      } finally {
        bundle.dispose();
      }
    }, 240_000);
  }
});
