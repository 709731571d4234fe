/**
 * Fixations and versioned density maps (GFDMs) per image and modality.
 *
 * σ rule: 1° of visual angle in image pixels. Each fixation carries its image pixels per degree:
 * the trial's (study sessions: screen pixels per degree divided by the displayed scale of the
 * image, set per trial) or else the session's (imported and simulated observers, images shown at
 * their own size). When sessions differ (screen size, viewing distance, displayed scale) the map
 * uses ONE σ, the median over the contributing sessions of their value (a session's own median
 * when its trials differ), so that one outlier session cannot blur or sharpen everyone's map and
 * every fixation is blurred alike (the map stays a density of pooled fixations).
 *
 * Versions: a recompute writes a new version only when the set of fixations (or σ) changed; the
 * version freezes those fixations (`points`) so that scores never mix versions. A map imported by
 * a lab (source 'imported') is replaced only by another import, never by a recompute.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { encodePoints, type ObserverFixations } from '@/lib/ground-truth/points';
import { densityMap } from '@/lib/imaging/density-map';
import type { Grid } from '@/lib/metrics/types';
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

/** Typed arrays are in the machine's byte order; on little-endian machines (all we run on) a copy is the encoding. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function encodeFloat64(data: Float64Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const out = new Uint8Array(data.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat64(i * 8, data[i] as number, true);
  return out;
}

export function decodeFloat64(bytes: Uint8Array): Float64Array {
  if (LITTLE_ENDIAN) return new Float64Array(bytes.slice().buffer, 0, bytes.byteLength >> 3);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(bytes.byteLength / 8);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat64(i * 8, true);
  return out;
}

export function median(values: number[]): number {
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

export interface DensityMapWrite {
  readonly id: string;
  readonly version: number;
  /** False when the fixations had not changed (or the latest map is imported): no new version. */
  readonly changed: boolean;
}

function bytesEqual(a: Uint8Array | null, b: Uint8Array): boolean {
  if (!a || a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Accepted fixations of one modality on one image, inside it, grouped by session (ordinal = label order). */
export async function observersForImage(db: Db, image: { id: string; width: number; height: number }, modality: Modality) {
  const fx = (await fixationsForImage(db, image.id, modality)).filter((f) => f.x >= 0 && f.y >= 0 && f.x < image.width && f.y < image.height);
  const sessions = new Map<string, { label: string; fixations: { x: number; y: number }[]; ppd: number[] }>();
  for (const f of fx) {
    const s = sessions.get(f.sessionId) ?? { label: f.observerLabel, fixations: [], ppd: [] };
    s.fixations.push({ x: f.x, y: f.y });
    if (f.pixelsPerDegree !== null && Number.isFinite(f.pixelsPerDegree) && f.pixelsPerDegree > 0) s.ppd.push(f.pixelsPerDegree);
    sessions.set(f.sessionId, s);
  }
  const seen = new Map<string, number>();
  const observers: ObserverFixations[] = [];
  const ppd: number[] = [];
  for (const s of sessions.values()) {
    const n = (seen.get(s.label) ?? 0) + 1;
    seen.set(s.label, n);
    observers.push({ label: n === 1 ? s.label : `${s.label}#${n}`, fixations: s.fixations });
    if (s.ppd.length > 0) ppd.push(median(s.ppd));
  }
  return { observers, ppd, fixationCount: fx.length };
}

async function latestRow(db: Db, imageId: string, modality: Modality) {
  const [row] = await db
    .select({ id: densityMaps.id, version: densityMaps.version, source: densityMaps.source, sigmaPx: densityMaps.sigmaPx, points: densityMaps.points })
    .from(densityMaps)
    .where(and(eq(densityMaps.imageId, imageId), eq(densityMaps.modality, modality)))
    .orderBy(desc(densityMaps.version))
    .limit(1);
  return row;
}

/**
 * Writes the next version of an image's density map from its accepted fixations of one modality
 * when they changed. Null when there are no fixations (nothing to map; earlier computed versions are
 * then deleted, with the scores that refer to them, since their data are gone).
 */
export async function rebuildDensityMap(db: Db, imageId: string, modality: Modality): Promise<DensityMapWrite | null> {
  const [image] = await db.select().from(images).where(eq(images.id, imageId)).limit(1);
  if (!image) throw new Error(`ground truth: image ${imageId} does not exist`);
  const latest = await latestRow(db, imageId, modality);
  if (latest?.source === 'imported') return { id: latest.id, version: latest.version, changed: false };
  // Fixations off the image are kept in the table but do not enter the map.
  const { observers, ppd, fixationCount } = await observersForImage(db, image, modality);
  if (fixationCount === 0) {
    // Nothing left (the last contributors withdrew or were rejected): no map outlives its data;
    // the scores that referred to those versions go with them (cascade).
    if (latest) await db.delete(densityMaps).where(and(eq(densityMaps.imageId, imageId), eq(densityMaps.modality, modality)));
    return null;
  }
  if (ppd.length === 0) throw new Error(`ground truth: image ${imageId} has ${modality} fixations but no pixels-per-degree for any of them`);
  const sigmaPx = median(ppd);
  const points = encodePoints(observers);
  if (latest && latest.sigmaPx === sigmaPx && bytesEqual(latest.points, points)) return { id: latest.id, version: latest.version, changed: false };
  const grid = densityMap(observers.flatMap((o) => o.fixations), image.width, image.height, sigmaPx);
  return insertVersion(db, {
    imageId,
    modality,
    source: 'fixations',
    sigmaPx,
    grid,
    observers,
    fixationCount,
    previous: latest?.version ?? 0,
  });
}

/** Compatibility wrapper: the version in force after the recompute, or null without fixations. */
export async function recomputeDensityMap(db: Db, imageId: string, modality: Modality): Promise<number | null> {
  return (await rebuildDensityMap(db, imageId, modality))?.version ?? null;
}

/** A lab's own density map (already validated and normalised to sum 1) as the next version. */
export async function writeImportedDensityMap(db: Db, imageId: string, modality: Modality, grid: Grid<Float64Array>): Promise<DensityMapWrite> {
  const [image] = await db.select().from(images).where(eq(images.id, imageId)).limit(1);
  if (!image) throw new Error(`ground truth: image ${imageId} does not exist`);
  const { observers, fixationCount } = await observersForImage(db, image, modality);
  const latest = await latestRow(db, imageId, modality);
  return insertVersion(db, { imageId, modality, source: 'imported', sigmaPx: null, grid, observers, fixationCount, previous: latest?.version ?? 0 });
}

async function insertVersion(
  db: Db,
  v: {
    imageId: string;
    modality: Modality;
    source: 'fixations' | 'imported';
    sigmaPx: number | null;
    grid: Grid<Float64Array>;
    observers: readonly ObserverFixations[];
    fixationCount: number;
    previous: number;
  },
): Promise<DensityMapWrite> {
  const version = v.previous + 1;
  const [row] = await db
    .insert(densityMaps)
    .values({
      imageId: v.imageId,
      modality: v.modality,
      version,
      source: v.source,
      sigmaPx: v.sigmaPx,
      observers: v.observers.filter((o) => o.fixations.length > 0).length,
      fixationCount: v.fixationCount,
      width: v.grid.width,
      height: v.grid.height,
      data: encodeFloat64(v.grid.data),
      points: v.fixationCount > 0 ? encodePoints(v.observers) : null,
      observerLabels: v.observers.map((o) => o.label),
    })
    .returning({ id: densityMaps.id });
  if (!row) throw new Error('ground truth: density map insert returned nothing');
  return { id: row.id, version, changed: true };
}

/** Metadata of the density map version in force per image (latest, or `version` when given). */
export async function currentDensityMaps(db: Db, datasetId: string, modality: Modality, version?: number) {
  const columns = {
    id: densityMaps.id,
    imageId: densityMaps.imageId,
    version: densityMaps.version,
    source: densityMaps.source,
    sigmaPx: densityMaps.sigmaPx,
    observers: densityMaps.observers,
    fixationCount: densityMaps.fixationCount,
    width: densityMaps.width,
    height: densityMaps.height,
    createdAt: densityMaps.createdAt,
    imageName: images.name,
    classLabel: images.classLabel,
    position: images.position,
  };
  const where = and(eq(images.datasetId, datasetId), eq(densityMaps.modality, modality), version === undefined ? undefined : eq(densityMaps.version, version));
  return db
    .selectDistinctOn([densityMaps.imageId], columns)
    .from(densityMaps)
    .innerJoin(images, eq(densityMaps.imageId, images.id))
    .where(where)
    .orderBy(asc(densityMaps.imageId), desc(densityMaps.version));
}

/** Modalities that have at least one density map on the dataset. */
export async function groundTruthModalities(db: Db, datasetId: string): Promise<Modality[]> {
  const rows = await db
    .selectDistinct({ modality: densityMaps.modality })
    .from(densityMaps)
    .innerJoin(images, eq(densityMaps.imageId, images.id))
    .where(eq(images.datasetId, datasetId));
  return rows.map((r) => r.modality);
}

/** Full versions (grid and frozen fixations) by id. */
export async function densityMapsByIds(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await db.select().from(densityMaps).where(inArray(densityMaps.id, [...ids]));
  return rows.map((row) => ({ ...row, grid: { width: row.width, height: row.height, data: decodeFloat64(row.data) } }));
}

/** The frozen fixations of many versions, without their grids (sAUC negatives, baselines). */
export async function versionPoints(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db
    .select({
      id: densityMaps.id,
      imageId: densityMaps.imageId,
      width: densityMaps.width,
      height: densityMaps.height,
      sigmaPx: densityMaps.sigmaPx,
      points: densityMaps.points,
      observerLabels: densityMaps.observerLabels,
      consistency: densityMaps.consistency,
    })
    .from(densityMaps)
    .where(inArray(densityMaps.id, [...ids]));
}

export async function setConsistency(db: Db, densityMapId: string, consistency: Record<string, unknown>): Promise<void> {
  await db.update(densityMaps).set({ consistency }).where(eq(densityMaps.id, densityMapId));
}

/** Every version of one image and modality (newest first), without grids. */
export async function densityMapHistory(db: Db, imageId: string, modality: Modality) {
  return db
    .select({
      id: densityMaps.id,
      version: densityMaps.version,
      source: densityMaps.source,
      sigmaPx: densityMaps.sigmaPx,
      observers: densityMaps.observers,
      fixationCount: densityMaps.fixationCount,
      createdAt: densityMaps.createdAt,
    })
    .from(densityMaps)
    .where(and(eq(densityMaps.imageId, imageId), eq(densityMaps.modality, modality)))
    .orderBy(desc(densityMaps.version));
}

/** Accepted fixations of a dataset (one modality or all), in the import CSV's order of columns. */
export async function fixationsForDataset(db: Db, datasetId: string, modality?: Modality) {
  return db
    .select({
      image: images.name,
      observer: gazeSessions.observerLabel,
      modality: gazeSessions.modality,
      x: fixations.x,
      y: fixations.y,
      durationMs: fixations.durationMs,
      startMs: fixations.startMs,
    })
    .from(fixations)
    .innerJoin(gazeSessions, eq(fixations.sessionId, gazeSessions.id))
    .innerJoin(images, eq(fixations.imageId, images.id))
    .where(
      and(
        eq(images.datasetId, datasetId),
        inArray(gazeSessions.status, [...ACCEPTED_STATUSES]),
        modality === undefined ? undefined : eq(gazeSessions.modality, modality),
      ),
    )
    .orderBy(asc(images.position), asc(images.name), asc(gazeSessions.observerLabel), asc(fixations.startMs));
}

/** One version of an image's map (the latest when `version` is absent), with its grid. */
export async function densityMapVersion(db: Db, imageId: string, modality: Modality, version?: number) {
  if (version === undefined) return latestDensityMap(db, imageId, modality);
  const [row] = await db
    .select()
    .from(densityMaps)
    .where(and(eq(densityMaps.imageId, imageId), eq(densityMaps.modality, modality), eq(densityMaps.version, version)))
    .limit(1);
  return row ? { ...row, grid: { width: row.width, height: row.height, data: decodeFloat64(row.data) } } : undefined;
}
