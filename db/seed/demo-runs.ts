/**
 * Demo runs from precomputed explanation maps, so that `npm start` shows a filled leaderboard:
 *
 *   db/seed/demo-runs/<explainer>/manifest.json
 *   db/seed/demo-runs/<explainer>/<image name>.npy      (one per demo image; with or without .png)
 *   db/seed/demo-runs/<explainer>/<image name>.npy.gz   (the same, gzip-compressed)
 *
 * manifest.json: { "explainer": "gradcam", "name": "Grad-CAM", "model": "demo-shapes-cnn",
 *   "params": {...}, "target": {"output": "logit"|"probability", "class": "predicted"|"label"|k},
 *   "evaluate": ["insertion", "deletion"], "evaluationStep": 896 }   (evaluate/step optional)
 *
 * Maps are validated like uploads (image or model input size, finite values); float16 NPY ('<f2')
 * and gzip let the committed maps stay small (scripts/make-demo-runs.ts). Each folder becomes
 * one public demo run (owner: the platform) unless a demo run with that explainer and name exists,
 * so folders added later are seeded on the next start and nothing is seeded twice. Scoring and
 * evaluation are left to the job worker, which resumes unfinished runs when it starts. The folder
 * can be moved with GAZEBENCH_DEMO_RUNS_DIR (the e2e suite points it at generated test maps).
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { imageForFile, imageMatcher } from '@/lib/ground-truth/names';
import { readNpy } from '@/lib/io/npy';
import { checkMap, MapUploadError, type ValidMap } from '@/lib/scoring/map-upload';
import { RunTarget } from '@/lib/scoring/create-run';
import { EVALUATION_SCORE_METRICS } from '@/lib/scoring/metrics';
import type { DbHandle } from '../client';
import { insertSaliencyMaps } from '../queries/runs';
import { datasets, images, models, runs } from '../schema';
import { DEMO_DATASET_SLUG, DEMO_MODEL_SLUG } from './demo';

/** Default insertion/deletion step of demo runs: four image rows per step (57 points per curve). */
export const DEMO_EVALUATION_STEP = 224 * 4;

const Manifest = z.object({
  explainer: z.string().min(1).max(100),
  name: z.string().min(1).max(200),
  model: z.string().default(DEMO_MODEL_SLUG),
  params: z.record(z.string(), z.unknown()).default({}),
  target: RunTarget.default({ output: 'probability', class: 'predicted' }),
  evaluate: z.array(z.enum(EVALUATION_SCORE_METRICS)).default(['insertion', 'deletion']),
  evaluationStep: z.number().int().positive().default(DEMO_EVALUATION_STEP),
});

export class DemoRunsError extends Error {}

const GZIP = '.gz';
const isMapFile = (f: string): boolean => /\.npy(\.gz)?$/i.test(f);

export function demoRunsDir(root: string): string {
  return process.env.GAZEBENCH_DEMO_RUNS_DIR || path.join(root, 'db', 'seed', 'demo-runs');
}

export async function seedDemoRuns(handle: DbHandle, options: { runsDir: string; log?: (line: string) => void }): Promise<number> {
  const log = options.log ?? (() => {});
  const folders = await fs.readdir(options.runsDir, { withFileTypes: true }).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
  const [dataset] = await handle.db.select().from(datasets).where(eq(datasets.slug, DEMO_DATASET_SLUG)).limit(1);
  if (!dataset) return 0;
  const imageRows = await handle.db.select().from(images).where(eq(images.datasetId, dataset.id));
  const match = imageMatcher(imageRows);
  let created = 0;
  for (const folder of folders.filter((f) => f.isDirectory()).map((f) => f.name).sort()) {
    const dir = path.join(options.runsDir, folder);
    const manifestFile = path.join(dir, 'manifest.json');
    const text = await fs.readFile(manifestFile, 'utf8').catch(() => null);
    if (text === null) continue;
    const parsed = Manifest.safeParse(JSON.parse(text));
    if (!parsed.success) throw new DemoRunsError(`${manifestFile}: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
    const m = parsed.data;
    const [model] = await handle.db.select().from(models).where(eq(models.slug, m.model)).limit(1);
    if (!model) throw new DemoRunsError(`${manifestFile}: model '${m.model}' is not seeded`);
    const [existing] = await handle.db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.datasetId, dataset.id), eq(runs.isDemo, true), eq(runs.explainer, m.explainer), eq(runs.name, m.name)))
      .limit(1);
    if (existing) continue;
    const context = { images: imageRows, inputSize: { width: model.inputWidth, height: model.inputHeight } };
    const maps: ValidMap[] = [];
    for (const file of (await fs.readdir(dir)).filter(isMapFile).sort()) {
      const gzipped = file.toLowerCase().endsWith(GZIP);
      const image = imageForFile(match, gzipped ? file.slice(0, -GZIP.length) : file);
      if (!image) throw new DemoRunsError(`${path.join(dir, file)}: no demo image is named after it`);
      try {
        const bytes = await fs.readFile(path.join(dir, file));
        maps.push(checkMap(image, readNpy(gzipped ? gunzipSync(bytes) : bytes), context, path.join(folder, file)));
      } catch (error) {
        if (error instanceof MapUploadError) throw new DemoRunsError(error.message);
        throw new DemoRunsError(`${path.join(dir, file)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    await handle.db.transaction(async (tx) => {
      const [run] = await tx
        .insert(runs)
        .values({
          datasetId: dataset.id,
          modelId: model.id,
          explainer: m.explainer,
          name: m.name,
          params: m.params,
          target: m.target,
          source: 'server',
          evaluateWithoutGroundTruth: m.evaluate,
          evaluationStep: m.evaluationStep,
          visibility: 'public',
          isDemo: true,
        })
        .returning({ id: runs.id });
      if (!run) throw new DemoRunsError('demo run insert returned nothing');
      await insertSaliencyMaps(tx, run.id, maps.map((x) => ({ imageId: x.imageId, grid: x.grid })));
    });
    created++;
    log(`demo run seeded: ${m.name} (${maps.length} maps from ${folder}/); scores follow from the job worker`);
  }
  return created;
}
