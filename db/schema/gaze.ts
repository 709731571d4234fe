import { bigserial, doublePrecision, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea, modalityEnum } from './common';
import { datasets, images } from './datasets';

/**
 * One observer's session on a dataset (a participant in a study, an imported
 * lab observer, or a simulated one). Modality is per session and never mixed.
 */
export const gazeSessions = pgTable(
  'gaze_sessions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    modality: modalityEnum('modality').notNull(),
    /** Observer label shown in the UI ("sim-03", "P12"); never an external ID. */
    observerLabel: text('observer_label').notNull(),
    /** HMAC-SHA256 of an external participant ID with the server secret. */
    externalIdHash: text('external_id_hash'),
    /** Image pixels per degree of visual angle for this observer. */
    pixelsPerDegree: doublePrecision('pixels_per_degree').notNull(),
    status: text('status').notNull().default('accepted'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('gaze_sessions_dataset_idx').on(t.datasetId, t.modality)],
);

export const fixations = pgTable(
  'fixations',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => gazeSessions.id, { onDelete: 'cascade' }),
    imageId: uuid('image_id')
      .notNull()
      .references(() => images.id, { onDelete: 'cascade' }),
    /** Image pixel coordinates. */
    x: doublePrecision('x').notNull(),
    y: doublePrecision('y').notNull(),
    startMs: doublePrecision('start_ms').notNull(),
    durationMs: doublePrecision('duration_ms').notNull(),
    sampleCount: integer('sample_count').notNull().default(0),
  },
  (t) => [index('fixations_image_idx').on(t.imageId), index('fixations_session_idx').on(t.sessionId)],
);

/**
 * Ground-truth density map (GFDM) per image and modality, versioned: a new
 * version is written whenever the accepted fixations change; scores refer to
 * the version they used.
 */
export const densityMaps = pgTable(
  'density_maps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    imageId: uuid('image_id')
      .notNull()
      .references(() => images.id, { onDelete: 'cascade' }),
    modality: modalityEnum('modality').notNull(),
    version: integer('version').notNull(),
    sigmaPx: doublePrecision('sigma_px').notNull(),
    observers: integer('observers').notNull(),
    fixationCount: integer('fixation_count').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** float64 little-endian, row-major, sums to 1. */
    data: bytea('data').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('density_maps_image_modality_version_uq').on(t.imageId, t.modality, t.version)],
);
