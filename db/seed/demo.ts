/**
 * Seeds the demo content once: the generated shapes dataset (public), the
 * demo CNN (committed under public/models/demo-shapes), simulated observers
 * (modality `simulated`) and their density maps, and an open demo study on the
 * dataset (/s/demo-study). A database seeded before the demo study existed
 * gets it on the next start (insert if its slug is free, same transaction rules).
 *
 * Resumable by construction: image files are content-addressed (rewriting is
 * a no-op) and every row is written in ONE transaction that also sets the
 * `demo_seeded` marker, so a process killed mid-seed leaves nothing behind and
 * the next start seeds again. Several processes starting at once on PostgreSQL
 * take an advisory lock and re-check the marker inside the transaction.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { demoDataset, demoImageName } from '@/lib/demo/shapes';
import { DEMO_OBSERVERS, DEMO_PIXELS_PER_DEGREE, simulateObservers } from '@/lib/demo/observers';
import { encodePng } from '@/lib/io/png';
import { putBlob } from '@/lib/storage/blobs';
import { StudyConfig } from '@/lib/studies/config';
import type { Db, DbHandle } from '../client';
import { getMeta, setMeta } from '../queries/meta';
import { recomputeDensityMap } from '../queries/ground-truth';
import { datasets, fixations, gazeSessions, images, models, studies } from '../schema';

export const DEMO_DATASET_SLUG = 'demo-shapes';
export const DEMO_MODEL_SLUG = 'demo-shapes-cnn';
export const DEMO_STUDY_SLUG = 'demo-study';

const DEMO_CONSENT = [
  'This is the Gazebench demo study. You will look at 10 generated images of simple shapes for 3 seconds each.',
  'Your webcam video is processed only inside your browser and never leaves your computer; only gaze coordinates on the screen (x, y, time) are sent.',
  'No name, e-mail or other personal detail is asked for. You can withdraw at any step, which deletes everything recorded in this session.',
].join('\n\n');

/** The open demo study on the demo dataset (never fills: 1000 observers per image). */
async function ensureDemoStudy(tx: Db, datasetId: string): Promise<void> {
  await tx
    .insert(studies)
    .values({
      slug: DEMO_STUDY_SLUG,
      datasetId,
      ownerId: null,
      name: 'Demo study: where do people look at shapes?',
      status: 'open',
      consentText: DEMO_CONSENT,
      config: StudyConfig.parse({
        imagesPerParticipant: 10,
        observersPerImage: 1000,
        driftEvery: 5,
        attentionChecks: { every: 5 },
        modality: 'both',
        partialCompletion: 'keep',
      }),
      completionCode: 'GAZEBENCH-DEMO',
    })
    .onConflictDoNothing({ target: studies.slug });
}
const SEED_MARKER = 'demo_seeded';
const SEED_LOCK_KEY = 7_270_412_002;
const INSERT_CHUNK = 1000;

interface ModelCard {
  labels: string[];
  preprocessing: string;
  inputSize: [number, number];
  targetLayer?: string;
  name?: string;
  architecture?: string;
  trainingData?: string;
  heldOutAccuracy?: number;
  license?: string;
}

export interface SeedResult {
  seeded: boolean;
  images: number;
  fixations: number;
}

export async function seedDemo(
  handle: DbHandle,
  options: { dataDir: string; publicDir: string; log?: (line: string) => void },
): Promise<SeedResult> {
  const log = options.log ?? (() => {});
  if (await getMeta(handle.db, SEED_MARKER)) {
    await handle.withAdvisoryLock(SEED_LOCK_KEY, () =>
      handle.db.transaction(async (tx) => {
        const [dataset] = await tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.slug, DEMO_DATASET_SLUG));
        if (dataset) await ensureDemoStudy(tx, dataset.id);
      }),
    );
    return { seeded: false, images: 0, fixations: 0 };
  }

  log('seeding demo content: generating images');
  const shapes = demoDataset();
  const stored = await Promise.all(
    shapes.map(async (img, i) => {
      const png = encodePng({ width: img.width, height: img.height, data: img.rgba });
      return { img, name: demoImageName(img, i), sha256: await putBlob(options.dataDir, png), bytes: png.byteLength };
    }),
  );
  const cardPath = path.join(options.publicDir, 'models', 'demo-shapes', 'gazebench.json');
  const card = await fs
    .readFile(cardPath, 'utf8')
    .then((text) => JSON.parse(text) as ModelCard)
    .catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
      log(`demo model not found at ${cardPath} (run npm run demo:train); seeding without it`);
      return undefined;
    });

  return handle.withAdvisoryLock(SEED_LOCK_KEY, () =>
    handle.db.transaction(async (tx) => {
      if (await getMeta(tx, SEED_MARKER)) return { seeded: false, images: 0, fixations: 0 };
      const [dataset] = await tx
        .insert(datasets)
        .values({
          slug: DEMO_DATASET_SLUG,
          name: 'Demo shapes',
          description:
            'Generated demo dataset: one object (circle, square, triangle, star or cross) per image on varied textured backgrounds. Gaze data are SIMULATED observers, not people.',
          visibility: 'public',
          isDemo: true,
        })
        .returning({ id: datasets.id });
      if (!dataset) throw new Error('seed: dataset insert returned nothing');
      const imageRows = await tx
        .insert(images)
        .values(
          stored.map((s, i) => ({
            datasetId: dataset.id,
            name: s.name,
            classLabel: s.img.label,
            width: s.img.width,
            height: s.img.height,
            sha256: s.sha256,
            mimeType: 'image/png',
            bytes: s.bytes,
            position: i,
          })),
        )
        .returning({ id: images.id });

      if (card) await tx.insert(models).values({
        slug: DEMO_MODEL_SLUG,
        name: card.name ?? 'Demo shapes CNN',
        architecture: card.architecture ?? '',
        trainingData: card.trainingData ?? '',
        license: card.license ?? 'GPL-3.0-or-later',
        format: 'layers',
        url: '/models/demo-shapes/model.json',
        labels: card.labels,
        preprocessing: card.preprocessing,
        inputHeight: card.inputSize[0],
        inputWidth: card.inputSize[1],
        targetLayer: card.targetLayer ?? null,
        heldOutAccuracy: card.heldOutAccuracy ?? null,
        visibility: 'public',
        isDemo: true,
      });

      const sessions = await tx
        .insert(gazeSessions)
        .values(
          Array.from({ length: DEMO_OBSERVERS }, (_, k) => ({
            datasetId: dataset.id,
            modality: 'simulated' as const,
            observerLabel: `sim-${String(k + 1).padStart(2, '0')}`,
            pixelsPerDegree: DEMO_PIXELS_PER_DEGREE,
            status: 'accepted',
          })),
        )
        .returning({ id: gazeSessions.id });

      const rows = stored.flatMap((s, i) => {
        const imageId = imageRows[i]?.id as string;
        const observers = simulateObservers(s.img, {
          observers: DEMO_OBSERVERS,
          fixationsPerObserver: [6, 11],
          pixelsPerDegree: DEMO_PIXELS_PER_DEGREE,
          seed: 10_000 + i,
        });
        return observers.flatMap((o) =>
          o.fixations.map((f) => ({
            sessionId: sessions[o.observer]?.id as string,
            imageId,
            x: f.x,
            y: f.y,
            startMs: f.startMs,
            durationMs: f.durationMs,
            sampleCount: 0,
          })),
        );
      });
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await tx.insert(fixations).values(rows.slice(i, i + INSERT_CHUNK));
      }
      await ensureDemoStudy(tx, dataset.id);
      log(`seeding demo content: ${imageRows.length} images, ${rows.length} simulated fixations; density maps`);
      for (const row of imageRows) await recomputeDensityMap(tx as Db, row.id, 'simulated');
      await setMeta(tx, SEED_MARKER, { at: new Date().toISOString(), images: imageRows.length });
      return { seeded: true, images: imageRows.length, fixations: rows.length };
    }),
  );
}
