/**
 * Dataset and image reads. Public reads only see `visibility = 'public'`;
 * owner-scoped reads come with the researcher workspace.
 */
import { and, asc, count, eq } from 'drizzle-orm';
import type { Db } from '../client';
import { datasets, images } from '../schema';

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
