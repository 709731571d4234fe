import { bigint, boolean, integer, jsonb, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { visibilityEnum } from './common';

/** One file of an uploaded bundle, stored content-addressed under DATA_DIR/blobs. */
export interface ModelFile {
  name: string;
  sha256: string;
  bytes: number;
}

/** One entry of models.methods: lib/explainers `MethodCapabilityEntry`. */
export interface StoredMethodCapability {
  method: string;
  ok: boolean;
  reason?: string;
  field?: 'model' | 'layer';
}

export const models = pgTable('models', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  architecture: text('architecture').notNull().default(''),
  trainingData: text('training_data').notNull().default(''),
  license: text('license').notNull().default(''),
  /** 'layers' (LayersModel) or 'graph' (GraphModel, forward-only methods). */
  format: text('format').notNull().default('layers'),
  /** URL path the browser loads model.json from (public/ or the blob route). */
  url: text('url').notNull(),
  labels: jsonb('labels').$type<string[]>().notNull(),
  preprocessing: text('preprocessing').notNull(),
  inputWidth: integer('input_width').notNull(),
  inputHeight: integer('input_height').notNull(),
  targetLayer: text('target_layer'),
  heldOutAccuracy: real('held_out_accuracy'),
  ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
  /** Private models are visible to their owner and admins only (404 to others). */
  visibility: visibilityEnum('visibility').notNull().default('private'),
  /** SHA-256 of the bundle: of model.json followed by each file's "name sha256" line (see lib/models/upload.ts). */
  sha256: text('sha256'),
  /** Total bytes of the bundle's files. */
  bytes: bigint('bytes', { mode: 'number' }),
  /** Uploaded bundles: every file served at /api/v1/models/{id}/files/<name>; null for bundles under public/. */
  files: jsonb('files').$type<ModelFile[]>(),
  /** What lib/models/keras3.ts rewrote in model.json to load it (Keras 3 forms), one line each; [] when nothing (the file is kept as uploaded). */
  rewrites: jsonb('rewrites').$type<string[]>().notNull().default([]),
  /**
   * Which explanation methods can run on the bundle and why not (lib/explainers `methodsFor`), found
   * when it was uploaded; null for rows from before (and platform bundles) until the server first
   * needs it (lib/models/stored-methods.ts computes it from the bundle and stores it).
   */
  methods: jsonb('methods').$type<StoredMethodCapability[]>(),
  isDemo: boolean('is_demo').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
