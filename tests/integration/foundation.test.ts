import fs from 'node:fs';
import path from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { appliedMigrationCount, committedMigrations, runMigrations } from '@/db/migrate';
import { listPublicDatasets } from '@/db/queries/datasets';
import { decodeFloat64, latestDensityMap, recomputeDensityMap } from '@/db/queries/ground-truth';
import { densityMaps, fixations, gazeSessions, images, models } from '@/db/schema';
import { DEMO_DATASET_SLUG, seedDemo } from '@/db/seed/demo';
import { blobPath } from '@/lib/storage/blobs';
import { driver, freshDb, tempDir } from './helpers';

const root = path.resolve(__dirname, '../..');
const publicDir = path.join(root, 'public');

describe(`foundation on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('applies every committed migration, and applying again changes nothing', async () => {
    expect(handle.location).toBe('external'); // tests open the test server by its URL
    const n = committedMigrations().length;
    expect(await appliedMigrationCount(handle)).toBe(n);
    await runMigrations(handle);
    expect(await appliedMigrationCount(handle)).toBe(n);
  });

  it('a seed that dies half-way leaves nothing behind, and the next one completes', async () => {
    let calls = 0;
    await expect(
      seedDemo(handle, {
        dataDir,
        publicDir,
        log: (line) => {
          calls++;
          if (line.includes('density maps')) throw new Error('killed mid-seed');
        },
      }),
    ).rejects.toThrow('killed mid-seed');
    expect(calls).toBeGreaterThan(0);
    expect(await listPublicDatasets(handle.db)).toEqual([]);
    const [fx] = await handle.db.select({ n: count() }).from(fixations);
    expect(Number(fx?.n)).toBe(0);

    const result = await seedDemo(handle, { dataDir, publicDir });
    expect(result.seeded).toBe(true);
    expect(result.images).toBe(80);
  });

  it('seeds the demo completely: 80 images in 5 classes, files on disk, simulated observers', async () => {
    const [demo] = await listPublicDatasets(handle.db);
    expect(demo?.slug).toBe(DEMO_DATASET_SLUG);
    expect(demo?.imageCount).toBe(80);
    const rows = await handle.db.select().from(images).where(eq(images.datasetId, demo?.id ?? ''));
    const byClass = new Map<string, number>();
    for (const r of rows) {
      byClass.set(r.classLabel ?? '', (byClass.get(r.classLabel ?? '') ?? 0) + 1);
      expect(r.width).toBe(224);
      expect(fs.statSync(blobPath(dataDir, r.sha256)).size).toBe(r.bytes);
    }
    expect([...byClass.values()]).toEqual([16, 16, 16, 16, 16]);
    const sessions = await handle.db.select().from(gazeSessions);
    expect(sessions).toHaveLength(12);
    expect(new Set(sessions.map((s) => s.modality))).toEqual(new Set(['simulated']));
  });

  it('registers the committed demo model', async () => {
    const [model] = await handle.db.select().from(models);
    expect(model?.isDemo).toBe(true);
    expect(model?.labels).toHaveLength(5);
    expect(fs.existsSync(path.join(publicDir, model?.url ?? ''))).toBe(true);
  });

  it('stores one density map per image, version 1, summing to 1, with σ = 1° (10 px)', async () => {
    const maps = await handle.db.select().from(densityMaps);
    expect(maps).toHaveLength(80);
    for (const m of maps) {
      expect(m.version).toBe(1);
      expect(m.modality).toBe('simulated');
      expect(m.sigmaPx).toBe(10);
      const data = decodeFloat64(m.data);
      expect(data.length).toBe(m.width * m.height);
      let sum = 0;
      for (const v of data) sum += v;
      expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
    }
  });

  it('a second seed neither re-seeds nor duplicates', async () => {
    const before = await handle.db.select({ n: count() }).from(fixations);
    const again = await seedDemo(handle, { dataDir, publicDir });
    expect(again.seeded).toBe(false);
    const after = await handle.db.select({ n: count() }).from(fixations);
    expect(after).toEqual(before);
    expect(await listPublicDatasets(handle.db)).toHaveLength(1);
  });

  it('recomputing ground truth writes the next version and leaves the old one intact', async () => {
    const [img] = await handle.db.select().from(images).limit(1);
    const id = img?.id ?? '';
    const v1 = await latestDensityMap(handle.db, id, 'simulated');
    const [session] = await handle.db.select().from(gazeSessions).limit(1);
    await handle.db.insert(fixations).values({ sessionId: session?.id ?? '', imageId: id, x: 5, y: 5, startMs: 0, durationMs: 200 });
    expect(await recomputeDensityMap(handle.db, id, 'simulated')).toBe(2);
    const v2 = await latestDensityMap(handle.db, id, 'simulated');
    expect(v2?.version).toBe(2);
    expect(v2?.fixationCount).toBe((v1?.fixationCount ?? 0) + 1);
    expect(v2?.grid.data[5 * 224 + 5]).toBeGreaterThan(v1?.grid.data[5 * 224 + 5] ?? 0);
    const versions = await handle.db.select({ v: densityMaps.version }).from(densityMaps).where(eq(densityMaps.imageId, id));
    expect(versions.map((r) => r.v).sort()).toEqual([1, 2]);
    expect(await recomputeDensityMap(handle.db, id, 'webcam')).toBeNull();
  });
});
