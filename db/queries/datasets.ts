/**
 * Dataset and image reads. Public reads only see `visibility = 'public'`;
 * owner-scoped reads come with the researcher workspace.
 */
import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { datasets, images, models } from '../schema';

export interface DatasetSummary {
  id: string;
  slug: string;
  name: string;
  description: string;
  isDemo: boolean;
  imageCount: number;
  createdAt: Date;
}

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

/** A dataset of any visibility (callers check access with lib/auth/access). */
export async function getDatasetById(db: Db, id: string) {
  const [row] = await db.select().from(datasets).where(eq(datasets.id, id)).limit(1);
  return row;
}

export async function getDatasetBySlug(db: Db, slug: string) {
  const [row] = await db.select().from(datasets).where(eq(datasets.slug, slug)).limit(1);
  return row;
}

/** An image and its dataset, any visibility (callers check access). */
export async function getImageWithDataset(db: Db, imageId: string) {
  const [row] = await db
    .select({ image: images, dataset: datasets })
    .from(images)
    .innerJoin(datasets, eq(images.datasetId, datasets.id))
    .where(eq(images.id, imageId))
    .limit(1);
  return row;
}

export async function getModelById(db: Db, id: string) {
  const [row] = await db.select().from(models).where(eq(models.id, id)).limit(1);
  return row;
}

export async function getModelBySlug(db: Db, slug: string) {
  const [row] = await db.select().from(models).where(eq(models.slug, slug)).limit(1);
  return row;
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
