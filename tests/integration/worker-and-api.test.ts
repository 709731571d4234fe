import fs from 'node:fs';
import path from 'node:path';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as health } from '@/app/api/health/route';
import { GET as listDatasets } from '@/app/api/v1/datasets/route';
import { GET as imageFile } from '@/app/api/v1/images/[id]/file/route';
import type { DbHandle } from '@/db/client';
import { latestDensityMap } from '@/db/queries/ground-truth';
import { fixations, gazeSessions, images } from '@/db/schema';
import { seedDemo } from '@/db/seed/demo';
import { enqueueRecomputeGroundTruth } from '@/lib/jobs/ground-truth';
import { startWorker } from '@/lib/jobs/worker';
import { decodePng } from '@/lib/io/png';
import { driver, freshDb, tempDir, testDatabaseUrl } from './helpers';

const root = path.resolve(__dirname, '../..');

describe(`job worker and public API on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;
  let boss: PgBoss | undefined;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    process.env.DATA_DIR = dataDir;
    await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') });
  });
  afterAll(async () => {
    await boss?.stop({ graceful: true, timeout: 5000 }).catch(() => undefined); // lets an in-flight job settle before the database closes
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('GET /api/health reports the driver and migrations', async () => {
    const res = await health();
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; db: string; migrations: { applied: number; committed: number } };
    expect(body.status).toBe('ok');
    expect(body.db).toBe('external'); // the handle was opened by URL
    expect(body.migrations.applied).toBe(body.migrations.committed);
  });

  it('GET /api/v1/datasets lists public datasets with image counts', async () => {
    const body = (await (await listDatasets(new Request('http://x/api/v1/datasets'))).json()) as { datasets: { slug: string; imageCount: number }[] };
    expect(body.datasets.map((d) => [d.slug, d.imageCount])).toEqual([['demo-shapes', 80]]);
  });

  it('GET /api/v1/images/{id}/file serves the stored PNG; a bad id is a 400 naming the field', async () => {
    const [img] = await handle.db.select().from(images).limit(1);
    const res = await imageFile(new Request('http://x/'), { params: Promise.resolve({ id: img?.id ?? '' }) });
    expect(res.status).toBe(200);
    const png = decodePng(new Uint8Array(await res.arrayBuffer()));
    expect([png.width, png.height]).toEqual([224, 224]);
    const bad = await imageFile(new Request('http://x/'), { params: Promise.resolve({ id: '../../etc/passwd' }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'id' });
  });

  it('the pg-boss worker runs a ground-truth recompute job', async () => {
    boss = await startWorker(handle, { resume: false });
    const [img] = await handle.db.select().from(images).limit(1);
    const id = img?.id ?? '';
    expect((await latestDensityMap(handle.db, id, 'simulated'))?.version).toBe(1);
    // A recompute writes a new version only when the accepted fixations changed: add one.
    const [session] = await handle.db.select().from(gazeSessions).limit(1);
    await handle.db.insert(fixations).values({ sessionId: session?.id ?? '', imageId: id, x: 7, y: 9, startMs: 0, durationMs: 200 });
    await enqueueRecomputeGroundTruth(boss, { imageId: id, modality: 'simulated' });
    const deadline = Date.now() + 30_000;
    let version = 1;
    while (Date.now() < deadline && version === 1) {
      await new Promise((r) => setTimeout(r, 250));
      version = (await latestDensityMap(handle.db, id, 'simulated'))?.version ?? 0;
    }
    expect(version).toBe(2);
    await expect(enqueueRecomputeGroundTruth(boss, { imageId: 'nope', modality: 'simulated' })).rejects.toThrow();
  });
});
