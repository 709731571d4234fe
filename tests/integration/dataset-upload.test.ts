import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DELETE as deleteDataset, GET as getDataset, PATCH as patchDataset } from '@/app/api/v1/datasets/[id]/route';
import { GET as listImages, POST as upload } from '@/app/api/v1/datasets/[id]/images/route';
import { GET as listDatasets, POST as createDataset } from '@/app/api/v1/datasets/route';
import { GET as imageFile } from '@/app/api/v1/images/[id]/file/route';
import { PATCH as patchImage } from '@/app/api/v1/images/[id]/route';
import type { DbHandle } from '@/db/client';
import { images } from '@/db/schema';
import { encodePng } from '@/lib/io/png';
import { makeZip } from '@/lib/io/zip-writer.test-util';
import { driver, freshDb, tempDir } from './helpers';
import { anonymous, asCookie, call, formData, makeUser, request, type TestUser } from './http-helpers';

function png(width: number, height: number, shade = 128): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set([shade, (i / 4) % 256, 255 - shade, 255], i);
  return encodePng({ width, height, data });
}

async function jpeg(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: 200, g: 30, b: 60 }, noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).jpeg().toBuffer());
}

async function webp(width: number, height: number): Promise<Uint8Array> {
  return new Uint8Array(await sharp({ create: { width, height, channels: 3, background: { r: 20, g: 130, b: 60 } } }).webp().toBuffer());
}

function countFiles(dir: string): number {
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => n + (e.isDirectory() ? countFiles(path.join(dir, e.name)) : 1), 0);
}

describe(`dataset uploads on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let ada: TestUser;
  let bob: TestUser;
  let id: string;

  const snapshot = async () => ({ rows: (await handle.db.select().from(images)).length, blobs: countFiles(path.join(dataDir, 'blobs')) });
  const up = (body: BodyInit, query = '', headers: Record<string, string> = {}) =>
    call(upload, request(`/api/v1/datasets/${id}/images${query}`, { body, caller: asCookie(ada), headers }), { id });

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    ada = await makeUser(handle.db);
    bob = await makeUser(handle.db);
    const res = await call(createDataset, request('/api/v1/datasets', { json: { name: 'Shapes', slug: 'shapes', description: 'test' }, caller: asCookie(ada) }));
    expect(res.status).toBe(201);
    id = ((await res.json()) as { id: string; visibility: string }).id;
  });
  afterEach(() => {
    // Every upload, accepted or refused, leaves no temporary file behind.
    expect(countFiles(path.join(dataDir, 'tmp'))).toBe(0);
  });
  afterAll(async () => {
    delete process.env.GAZEBENCH_MAX_IMAGE_BYTES;
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('new datasets are private by default; a taken slug is 409; bad slugs are 400 naming the field', async () => {
    const got = await call(getDataset, request(`/api/v1/datasets/${id}`, { caller: asCookie(ada) }), { id });
    expect(await got.json()).toMatchObject({ visibility: 'private', mine: true, imageCount: 0 });
    const dup = await call(createDataset, request('/api/v1/datasets', { json: { name: 'x', slug: 'shapes' }, caller: asCookie(bob) }));
    expect(dup.status).toBe(409);
    for (const slug of ['Bad Slug', '-x', 'new', '']) {
      const bad = await call(createDataset, request('/api/v1/datasets', { json: { name: 'x', slug }, caller: asCookie(bob) }));
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ field: 'slug' });
    }
  });

  it('several files in one multipart request: PNG, JPEG and WebP, labels from "<class>_<n>" names', async () => {
    const form = formData([
      { name: 'cat_1.png', bytes: png(32, 24) },
      { name: 'cat_2.jpg', bytes: await jpeg(40, 30) },
      { name: 'red_panda_10.webp', bytes: await webp(16, 16) },
    ]);
    const res = await up(form);
    expect(res.status).toBe(201);
    const { added } = (await res.json()) as { added: { name: string; classLabel: string; width: number; height: number; mimeType: string }[] };
    expect(added.map((a) => [a.name, a.classLabel, a.width, a.height, a.mimeType])).toEqual([
      ['cat_1.png', 'cat', 32, 24, 'image/png'],
      ['cat_2.jpg', 'cat', 40, 30, 'image/jpeg'],
      ['red_panda_10.webp', 'red_panda', 16, 16, 'image/webp'],
    ]);
    // The stored file is the uploaded bytes, served to the owner.
    const first = (await handle.db.select().from(images)).find((i) => i.name === 'cat_1.png');
    const file = await call(imageFile, request(`/api/v1/images/${first?.id}/file`, { caller: asCookie(ada) }), { id: first?.id ?? '' });
    expect(file.status).toBe(200);
    expect(Buffer.from(await file.arrayBuffer()).equals(Buffer.from(png(32, 24)))).toBe(true);
    expect(file.headers.get('cache-control')).toContain('private');
  });

  it('a zip (raw body) with class folders, skipping OS clutter; and a zip inside a multipart form', async () => {
    const zip = makeZip([
      { name: 'dogs/', data: new Uint8Array(0), method: 'store' },
      { name: 'dogs/a.png', data: png(8, 8, 10) },
      { name: 'dogs/b.png', data: png(8, 8, 20), method: 'store' },
      { name: 'birds/a.png', data: png(8, 8, 30) },
      { name: '__MACOSX/dogs/._a.png', data: new Uint8Array(10) },
      { name: 'dogs/.DS_Store', data: new Uint8Array(10) },
    ]);
    const res = await up(new Uint8Array(zip), '?labelMode=folder', { 'content-type': 'application/zip' });
    expect(res.status).toBe(201);
    const { added } = (await res.json()) as { added: { name: string; classLabel: string }[] };
    expect(added.map((a) => [a.name, a.classLabel])).toEqual([['dogs/a.png', 'dogs'], ['dogs/b.png', 'dogs'], ['birds/a.png', 'birds']]);
    const inner = makeZip([{ name: 'fox_1.png', data: png(9, 9) }, { name: 'fox_2.png', data: png(9, 9, 99) }]);
    const res2 = await up(formData([{ name: 'foxes.zip', bytes: new Uint8Array(inner) }, { name: 'owl_7.png', bytes: png(5, 5) }], { labels: JSON.stringify({ 'owl_7.png': 'strix' }) }));
    expect(res2.status).toBe(201);
    const names = ((await res2.json()) as { added: { name: string; classLabel: string }[] }).added.map((a) => [a.name, a.classLabel]);
    expect(names).toEqual([['fox_1.png', 'fox'], ['fox_2.png', 'fox'], ['owl_7.png', 'strix']]);
    const list = (await (await call(listImages, request(`/api/v1/datasets/${id}/images`, { caller: asCookie(ada) }), { id })).json()) as { images: { name: string }[] };
    expect(list.images).toHaveLength(9);
  });

  it.each([
    ['a text file named .png', async () => formData([{ name: 'ok_1.png', bytes: png(4, 4) }, { name: 'fake_1.png', bytes: new TextEncoder().encode('not an image at all') }]), 422, 'fake_1.png'],
    ['a truncated JPEG', async () => {
      const whole = await jpeg(64, 64);
      return formData([{ name: 'cut_1.jpg', bytes: whole.slice(0, Math.floor(whole.length / 2)) }]);
    }, 422, 'cut_1.jpg'],
    ['a name already in the dataset', async () => formData([{ name: 'new_1.png', bytes: png(4, 4) }, { name: 'cat_1.png', bytes: png(4, 4) }]), 409, 'cat_1.png'],
    ['the same name twice', async () => formData([{ name: 'twin_1.png', bytes: png(4, 4) }, { name: 'twin_1.png', bytes: png(5, 5) }]), 409, 'twin_1.png'],
    ['a zip bomb', async () => formData([{ name: 'bomb.zip', bytes: new Uint8Array(makeZip([{ name: 'bomb_1.png', data: new Uint8Array(20 * 1024 * 1024) }])) }]), 413, 'bomb_1.png'],
    ['a zip-slip path', async () => formData([{ name: 'slip.zip', bytes: new Uint8Array(makeZip([{ name: '../../evil_1.png', data: png(4, 4) }])) }]), 422, '../../evil_1.png'],
    ['labels for an image not in the upload', async () => formData([{ name: 'l_1.png', bytes: png(4, 4) }], { labels: '{"ghost.png":"x"}' }), 400, 'ghost.png'],
  ])('refuses %s with nothing stored', async (_what, body, status, named) => {
    const before = await snapshot();
    const res = await up(await body());
    expect(res.status).toBe(status);
    const err = (await res.json()) as { detail: string; field: string };
    expect(err.detail).toContain(named);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses an image over GAZEBENCH_MAX_IMAGE_BYTES with 413, and one over the pixel limit with 422', async () => {
    process.env.GAZEBENCH_MAX_IMAGE_BYTES = '2000';
    try {
      const res = await up(formData([{ name: 'big_1.png', bytes: png(100, 100) }]));
      expect(res.status).toBe(413);
      expect(((await res.json()) as { detail: string }).detail).toContain('big_1.png');
    } finally {
      delete process.env.GAZEBENCH_MAX_IMAGE_BYTES;
    }
    // 8000×6000 = 48 MP > 40 MP: refused from the header, before decoding (a blank JPEG is small).
    const huge = new Uint8Array(await sharp({ create: { width: 8000, height: 6000, channels: 3, background: '#000' } }).jpeg({ quality: 10 }).toBuffer());
    const before = await snapshot();
    const res = await up(formData([{ name: 'huge_1.jpg', bytes: huge }]));
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/48000000 pixels/);
    expect(await snapshot()).toEqual(before);
  });

  it('private datasets and their images are 404 to others and anonymous; public after a visibility change', async () => {
    const img = (await handle.db.select().from(images))[0];
    const imgId = img?.id ?? '';
    expect((await call(getDataset, request(`/api/v1/datasets/${id}`, { caller: asCookie(bob) }), { id })).status).toBe(404);
    expect((await call(imageFile, request(`/api/v1/images/${imgId}/file`), { id: imgId })).status).toBe(404);
    expect((await call(listImages, request(`/api/v1/datasets/${id}/images`, { caller: anonymous }), { id })).status).toBe(404);
    const listed = (await (await call(listDatasets, request('/api/v1/datasets', { caller: asCookie(bob) }))).json()) as { datasets: unknown[] };
    expect(listed.datasets).toHaveLength(0);
    // Bob cannot even learn that it exists by trying to change it.
    expect((await call(patchDataset, request(`/api/v1/datasets/${id}`, { method: 'PATCH', json: { name: 'mine now' }, caller: asCookie(bob) }), { id })).status).toBe(404);
    const pub = await call(patchDataset, request(`/api/v1/datasets/${id}`, { method: 'PATCH', json: { visibility: 'public' }, caller: asCookie(ada) }), { id });
    expect(await pub.json()).toMatchObject({ visibility: 'public' });
    expect((await call(imageFile, request(`/api/v1/images/${imgId}/file`), { id: imgId })).status).toBe(200);
    // Public is read-only to others: 403, not 404.
    expect((await call(patchDataset, request(`/api/v1/datasets/${id}`, { method: 'PATCH', json: { name: 'mine now' }, caller: asCookie(bob) }), { id })).status).toBe(403);
    expect((await call(patchImage, request(`/api/v1/images/${imgId}`, { method: 'PATCH', json: { classLabel: 'x' }, caller: asCookie(bob) }), { id: imgId })).status).toBe(403);
  });

  it('the owner relabels an image', async () => {
    const img = (await handle.db.select().from(images)).find((i) => i.name === 'cat_1.png');
    const res = await call(patchImage, request(`/api/v1/images/${img?.id}`, { method: 'PATCH', json: { classLabel: 'tabby' }, caller: asCookie(ada) }), { id: img?.id ?? '' });
    expect(await res.json()).toMatchObject({ name: 'cat_1.png', classLabel: 'tabby' });
    const detail = (await (await call(getDataset, request(`/api/v1/datasets/${id}`), { id })).json()) as { classes: { label: string | null; count: number }[] };
    expect(detail.classes).toContainEqual({ label: 'tabby', count: 1 });
  });

  it('deleting needs the slug typed again; then the dataset and its images are gone', async () => {
    const wrong = await call(deleteDataset, request(`/api/v1/datasets/${id}?confirm=shape`, { method: 'DELETE', caller: asCookie(ada) }), { id });
    expect(wrong.status).toBe(422);
    expect(await wrong.json()).toMatchObject({ field: 'confirm' });
    const missing = await call(deleteDataset, request(`/api/v1/datasets/${id}`, { method: 'DELETE', caller: asCookie(ada) }), { id });
    expect(missing.status).toBe(400);
    expect((await handle.db.select().from(images)).length).toBeGreaterThan(0);
    const ok = await call(deleteDataset, request(`/api/v1/datasets/${id}?confirm=shapes`, { method: 'DELETE', caller: asCookie(ada) }), { id });
    expect(ok.status).toBe(204);
    expect(await handle.db.select().from(images)).toHaveLength(0);
    expect((await call(getDataset, request(`/api/v1/datasets/${id}`, { caller: asCookie(ada) }), { id })).status).toBe(404);
  });
});
