/**
 * Fixations and versioned density maps (GFDMs) per image and modality.
 *
 * σ rule: 1° of visual angle in image pixels. Sessions may differ in pixels
 * per degree (screen size, viewing distance, displayed scale); the map uses the
 * median of the contributing sessions' values, so one outlier session cannot
 * blur or sharpen everyone's map.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { densityMap } from '@/lib/imaging/density-map';
import type { Db } from '../client';
import { densityMaps, fixations, gazeSessions, images, trials, type Modality } from '../schema';

export const ACCEPTED_STATUSES = ['accepted'] as const;

export async function fixationsForImage(db: Db, imageId: string, modality: Modality) {
  return db
    .select({
      x: fixations.x,
      y: fixations.y,
      startMs: fixations.startMs,
      durationMs: fixations.durationMs,
      sessionId: fixations.sessionId,
      observerLabel: gazeSessions.observerLabel,
      /** Image pixels per degree: the trial's (study sessions), else the session's (imported, simulated). */
      pixelsPerDegree: sql<number | null>`coalesce(${trials.pixelsPerDegree}, ${gazeSessions.pixelsPerDegree})`.mapWith(Number),
    })
    .from(fixations)
    .innerJoin(gazeSessions, eq(fixations.sessionId, gazeSessions.id))
    .leftJoin(trials, eq(fixations.trialId, trials.id))
    .where(
      and(
        eq(fixations.imageId, imageId),
        eq(gazeSessions.modality, modality),
        inArray(gazeSessions.status, [...ACCEPTED_STATUSES]),
      ),
    )
    .orderBy(gazeSessions.observerLabel, fixations.startMs);
}

export function encodeFloat64(data: Float64Array): Uint8Array {
  const out = new Uint8Array(data.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i] as number, true);
  return out;
}

export function decodeFloat64(bytes: Uint8Array): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export async function latestDensityMap(db: Db, imageId: string, modality: Modality) {
  const rows = await db
    .select()
    .from(densityMaps)
    .where(and(eq(densityMaps.imageId, imageId), eq(densityMaps.modality, modality)))
    .orderBy(desc(densityMaps.version))
    .limit(1);
  const row = rows[0];
  if (!row) return undefined;
  return { ...row, grid: { width: row.width, height: row.height, data: decodeFloat64(row.data) } };
}

/**
 * Writes the next version of an image's density map from its accepted
 * fixations of one modality. Returns the new version, or null when there are
 * no fixations (nothing to map; earlier versions are then deleted, with the
 * scores that refer to them, since their data are gone).
 */
export async function recomputeDensityMap(db: Db, imageId: string, modality: Modality): Promise<number | null> {
  const [image] = await db.select().from(images).where(eq(images.id, imageId)).limit(1);
  if (!image) throw new Error(`ground truth: image ${imageId} does not exist`);
  // Fixations off the image are kept in the table (flagged by position) but do not enter the map.
  const fx = (await fixationsForImage(db, imageId, modality)).filter(
    (f) => f.x >= 0 && f.y >= 0 && f.x < image.width && f.y < image.height,
  );
  if (fx.length === 0) {
    // Nothing left (the last contributors withdrew or were rejected): no map outlives its data.
    await db.delete(densityMaps).where(and(eq(densityMaps.imageId, imageId), eq(densityMaps.modality, modality)));
    return null;
  }
  const known = fx.filter((f) => f.pixelsPerDegree !== null && Number.isFinite(f.pixelsPerDegree) && f.pixelsPerDegree > 0);
  if (known.length === 0) throw new Error(`ground truth: image ${imageId} has ${modality} fixations but no pixels-per-degree for any of them`);
  const ppd = median([...new Map(known.map((f) => [f.sessionId, f.pixelsPerDegree as number])).values()]);
  const grid = densityMap(fx, image.width, image.height, ppd);
  const latest = await db
    .select({ version: densityMaps.version })
    .from(densityMaps)
    .where(and(eq(densityMaps.imageId, imageId), eq(densityMaps.modality, modality)))
    .orderBy(desc(densityMaps.version))
    .limit(1);
  const version = (latest[0]?.version ?? 0) + 1;
  await db.insert(densityMaps).values({
    imageId,
    modality,
    version,
    sigmaPx: ppd,
    observers: new Set(fx.map((f) => f.sessionId)).size,
    fixationCount: fx.length,
    width: grid.width,
    height: grid.height,
    data: encodeFloat64(grid.data),
  });
  return version;
}
