import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as modelFile } from '@/app/api/v1/models/[id]/files/[name]/route';
import { DELETE as deleteModel, GET as getModel, PATCH as patchModel } from '@/app/api/v1/models/[id]/route';
import { GET as listModels, POST as createModel } from '@/app/api/v1/models/route';
import { POST as predict } from '@/app/api/v1/models/uploads/[id]/predict/route';
import { POST as stage } from '@/app/api/v1/models/uploads/route';
import type { DbHandle } from '@/db/client';
import { models } from '@/db/schema';
import { seedDemo } from '@/db/seed/demo';
import { loadModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { graphCnnFixture } from '@/lib/models/testing/graph-model.test-util';
import { driver, freshDb, tempDir } from './helpers';
import { anonymous, asCookie, call, formData, makeUser, request, type TestUser } from './http-helpers';

const root = path.resolve(__dirname, '../..');
const bundleDir = path.join(root, 'public/models/demo-shapes');
const read = (name: string) => new Uint8Array(fs.readFileSync(path.join(bundleDir, name)));
const LABELS = ['circle', 'square', 'triangle', 'star', 'cross'];

interface Staged {
  uploadId: string;
  sha256: string;
  bytes: number;
  files: { name: string; sha256: string; bytes: number }[];
  detected: { labels: string[]; preprocessing: string; inputSize: number[]; targetLayer: string | null; numClasses: number; head: string };
  card: { name?: string };
  layers: string[];
}
interface Predictions {
  predictions: { imageName: string; classLabel: string; top: { label: string; probability: number }[] }[];
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

describe(`model uploads on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let ada: TestUser;
  let bob: TestUser;
  let admin: TestUser;

  const stageBundle = (names: string[], user: TestUser = ada) =>
    call(stage, request('/api/v1/models/uploads', { body: formData(names.map((n) => ({ name: n, bytes: read(n) }))), caller: asCookie(user) }));
  const predictWith = (uploadId: string, json: Record<string, unknown>, user: TestUser = ada) =>
    call(predict, request(`/api/v1/models/uploads/${uploadId}/predict`, { json, caller: asCookie(user) }), { id: uploadId });

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') });
    [ada, bob, admin] = [await makeUser(handle.db), await makeUser(handle.db), await makeUser(handle.db, 'admin')];
  });
  afterAll(async () => {
    delete process.env.GAZEBENCH_MAX_MODEL_BYTES;
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  let staged: Staged;

  it('stages the demo bundle: checked, sha256 recorded, input size, classes and target layer detected', async () => {
    const res = await stageBundle(['model.json', 'weights.bin', 'gazebench.json']);
    expect(res.status).toBe(201);
    staged = (await res.json()) as Staged;
    expect(staged.detected).toMatchObject({ labels: LABELS, preprocessing: 'unit', inputSize: [224, 224], targetLayer: 'last_conv', numClasses: 5, head: 'softmax' });
    expect(staged.card.name).toBe('Demo shapes CNN');
    expect(staged.layers).toContain('last_conv');
    const sha = (n: string) => createHash('sha256').update(read(n)).digest('hex');
    expect(staged.files).toEqual([
      { name: 'model.json', sha256: sha('model.json'), bytes: read('model.json').length },
      { name: 'weights.bin', sha256: sha('weights.bin'), bytes: read('weights.bin').length },
    ]);
    // `LC_ALL=C sha256sum model.json weights.bin | sha256sum`
    expect(staged.sha256).toBe(createHash('sha256').update(`${sha('model.json')}  model.json\n${sha('weights.bin')}  weights.bin\n`).digest('hex'));
  });

  it('a graph model (tf_saved_model conversion): the answer lists which methods run; with control flow only perturbation methods, and test predictions work', async () => {
    for (const controlFlow of ['none', 'cond'] as const) {
      const fixture = graphCnnFixture({ controlFlow });
      const body = formData([{ name: 'model.json', bytes: new TextEncoder().encode(JSON.stringify(fixture.modelJson)) }, { name: 'group1-shard1of1.bin', bytes: fixture.weightData }]);
      const res = await call(stage, request('/api/v1/models/uploads', { body, caller: asCookie(ada) }));
      expect(res.status).toBe(201);
      const graph = (await res.json()) as Staged & { format: string; methods: { method: string; ok: boolean; reason?: string }[] };
      expect(graph.format).toBe('graph-model');
      expect(graph.detected).toMatchObject({ inputSize: [8, 8], numClasses: 3, head: 'softmax' });
      const refused = graph.methods.filter((m) => !m.ok).map((m) => m.method);
      if (controlFlow === 'none') {
        expect(refused).toEqual([]);
        expect(graph.detected.targetLayer).toBe('StatefulPartitionedCall/sequential/conv2d_1/Relu');
        expect(graph.layers.at(-1)).toBe('StatefulPartitionedCall/sequential/conv2d_1/Relu');
      } else {
        expect(graph.methods.filter((m) => m.ok).map((m) => m.method)).toEqual(['rise', 'lime']);
        expect(graph.detected.targetLayer).toBeNull();
        for (const m of graph.methods.filter((c) => !c.ok)) expect(m.reason).toMatch(/dynamic op Switch .*executeAsync/);
      }
      const predictions = (await (await predictWith(graph.uploadId, { count: 2 })).json()) as Predictions;
      expect(predictions.predictions).toHaveLength(2);
      for (const p of predictions.predictions) expect(p.top.reduce((a, t) => a + t.probability, 0)).toBeCloseTo(1, 5);
      // Not saved: its staging folder goes, so the later "staging area is emptied" checks see only their own.
      fs.rmSync(path.join(dataDir, 'uploads', graph.uploadId), { recursive: true, force: true });
    }
  });

  it('test predictions on demo images: the right classes with the right preprocessing, different with a wrong one', async () => {
    const res = await predictWith(staged.uploadId, { count: 5 });
    expect(res.status).toBe(200);
    const good = (await res.json()) as Predictions;
    expect(good.predictions).toHaveLength(5);
    expect(new Set(good.predictions.map((p) => p.classLabel))).toEqual(new Set(LABELS));
    for (const p of good.predictions) {
      expect(p.top).toHaveLength(3);
      expect(p.top[0]?.probability).toBeGreaterThanOrEqual(p.top[1]?.probability ?? 1);
    }
    const correct = good.predictions.filter((p) => p.top[0]?.label === p.classLabel).length;
    expect(correct).toBeGreaterThanOrEqual(4);
    const wrong = (await (await predictWith(staged.uploadId, { count: 5, preprocessing: 'imagenet-caffe' })).json()) as Predictions;
    expect(wrong.predictions.map((p) => p.top[0]?.probability)).not.toEqual(good.predictions.map((p) => p.top[0]?.probability));
  });

  it('settings that do not fit the model are 422 naming the field', async () => {
    const labels = await predictWith(staged.uploadId, { labels: ['a', 'b'] });
    expect(labels.status).toBe(422);
    expect(await labels.json()).toMatchObject({ field: 'labels' });
    const layer = await predictWith(staged.uploadId, { targetLayer: 'no_such_layer' });
    expect(layer.status).toBe(422);
    expect(await layer.json()).toMatchObject({ field: 'targetLayer' });
    const size = await predictWith(staged.uploadId, { inputSize: [100, 100] });
    expect(await size.json()).toMatchObject({ field: 'inputSize' });
  });

  it('other researchers cannot use someone else’s staged upload (404); admins can', async () => {
    expect((await predictWith(staged.uploadId, { count: 1 }, bob)).status).toBe(404);
    const taken = await call(createModel, request('/api/v1/models', { json: { uploadId: staged.uploadId, slug: 'stolen', name: 'x' }, caller: asCookie(bob) }));
    expect(taken.status).toBe(404);
    expect((await predictWith(staged.uploadId, { count: 1 }, admin)).status).toBe(200);
  });

  let modelId: string;

  it('saves the model: card, settings, files in the blob store; the staging area is emptied', async () => {
    const res = await call(createModel, request('/api/v1/models', {
      json: { uploadId: staged.uploadId, slug: 'shapes-cnn', name: 'Shapes CNN', architecture: 'small CNN', trainingData: 'generated shapes', license: 'GPL-3.0-or-later' },
      caller: asCookie(ada),
    }));
    expect(res.status).toBe(201);
    const model = (await res.json()) as { id: string; url: string; labels: string[]; targetLayer: string; visibility: string; sha256: string; inputSize: number[]; owner: unknown };
    modelId = model.id;
    expect(model.owner).toEqual({ id: ada.id, name: '' });
    expect(model).toMatchObject({ url: `/api/v1/models/${model.id}/files/model.json`, labels: LABELS, targetLayer: 'last_conv', visibility: 'private', sha256: staged.sha256, inputSize: [224, 224] });
    expect(countFiles(path.join(dataDir, 'uploads'))).toBe(0);
    expect((await predictWith(staged.uploadId, {})).status).toBe(404);
    const dup = await call(createModel, request('/api/v1/models', { json: { uploadId: staged.uploadId, slug: 'shapes-cnn', name: 'again' }, caller: asCookie(ada) }));
    expect(dup.status).toBe(404);
  });

  it('serves the files at model.url to the owner — TF.js loads the model from there and predicts as the original', async () => {
    const files = (url: string) => {
      const m = /\/api\/v1\/models\/([^/]+)\/files\/([^/?]+)$/.exec(new URL(url, 'http://gazebench.test').pathname);
      return call(modelFile, request(new URL(url, 'http://gazebench.test').pathname, { caller: asCookie(ada) }), { id: m?.[1] ?? '', name: m?.[2] ?? '' });
    };
    const json = await files(`/api/v1/models/${modelId}/files/model.json`);
    expect(json.status).toBe(200);
    expect(Buffer.from(await json.arrayBuffer()).equals(Buffer.from(read('model.json')))).toBe(true);
    const etag = json.headers.get('etag') ?? '';
    const again = await call(modelFile, request(`/api/v1/models/${modelId}/files/model.json`, { caller: asCookie(ada), headers: { 'if-none-match': etag } }), { id: modelId, name: 'model.json' });
    expect(again.status).toBe(304);
    const config = (await (await files(`/api/v1/models/${modelId}/files/gazebench.json`)).json()) as { labels: string[]; inputSize: number[]; targetLayer: string };
    expect(config).toMatchObject({ labels: LABELS, inputSize: [224, 224], targetLayer: 'last_conv' });
    await initTfNode('wasm');
    const loaded = await tf.loadLayersModel(`http://gazebench.test/api/v1/models/${modelId}/files/model.json`, { fetchFunc: ((url: string | URL | Request) => files(url instanceof Request ? url.url : String(url))) as typeof fetch });
    const original = await loadModelBundle(bundleDir);
    const x = tf.randomUniform([2, 224, 224, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
    const y = loaded.predict(x) as tf.Tensor;
    const z = original.forward(x, 'probability');
    expect(y.shape).toEqual([2, 5]);
    // Same weights, byte for byte: the same outputs.
    expect(Array.from(await y.data())).toEqual(Array.from(await z.data()));
    tf.dispose([x, y, z]);
    loaded.dispose();
    original.dispose();
  });

  it('a private model and its files are 404 to others and anonymous, visible to admins; public after a change', async () => {
    for (const caller of [anonymous, asCookie(bob)]) {
      expect((await call(getModel, request(`/api/v1/models/${modelId}`, { caller }), { id: modelId })).status).toBe(404);
      expect((await call(modelFile, request(`/api/v1/models/${modelId}/files/weights.bin`, { caller }), { id: modelId, name: 'weights.bin' })).status).toBe(404);
    }
    expect((await call(getModel, request(`/api/v1/models/${modelId}`, { caller: asCookie(admin) }), { id: modelId })).status).toBe(200);
    const anonList = (await (await call(listModels, request('/api/v1/models'))).json()) as { models: { slug: string; owner: unknown }[] };
    expect(anonList.models.map((m) => [m.slug, m.owner])).toEqual([['demo-shapes-cnn', null]]);
    const pub = await call(patchModel, request(`/api/v1/models/${modelId}`, { method: 'PATCH', json: { visibility: 'public' }, caller: asCookie(ada) }), { id: modelId });
    expect(pub.status).toBe(200);
    expect((await call(modelFile, request(`/api/v1/models/${modelId}/files/weights.bin`), { id: modelId, name: 'weights.bin' })).status).toBe(200);
    expect((await call(patchModel, request(`/api/v1/models/${modelId}`, { method: 'PATCH', json: { name: 'mine' }, caller: asCookie(bob) }), { id: modelId })).status).toBe(403);
  });

  it('PATCH checks settings against the model: label count, target layer', async () => {
    const labels = await call(patchModel, request(`/api/v1/models/${modelId}`, { method: 'PATCH', json: { labels: ['a'] }, caller: asCookie(ada) }), { id: modelId });
    expect(labels.status).toBe(422);
    const layer = await call(patchModel, request(`/api/v1/models/${modelId}`, { method: 'PATCH', json: { targetLayer: 'nope' }, caller: asCookie(ada) }), { id: modelId });
    expect(layer.status).toBe(400);
    // The detail lists the layers the explainers could use (lib/models/split.ts).
    expect(await layer.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringContaining('last_conv') });
    // A layer without a 4-D output is refused, as the explainers refuse it.
    const dense = await call(patchModel, request(`/api/v1/models/${modelId}`, { method: 'PATCH', json: { targetLayer: 'logits' }, caller: asCookie(ada) }), { id: modelId });
    expect(dense.status).toBe(400);
    expect(await dense.json()).toMatchObject({ field: 'targetLayer', detail: expect.stringContaining('not a 4-D NHWC activation') });
    const ok = await call(patchModel, request(`/api/v1/models/${modelId}`, { method: 'PATCH', json: { targetLayer: 'conv2', license: 'MIT' }, caller: asCookie(ada) }), { id: modelId });
    expect(await ok.json()).toMatchObject({ targetLayer: 'conv2', license: 'MIT' });
  });

  it('a bundle with a missing shard is 400 naming it, a truncated shard 422, and nothing stays staged', async () => {
    const res = await stageBundle(['model.json', 'gazebench.json']);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; detail: string };
    expect(body.error).toBe('missing_shard');
    expect(body.detail).toContain('weights.bin');
    expect(countFiles(path.join(dataDir, 'uploads'))).toBe(0);
    const short = await call(stage, request('/api/v1/models/uploads', {
      body: formData([{ name: 'model.json', bytes: read('model.json') }, { name: 'weights.bin', bytes: read('weights.bin').slice(0, 1000) }]),
      caller: asCookie(ada),
    }));
    expect(short.status).toBe(422);
    expect(await short.json()).toMatchObject({ field: 'files', detail: expect.stringContaining('weights.bin') });
    const noModel = await stageBundle(['weights.bin']);
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toMatchObject({ field: 'files', detail: 'model.json is missing from the upload' });
  });

  it('an oversized bundle is 413 without reading (or keeping) the rest of the body', async () => {
    process.env.GAZEBENCH_MAX_MODEL_BYTES = String(1024 * 1024);
    try {
      const boundary = 'gazebench-big';
      const head = new TextEncoder().encode(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="weights.bin"\r\n\r\n`);
      let pulled = 0;
      const offered = 256 * 1024 * 1024;
      const chunk = new Uint8Array(256 * 1024);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (pulled === 0) controller.enqueue(head);
          if (pulled >= offered) return controller.close();
          pulled += chunk.length;
          controller.enqueue(chunk);
        },
      });
      const heapBefore = process.memoryUsage().heapUsed;
      const res = await call(stage, request('/api/v1/models/uploads', { body, caller: asCookie(ada), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }));
      expect(res.status).toBe(413);
      expect(((await res.json()) as { detail: string }).detail).toContain('1 MiB');
      expect(pulled).toBeLessThan(8 * 1024 * 1024);
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
      expect(countFiles(path.join(dataDir, 'uploads'))).toBe(0);
      // A declared Content-Length over the cap is refused before reading anything.
      const declared = await call(stage, request('/api/v1/models/uploads', { body: formData([{ name: 'model.json', bytes: read('model.json') }]), caller: asCookie(ada), headers: { 'content-length': String(600 * 1024 * 1024) } }));
      expect(declared.status).toBe(413);
    } finally {
      delete process.env.GAZEBENCH_MAX_MODEL_BYTES;
    }
  });

  it('deleting needs the slug typed again', async () => {
    expect((await call(deleteModel, request(`/api/v1/models/${modelId}?confirm=nope`, { method: 'DELETE', caller: asCookie(ada) }), { id: modelId })).status).toBe(422);
    expect((await call(deleteModel, request(`/api/v1/models/${modelId}?confirm=shapes-cnn`, { method: 'DELETE', caller: asCookie(ada) }), { id: modelId })).status).toBe(204);
    expect((await handle.db.select().from(models)).map((m) => m.slug)).toEqual(['demo-shapes-cnn']);
  });
});
