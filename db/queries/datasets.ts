/**
 * Datasets and images. Public reads (`listPublicDatasets`, `getPublicDatasetBySlug`, `getPublicImage`)
 * only see `visibility = 'public'`; workspace reads return rows of any visibility and the caller
 * decides with canRead/canWrite (lib/auth/access.ts); `listDatasetsVisibleTo` scopes the list to
 * public + own.
 */
import { and, asc, count, eq, inArray, max, or, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { datasets, images, studies } from '../schema';

export interface DatasetSummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  isDemo: boolean;
  imageCount: number;
  createdAt: Date;
}

export type DatasetRow = typeof datasets.$inferSelect;
export type ImageRow = typeof images.$inferSelect;

export async function listPublicDatasets(db: Db): Promise<DatasetSummary[]> {
  const rows = await db
    .select({
      id: datasets.id,
      slug: datasets.slug,
      name: datasets.name,
      description: datasets.description,
      isDemo: datasets.isDemo,
      createdAt: datasets.createdAt,
      imageCount: count(images.id),
    })
    .from(datasets)
    .leftJoin(images, eq(images.datasetId, datasets.id))
    .where(eq(datasets.visibility, 'public'))
    .groupBy(datasets.id)
    .orderBy(asc(datasets.createdAt), asc(datasets.slug));
  return rows.map((r) => ({ ...r, imageCount: Number(r.imageCount) }));
}

export async function getPublicDatasetBySlug(db: Db, slug: string) {
  const rows = await db
    .select()
    .from(datasets)
    .where(and(eq(datasets.slug, slug), eq(datasets.visibility, 'public')))
    .limit(1);
  return rows[0];
}

export async function listDatasetImages(db: Db, datasetId: string) {
  return db
    .select({
      id: images.id,
      name: images.name,
      classLabel: images.classLabel,
      width: images.width,
      height: images.height,
    })
    .from(images)
    .where(eq(images.datasetId, datasetId))
    .orderBy(asc(images.position), asc(images.name));
}

/** An image together with its dataset, only when the dataset is public. */
export async function getPublicImage(db: Db, imageId: string) {
  const rows = await db
    .select({ image: images, dataset: datasets })
    .from(images)
    .innerJoin(datasets, eq(images.datasetId, datasets.id))
    .where(and(eq(images.id, imageId), eq(datasets.visibility, 'public')))
    .limit(1);
  return rows[0];
}

// ── workspace (any visibility; callers check access) ───────────────────────────────────────────

export interface DatasetListItem extends DatasetSummary {
  visibility: 'public' | 'private';
  ownerId: string | null;
}

/** Public datasets and, for a signed-in user, their own (any visibility). */
export async function listDatasetsVisibleTo(db: Db, userId: string | null, options: { ownOnly?: boolean } = {}): Promise<DatasetListItem[]> {
  const own = userId === null ? undefined : eq(datasets.ownerId, userId);
  const where = options.ownOnly ? (own ?? sql`false`) : own ? or(eq(datasets.visibility, 'public'), own) : eq(datasets.visibility, 'public');
  const rows = await db
    .select({
      id: datasets.id,
      slug: datasets.slug,
      name: datasets.name,
      description: datasets.description,
      visibility: datasets.visibility,
      ownerId: datasets.ownerId,
      isDemo: datasets.isDemo,
      createdAt: datasets.createdAt,
      imageCount: count(images.id),
    })
    .from(datasets)
    .leftJoin(images, eq(images.datasetId, datasets.id))
    .where(where)
    .groupBy(datasets.id)
    .orderBy(asc(datasets.createdAt), asc(datasets.slug));
  return rows.map((r) => ({ ...r, imageCount: Number(r.imageCount) }));
}

export async function getDatasetById(db: Db, id: string): Promise<DatasetRow | undefined> {
  const rows = await db.select().from(datasets).where(eq(datasets.id, id)).limit(1);
  return rows[0];
}

export async function getDatasetBySlug(db: Db, slug: string): Promise<DatasetRow | undefined> {
  const rows = await db.select().from(datasets).where(eq(datasets.slug, slug)).limit(1);
  return rows[0];
}

export async function countDatasetImages(db: Db, datasetId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(images).where(eq(images.datasetId, datasetId));
  return Number(row?.n ?? 0);
}

export async function countDatasetStudies(db: Db, datasetId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(studies).where(eq(studies.datasetId, datasetId));
  return Number(row?.n ?? 0);
}

/** Inserts a dataset; undefined when the slug is taken. */
export async function createDataset(
  db: Db,
  params: { slug: string; name: string; description: string; visibility: 'public' | 'private'; ownerId: string },
): Promise<DatasetRow | undefined> {
  const rows = await db.insert(datasets).values(params).onConflictDoNothing({ target: datasets.slug }).returning();
  return rows[0];
}

export async function updateDataset(
  db: Db,
  id: string,
  patch: Partial<{ name: string; description: string; visibility: 'public' | 'private' }>,
): Promise<DatasetRow | undefined> {
  const rows = await db.update(datasets).set(patch).where(eq(datasets.id, id)).returning();
  return rows[0];
}

/** Deletes a dataset; its images, studies, gaze sessions, density maps, runs and scores cascade. */
export async function deleteDataset(db: Db, id: string): Promise<void> {
  await db.delete(datasets).where(eq(datasets.id, id));
}

/** An image and its dataset, whatever the visibility (callers check canRead). */
export async function getImageWithDataset(db: Db, imageId: string) {
  const rows = await db
    .select({ image: images, dataset: datasets })
    .from(images)
    .innerJoin(datasets, eq(images.datasetId, datasets.id))
    .where(eq(images.id, imageId))
    .limit(1);
  return rows[0];
}

export async function setImageLabel(db: Db, imageId: string, classLabel: string | null): Promise<ImageRow | undefined> {
  const rows = await db.update(images).set({ classLabel }).where(eq(images.id, imageId)).returning();
  return rows[0];
}

/** Names among `names` already used in the dataset. */
export async function existingImageNames(db: Db, datasetId: string, names: string[]): Promise<string[]> {
  if (names.length === 0) return [];
  const found: string[] = [];
  // Chunks keep the parameter count far below PostgreSQL's 65535 limit.
  for (let i = 0; i < names.length; i += 1000) {
    const rows = await db
      .select({ name: images.name })
      .from(images)
      .where(and(eq(images.datasetId, datasetId), inArray(images.name, names.slice(i, i + 1000))));
    found.push(...rows.map((r) => r.name));
  }
  return found;
}

export interface NewImage {
  name: string;
  classLabel: string | null;
  width: number;
  height: number;
  sha256: string;
  mimeType: string;
  bytes: number;
}

/**
 * Appends images to a dataset in ONE transaction (positions continue after the last image). A
 * name already in the dataset aborts everything: nothing is inserted.
 */
export async function insertImages(db: Db, datasetId: string, rows: NewImage[]): Promise<ImageRow[]> {
  return db.transaction(async (tx) => {
    // Serialises concurrent uploads to the same dataset so positions do not collide.
    await tx.select({ id: datasets.id }).from(datasets).where(eq(datasets.id, datasetId)).for('update');
    const [last] = await tx.select({ p: max(images.position) }).from(images).where(eq(images.datasetId, datasetId));
    const start = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
    const out: ImageRow[] = [];
    for (let i = 0; i < rows.length; i += 500) {
      const chunk = rows.slice(i, i + 500).map((r, j) => ({ ...r, datasetId, position: start + i + j }));
      out.push(...(await tx.insert(images).values(chunk).returning()));
    }
    return out;
  });
}

/** Up to `limit` images of a dataset, one per class first, for test predictions. */
export async function sampleImagesPerClass(db: Db, datasetId: string, limit: number): Promise<ImageRow[]> {
  const all = await db.select().from(images).where(eq(images.datasetId, datasetId)).orderBy(asc(images.position), asc(images.name)).limit(5000);
  const picked: ImageRow[] = [];
  const seen = new Set<string | null>();
  for (const img of all) {
    if (picked.length >= limit) break;
    if (!seen.has(img.classLabel)) {
      seen.add(img.classLabel);
      picked.push(img);
    }
  }
  for (const img of all) {
    if (picked.length >= limit) break;
    if (!picked.includes(img)) picked.push(img);
  }
  return picked;
}

/** Images per class label (null = unlabelled), most frequent first. */
export async function classCounts(db: Db, datasetId: string): Promise<{ label: string | null; count: number }[]> {
  const rows = await db
    .select({ label: images.classLabel, n: count() })
    .from(images)
    .where(eq(images.datasetId, datasetId))
    .groupBy(images.classLabel)
    .orderBy(sql`count(*) desc`, asc(images.classLabel));
  return rows.map((r) => ({ label: r.label, count: Number(r.n) }));
}

export async function listDatasetImageRows(db: Db, datasetId: string): Promise<ImageRow[]> {
  return db.select().from(images).where(eq(images.datasetId, datasetId)).orderBy(asc(images.position), asc(images.name));
}
/** Every image of a dataset with what scoring needs (size, blob, class, position). */
export async function datasetImages(db: Db, datasetId: string) {
  return db
    .select({
      id: images.id,
      name: images.name,
      classLabel: images.classLabel,
      width: images.width,
      height: images.height,
      sha256: images.sha256,
      position: images.position,
    })
    .from(images)
    .where(eq(images.datasetId, datasetId))
    .orderBy(asc(images.position), asc(images.name));
}

export async function listDatasetIds(db: Db): Promise<string[]> {
  return (await db.select({ id: datasets.id }).from(datasets).orderBy(asc(datasets.createdAt))).map((r) => r.id);
}

export { getModelById, getModelBySlug } from './models';
