/**
 * Models (TF.js bundles). Reads return rows of any visibility; callers decide with
 * canRead/canWrite (lib/auth/access.ts). `listModelsVisibleTo` scopes the list to public + own.
 */
import { asc, eq, getTableColumns, or, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { models, users, type ModelFile, type StoredMethodCapability } from '../schema';

export type ModelRow = typeof models.$inferSelect;
/** A model with its owner's display name (never the email): the model card's "owner". */
export type ModelWithOwner = ModelRow & { ownerName: string | null };

const withOwner = { ...getTableColumns(models), ownerName: users.name };

export async function listModelsVisibleTo(db: Db, userId: string | null, options: { ownOnly?: boolean } = {}): Promise<ModelWithOwner[]> {
  const own = userId === null ? undefined : eq(models.ownerId, userId);
  const where = options.ownOnly ? (own ?? sql`false`) : own ? or(eq(models.visibility, 'public'), own) : eq(models.visibility, 'public');
  return db.select(withOwner).from(models).leftJoin(users, eq(models.ownerId, users.id)).where(where).orderBy(asc(models.createdAt), asc(models.slug));
}

export async function getModelById(db: Db, id: string): Promise<ModelWithOwner | undefined> {
  const rows = await db.select(withOwner).from(models).leftJoin(users, eq(models.ownerId, users.id)).where(eq(models.id, id)).limit(1);
  return rows[0];
}

export async function getModelBySlug(db: Db, slug: string): Promise<ModelWithOwner | undefined> {
  const rows = await db.select(withOwner).from(models).leftJoin(users, eq(models.ownerId, users.id)).where(eq(models.slug, slug)).limit(1);
  return rows[0];
}

export interface NewModel {
  id: string;
  slug: string;
  name: string;
  architecture: string;
  trainingData: string;
  license: string;
  format: 'layers' | 'graph';
  url: string;
  labels: string[];
  preprocessing: string;
  inputWidth: number;
  inputHeight: number;
  targetLayer: string | null;
  /** null: a platform model (the seeded demo models). */
  ownerId: string | null;
  visibility: 'public' | 'private';
  sha256: string;
  bytes: number;
  files: ModelFile[];
  /** Keras 3 normaliser rewrites (lib/models/keras3.ts); default []. */
  rewrites?: string[];
  /** What methods can run on it (lib/explainers `methodsFor`, found at upload); absent → computed when first needed (lib/models/stored-methods.ts). */
  methods?: StoredMethodCapability[];
}

/** Inserts a model; undefined when the slug is taken. */
export async function createModel(db: Db, row: NewModel): Promise<ModelRow | undefined> {
  const rows = await db.insert(models).values(row).onConflictDoNothing({ target: models.slug }).returning();
  return rows[0];
}

export async function updateModel(
  db: Db,
  id: string,
  patch: Partial<Pick<NewModel, 'name' | 'architecture' | 'trainingData' | 'license' | 'visibility' | 'labels' | 'preprocessing' | 'targetLayer'>>,
): Promise<ModelRow | undefined> {
  const rows = await db.update(models).set(patch).where(eq(models.id, id)).returning();
  return rows[0];
}

/** Deletes a model; its runs, saliency maps and scores cascade. Stored files stay (content-addressed, maybe shared). */
export async function deleteModel(db: Db, id: string): Promise<void> {
  await db.delete(models).where(eq(models.id, id));
}
