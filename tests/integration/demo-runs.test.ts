/**
 * The committed demo runs (db/seed/demo-runs, written by scripts/make-demo-runs.ts) and their
 * seeding (db/seed/demo-runs.ts) on a real database: the four explainers are there with a valid
 * 224² map for each of the 80 demo images; seeding makes four public demo runs with 80 maps each
 * exactly once; a broken file is refused naming it, and nothing of that run is stored.
 */
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbHandle } from '@/db/client';
import { runs, saliencyMaps } from '@/db/schema';
import { seedDemo } from '@/db/seed/demo';
import { DEMO_EVALUATION_STEP, DemoRunsError, seedDemoRuns } from '@/db/seed/demo-runs';
import { demoDataset, demoImageName, SHAPE_SIZE } from '@/lib/demo/shapes';
import { readNpy, writeNpy } from '@/lib/io/npy';
import { driver, freshDb, tempDir } from './helpers';

const root = path.resolve(__dirname, '../..');
const committed = path.join(root, 'db', 'seed', 'demo-runs');
const EXPLAINERS = ['fem', 'gradcam', 'lime', 'rise'];

describe('committed demo runs (db/seed/demo-runs)', () => {
  const stems = demoDataset().map((img, i) => demoImageName(img, i).replace(/\.png$/, ''));

  it('hold Grad-CAM, FEM, RISE and LIME, each with a manifest naming the demo model', () => {
    const folders = fs.readdirSync(committed, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    expect(folders).toEqual(EXPLAINERS);
    for (const folder of folders) {
      const manifest = JSON.parse(fs.readFileSync(path.join(committed, folder, 'manifest.json'), 'utf8')) as Record<string, unknown>;
      expect(manifest).toMatchObject({ explainer: folder, model: 'demo-shapes-cnn', evaluate: ['insertion', 'deletion'] });
    }
  });

  it('have one float16 224² map per demo image, finite, min-max scaled to [0, 1], not all constant', () => {
    for (const folder of EXPLAINERS) {
      const files = fs.readdirSync(path.join(committed, folder)).filter((f) => f !== 'manifest.json').sort();
      expect(files).toEqual(stems.map((s) => `${s}.npy.gz`).sort());
      let varying = 0;
      for (const file of files) {
        const bytes = gunzipSync(fs.readFileSync(path.join(committed, folder, file)));
        expect(new TextDecoder('latin1').decode(bytes.subarray(10, 30))).toContain("'<f2'");
        const grid = readNpy(bytes);
        expect([grid.width, grid.height]).toEqual([SHAPE_SIZE, SHAPE_SIZE]);
        let min = Infinity;
        let max = -Infinity;
        for (const v of grid.data) {
          if (!Number.isFinite(v)) throw new Error(`${folder}/${file}: non-finite value ${v}`);
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        expect(min).toBeGreaterThanOrEqual(0);
        expect(max).toBeLessThanOrEqual(1);
        if (max > min) varying++;
      }
      // A constant map (a LIME fit without a positive superpixel) is legal but must be rare.
      expect(varying).toBeGreaterThanOrEqual(files.length - 2);
    }
  });
});

describe(`seeding the demo runs on ${driver}`, () => {
  let handle: DbHandle;
  let dataDir: string;

  beforeAll(async () => {
    handle = await freshDb();
    dataDir = tempDir();
    await seedDemo(handle, { dataDir, publicDir: path.join(root, 'public') });
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const mapsOf = async (runId: string) => Number((await handle.db.select({ n: count() }).from(saliencyMaps).where(eq(saliencyMaps.runId, runId)))[0]?.n ?? 0);

  it('creates four public demo runs with 80 maps each, once', async () => {
    const lines: string[] = [];
    expect(await seedDemoRuns(handle, { runsDir: committed, log: (l) => lines.push(l) })).toBe(4);
    const rows = await handle.db.select().from(runs).where(eq(runs.isDemo, true));
    expect(rows.map((r) => r.explainer).sort()).toEqual(EXPLAINERS);
    for (const r of rows) {
      expect(r).toMatchObject({ visibility: 'public', source: 'server', evaluationStep: DEMO_EVALUATION_STEP });
      expect(r.evaluateWithoutGroundTruth).toEqual(['insertion', 'deletion']);
      expect(await mapsOf(r.id)).toBe(80);
    }
    expect(rows.find((r) => r.explainer === 'rise')?.target).toEqual({ output: 'probability', class: 'predicted' });
    expect(rows.find((r) => r.explainer === 'gradcam')?.target).toEqual({ output: 'logit', class: 'predicted' });
    expect(lines).toHaveLength(4);
    // A second start seeds nothing again.
    expect(await seedDemoRuns(handle, { runsDir: committed })).toBe(0);
    expect((await handle.db.select().from(runs).where(eq(runs.isDemo, true))).length).toBe(4);
  });

  it('refuses a map with a NaN (float16 0x7e00) naming the file, and stores nothing of that run', async () => {
    const dir = tempDir('gazebench-demo-runs-');
    try {
      const folder = path.join(dir, 'broken');
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'manifest.json'), JSON.stringify({ explainer: 'broken', name: 'Broken' }));
      const npy = writeNpy({ width: SHAPE_SIZE, height: SHAPE_SIZE, data: new Float32Array(SHAPE_SIZE * SHAPE_SIZE) }, 'float16');
      for (const stem of ['circle-000', 'circle-001']) fs.writeFileSync(path.join(folder, `${stem}.npy`), npy);
      const bad = npy.slice();
      new DataView(bad.buffer).setUint16(bad.length - 2, 0x7e00, true);
      fs.writeFileSync(path.join(folder, 'circle-002.npy.gz'), gzipSync(bad));
      await expect(seedDemoRuns(handle, { runsDir: dir })).rejects.toThrow(DemoRunsError);
      await expect(seedDemoRuns(handle, { runsDir: dir })).rejects.toThrow(/circle-002\.npy\.gz.*non-finite value \(NaN\) at x=223, y=223/);
      expect((await handle.db.select().from(runs).where(and(eq(runs.isDemo, true), eq(runs.explainer, 'broken')))).length).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
