/**
 * Runs, their saliency maps, scores and scoring failures. Scores and failures share the key
 * (run, image, metric, density map) with NULLS NOT DISTINCT and are written with ON CONFLICT DO
 * NOTHING, so a job that runs twice (retry, lease expiry, two workers) stores each one once.
 */
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Grid } from '@/lib/metrics/types';
import type { ClientCurves } from '@/lib/scoring/client-curves';
import type { CurveSource } from '@/lib/scoring/curve-source';
import type { Db } from '../client';
import { LITTLE_ENDIAN } from './ground-truth';
import { datasets, densityMaps, images, models, runs, saliencyMaps, scoreFailures, scores } from '../schema';

export type RunRow = typeof runs.$inferSelect;
export type NewRun = typeof runs.$inferInsert;

export async function createRun(db: Db, values: NewRun): Promise<RunRow> {
  const [row] = await db.insert(runs).values(values).returning();
  if (!row) throw new Error('runs: insert returned nothing');
  return row;
}

/** A run with its dataset and model (for access checks and display). */
export async function getRunContext(db: Db, runId: string) {
  const [row] = await db
    .select({ run: runs, dataset: datasets, model: models })
    .from(runs)
    .innerJoin(datasets, eq(runs.datasetId, datasets.id))
    .innerJoin(models, eq(runs.modelId, models.id))
    .where(eq(runs.id, runId))
    .limit(1);
  return row;
}

export async function listDatasetRuns(db: Db, datasetId: string) {
  return db
    .select({ run: runs, model: models })
    .from(runs)
    .innerJoin(models, eq(runs.modelId, models.id))
    .where(eq(runs.datasetId, datasetId))
    .orderBy(asc(runs.createdAt), asc(runs.id));
}

export async function setRunStatus(db: Db, runId: string, status: RunRow['status']): Promise<void> {
  await db.update(runs).set({ status, updatedAt: new Date() }).where(eq(runs.id, runId));
}

export function encodeFloat32(data: ArrayLike<number>): Uint8Array {
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  if (LITTLE_ENDIAN) return new Uint8Array(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i] as number, true);
  return out;
}

export function decodeFloat32(bytes: Uint8Array): Float32Array {
  if (LITTLE_ENDIAN) return new Float32Array(bytes.slice().buffer, 0, bytes.byteLength >> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(bytes.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

export interface MapWrite {
  readonly imageId: string;
  readonly grid: Grid;
  readonly classIndex?: number | null;
  /** The browser's insertion/deletion curves (checked by the evaluation job before any use). */
  readonly clientCurves?: ClientCurves | null;
}

/** Image ids among `imageIds` that already have a map in the run. */
export async function existingMapImages(db: Db, runId: string, imageIds: readonly string[]): Promise<Set<string>> {
  if (imageIds.length === 0) return new Set();
  const rows = await db
    .select({ imageId: saliencyMaps.imageId })
    .from(saliencyMaps)
    .where(and(eq(saliencyMaps.runId, runId), inArray(saliencyMaps.imageId, [...imageIds])));
  return new Set(rows.map((r) => r.imageId));
}

/** Stores maps (float32); call inside a transaction so a batch is all-or-nothing. */
export async function insertSaliencyMaps(db: Db, runId: string, maps: readonly MapWrite[]): Promise<void> {
  if (maps.length === 0) return;
  await db.insert(saliencyMaps).values(
    maps.map((m) => ({
      runId,
      imageId: m.imageId,
      width: m.grid.width,
      height: m.grid.height,
      data: encodeFloat32(m.grid.data),
      classIndex: m.classIndex ?? null,
      clientCurves: m.clientCurves ?? null,
    })),
  );
  await db.update(runs).set({ status: 'running', updatedAt: new Date() }).where(eq(runs.id, runId));
}

export async function runMapIndex(db: Db, runId: string) {
  return db
    .select({ id: saliencyMaps.id, imageId: saliencyMaps.imageId, width: saliencyMaps.width, height: saliencyMaps.height, classIndex: saliencyMaps.classIndex })
    .from(saliencyMaps)
    .where(eq(saliencyMaps.runId, runId));
}

export async function saliencyMapFor(db: Db, runId: string, imageId: string) {
  const [row] = await db
    .select()
    .from(saliencyMaps)
    .where(and(eq(saliencyMaps.runId, runId), eq(saliencyMaps.imageId, imageId)))
    .limit(1);
  if (!row) return undefined;
  return { ...row, grid: { width: row.width, height: row.height, data: decodeFloat32(row.data) } as Grid<Float32Array> };
}

export interface ScoreWrite {
  readonly imageId: string;
  readonly metric: string;
  readonly densityMapId: string | null;
  readonly value: number;
  readonly detail?: Record<string, unknown> | null;
  /** Insertion/deletion only: how the curve was obtained. */
  readonly curveSource?: CurveSource | null;
}

export interface FailureWrite {
  readonly imageId: string;
  readonly metric: string;
  readonly densityMapId: string | null;
  readonly message: string;
}

/** Inserts scores once (ON CONFLICT DO NOTHING). Refuses non-finite values: they are failures. */
export async function insertScores(db: Db, runId: string, values: readonly ScoreWrite[]): Promise<void> {
  if (values.length === 0) return;
  for (const v of values) if (!Number.isFinite(v.value)) throw new Error(`scores: refusing non-finite ${v.metric} = ${v.value}`);
  await db
    .insert(scores)
    .values(values.map((v) => ({ runId, imageId: v.imageId, metric: v.metric, densityMapId: v.densityMapId, value: v.value, detail: v.detail ?? null, curveSource: v.curveSource ?? null })))
    .onConflictDoNothing();
}

export async function insertFailures(db: Db, runId: string, values: readonly FailureWrite[]): Promise<void> {
  if (values.length === 0) return;
  await db
    .insert(scoreFailures)
    .values(values.map((v) => ({ runId, imageId: v.imageId, metric: v.metric, densityMapId: v.densityMapId, message: v.message.slice(0, 2000) })))
    .onConflictDoNothing();
}

/** Removes a recorded failure (a metric that could not be computed then and is retried now). */
export async function deleteFailure(db: Db, runId: string, k: { imageId: string; metric: string; densityMapId: string }): Promise<void> {
  await db
    .delete(scoreFailures)
    .where(and(eq(scoreFailures.runId, runId), eq(scoreFailures.imageId, k.imageId), eq(scoreFailures.metric, k.metric), eq(scoreFailures.densityMapId, k.densityMapId)));
}

export const scoreKey = (imageId: string, metric: string, densityMapId: string | null): string => `${imageId}|${metric}|${densityMapId ?? ''}`;

/** Keys of a run's scores and of its recorded failures. */
export async function scoreKeySets(db: Db, runId: string): Promise<{ scored: Set<string>; failed: Set<string> }> {
  const done = await db.select({ imageId: scores.imageId, metric: scores.metric, densityMapId: scores.densityMapId }).from(scores).where(eq(scores.runId, runId));
  const failed = await db
    .select({ imageId: scoreFailures.imageId, metric: scoreFailures.metric, densityMapId: scoreFailures.densityMapId })
    .from(scoreFailures)
    .where(eq(scoreFailures.runId, runId));
  const key = (r: { imageId: string; metric: string; densityMapId: string | null }) => scoreKey(r.imageId, r.metric, r.densityMapId);
  return { scored: new Set(done.map(key)), failed: new Set(failed.map(key)) };
}

/** Keys of everything already settled for a run (scored or failed). */
export async function settledKeys(db: Db, runId: string): Promise<Set<string>> {
  const { scored, failed } = await scoreKeySets(db, runId);
  return new Set([...scored, ...failed]);
}

/** Every score of a run with its image and ground-truth version (null for model-based metrics). */
export async function runScores(db: Db, runId: string) {
  return db
    .select({
      id: scores.id,
      imageId: scores.imageId,
      imageName: images.name,
      classLabel: images.classLabel,
      metric: scores.metric,
      value: scores.value,
      detail: scores.detail,
      curveSource: scores.curveSource,
      densityMapId: scores.densityMapId,
      modality: densityMaps.modality,
      version: densityMaps.version,
      createdAt: scores.createdAt,
    })
    .from(scores)
    .innerJoin(images, eq(scores.imageId, images.id))
    .leftJoin(densityMaps, eq(scores.densityMapId, densityMaps.id))
    .where(eq(scores.runId, runId))
    .orderBy(asc(images.position), asc(images.name), asc(scores.metric), asc(densityMaps.version));
}

export async function runFailures(db: Db, runId: string) {
  return db
    .select({ imageId: scoreFailures.imageId, imageName: images.name, metric: scoreFailures.metric, densityMapId: scoreFailures.densityMapId, message: scoreFailures.message })
    .from(scoreFailures)
    .innerJoin(images, eq(scoreFailures.imageId, images.id))
    .where(eq(scoreFailures.runId, runId))
    .orderBy(asc(images.position), asc(scoreFailures.metric));
}

/** Scores of many runs for a set of ground-truth versions plus their model-based scores. */
export async function scoresForRuns(db: Db, runIds: readonly string[], densityMapIds: readonly string[]) {
  if (runIds.length === 0) return [];
  const gt = densityMapIds.length === 0 ? sql`false` : inArray(scores.densityMapId, [...densityMapIds]);
  return db
    .select({
      id: scores.id,
      runId: scores.runId,
      imageId: scores.imageId,
      metric: scores.metric,
      value: scores.value,
      densityMapId: scores.densityMapId,
      curveSource: scores.curveSource,
      // The spot check's k and τ of a verified curve (detail.check), without reading the curve.
      checkK: sql<number | null>`(${scores.detail}->'check'->>'k')::int`,
      checkTolerance: sql<number | null>`(${scores.detail}->'check'->>'tolerance')::float8`,
    })
    .from(scores)
    .where(and(inArray(scores.runId, [...runIds]), sql`(${gt} or ${isNull(scores.densityMapId)})`));
}

/** Runs that may still have work: not complete, or on a dataset whose ground truth moved on. */
export async function unfinishedRuns(db: Db) {
  return db.select({ id: runs.id, datasetId: runs.datasetId, evaluate: runs.evaluateWithoutGroundTruth }).from(runs).where(inArray(runs.status, ['pending', 'running']));
}

export async function runsOfDataset(db: Db, datasetId: string) {
  return db.select({ id: runs.id, evaluate: runs.evaluateWithoutGroundTruth }).from(runs).where(eq(runs.datasetId, datasetId));
}


/** Runs that have a map for an image, with their model (image page). */
export async function runsWithMapFor(db: Db, imageId: string) {
  return db
    .select({ run: runs, model: models })
    .from(saliencyMaps)
    .innerJoin(runs, eq(saliencyMaps.runId, runs.id))
    .innerJoin(models, eq(runs.modelId, models.id))
    .where(eq(saliencyMaps.imageId, imageId))
    .orderBy(asc(runs.createdAt), asc(runs.id));
}

/** Scores of some runs on one image (every version and model-based metric). */
export async function imageScores(db: Db, imageId: string, runIds: readonly string[]) {
  if (runIds.length === 0) return [];
  return db
    .select({ runId: scores.runId, metric: scores.metric, value: scores.value, detail: scores.detail, densityMapId: scores.densityMapId })
    .from(scores)
    .where(and(eq(scores.imageId, imageId), inArray(scores.runId, [...runIds])));
}

/**
 * The run's dataset images in dataset order, each with whether the run has its map yet: what a
 * browser runner needs to continue at the next image without a map (after a pause, a reload or on
 * another day).
 */
export async function runImageStatus(db: Db, runId: string, datasetId: string) {
  return db
    .select({
      id: images.id,
      name: images.name,
      classLabel: images.classLabel,
      width: images.width,
      height: images.height,
      mapId: saliencyMaps.id,
    })
    .from(images)
    .leftJoin(saliencyMaps, and(eq(saliencyMaps.imageId, images.id), eq(saliencyMaps.runId, runId)))
    .where(eq(images.datasetId, datasetId))
    .orderBy(asc(images.position), asc(images.name), asc(images.id));
}

/** A researcher's own runs, newest first, with dataset, model and how many maps each has. */
export async function listOwnRuns(db: Db, ownerId: string) {
  const mapCount = db
    .select({ runId: saliencyMaps.runId, maps: sql<number>`count(*)::int`.as('maps') })
    .from(saliencyMaps)
    .groupBy(saliencyMaps.runId)
    .as('map_counts');
  const imageCount = db
    .select({ datasetId: images.datasetId, images: sql<number>`count(*)::int`.as('images') })
    .from(images)
    .groupBy(images.datasetId)
    .as('image_counts');
  return db
    .select({
      id: runs.id,
      name: runs.name,
      explainer: runs.explainer,
      status: runs.status,
      createdAt: runs.createdAt,
      dataset: { id: datasets.id, slug: datasets.slug, name: datasets.name },
      model: { id: models.id, slug: models.slug, name: models.name },
      maps: sql<number>`coalesce(${mapCount.maps}, 0)`.mapWith(Number),
      images: sql<number>`coalesce(${imageCount.images}, 0)`.mapWith(Number),
    })
    .from(runs)
    .innerJoin(datasets, eq(runs.datasetId, datasets.id))
    .innerJoin(models, eq(runs.modelId, models.id))
    .leftJoin(mapCount, eq(mapCount.runId, runs.id))
    .leftJoin(imageCount, eq(imageCount.datasetId, runs.datasetId))
    .where(eq(runs.ownerId, ownerId))
    .orderBy(desc(runs.createdAt), asc(runs.id));
}
