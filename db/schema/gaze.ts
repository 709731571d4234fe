import { bigserial, boolean, doublePrecision, index, integer, jsonb, pgTable, text, timestamp, unique, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { bytea, modalityEnum } from './common';
import { datasets, images } from './datasets';
import { studies } from './studies';

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
    /**
     * Image pixels per degree of visual angle for imported/simulated observers (images shown at
     * their own size). Study sessions leave it null: their screen pixels per degree is in
     * `geometry` and each trial has its own image pixels per degree (trials.pixels_per_degree).
     */
    pixelsPerDegree: doublePrecision('pixels_per_degree'),
    /**
     * 'in_progress' | 'completed' | 'accepted' | 'rejected' | 'withdrawn' | 'ended' (partial).
     * Only 'accepted' sessions feed ground truth.
     */
    status: text('status').notNull().default('accepted'),
    /** The study this session belongs to (null for imported or simulated observers). */
    studyId: uuid('study_id').references(() => studies.id, { onDelete: 'cascade' }),
    /** SHA-256 of the participant's per-session secret token (never the token). */
    tokenHash: text('token_hash').unique(),
    /** The study config the session started with. */
    config: jsonb('config').$type<Record<string, unknown>>(),
    /** Virtual chinrest: px/mm, viewing distance, screen px per degree, window size. */
    geometry: jsonb('geometry').$type<Record<string, unknown>>(),
    /** Validation accuracy/precision, sampling rate, face-lost %, drift, attention checks. */
    quality: jsonb('quality').$type<Record<string, unknown>>(),
    /** Researcher override of the auto-accept rule: 'accepted' | 'rejected', with who and when in quality. */
    reviewDecision: text('review_decision'),
    completedAt: timestamp('completed_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('gaze_sessions_dataset_idx').on(t.datasetId, t.modality),
    index('gaze_sessions_study_idx').on(t.studyId, t.status),
    unique('gaze_sessions_study_external_uq').on(t.studyId, t.externalIdHash),
  ],
);

/**
 * One image shown to a study participant: where it was on screen, at what scale, and what
 * became of it. Fixations are detected per completed trial.
 */
export const trials = pgTable(
  'trials',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => gazeSessions.id, { onDelete: 'cascade' }),
    /** The image shown; null for drift trials (one validation point, no image). */
    imageId: uuid('image_id').references(() => images.id, { onDelete: 'cascade' }),
    /** Order within the session, from 0. */
    position: integer('position').notNull(),
    /** 'image' | 'attention' (sentinel) | 'drift' (one validation point). */
    kind: text('kind').notNull().default('image'),
    /** 'pending' | 'shown' | 'complete' | 'skipped'. */
    status: text('status').notNull().default('pending'),
    /** On-screen rectangle of the image in CSS pixels: {x, y, width, height, viewportWidth, viewportHeight, shownAt}. */
    rect: jsonb('rect').$type<Record<string, number>>(),
    /** Image pixels per degree of visual angle for this trial (screen ppd / displayed scale). */
    pixelsPerDegree: doublePrecision('pixels_per_degree'),
    /** Attention-check outcome, when the trial is one. */
    passed: boolean('passed'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    startedAt: timestamp('started_at', { withTimezone: true }),
    completedAt: timestamp('completed_at', { withTimezone: true }),
  },
  (t) => [unique('trials_session_position_uq').on(t.sessionId, t.position), index('trials_image_idx').on(t.imageId)],
);

/**
 * Gaze samples as they arrive, one row per batch: (session, seq) is unique so that retried
 * batches are stored once. `samples` packs float64 little-endian triples (t_ms, x, y) in image
 * pixels, then one flags byte per sample (bit 0 off-image, bit 1 face lost / gap).
 */
export const sampleBatches = pgTable(
  'sample_batches',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    sessionId: uuid('session_id')
      .notNull()
      .references(() => gazeSessions.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    trialId: uuid('trial_id')
      .notNull()
      .references(() => trials.id, { onDelete: 'cascade' }),
    sampleCount: integer('sample_count').notNull(),
    /** First and last sample time (ms): batches of a trial ordered by seq must not overlap in time. */
    tFirstMs: doublePrecision('t_first_ms').notNull(),
    tLastMs: doublePrecision('t_last_ms').notNull(),
    samples: bytea('samples').notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('sample_batches_session_seq_uq').on(t.sessionId, t.seq), index('sample_batches_trial_idx').on(t.trialId)],
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
    /** The study trial the fixation was detected in (null for imported or simulated data). */
    trialId: uuid('trial_id').references(() => trials.id, { onDelete: 'cascade' }),
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
    /** 'fixations' (computed here from accepted fixations) | 'imported' (a lab's own map, PNG/NPY). */
    source: text('source').notNull().default('fixations'),
    /** Blur σ in image pixels (1° of visual angle); null for imported maps, whose σ is the lab's. */
    sigmaPx: doublePrecision('sigma_px'),
    observers: integer('observers').notNull(),
    fixationCount: integer('fixation_count').notNull(),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** float64 little-endian, row-major, sums to 1. */
    data: bytea('data').notNull(),
    /**
     * The fixations this version stands for, frozen with it so that fixation metrics (NSS, AUC)
     * and the human ceiling never mix versions: float64 little-endian triples (observer ordinal,
     * x, y) in image pixels, inside the image. Null when a map was imported without fixations.
     */
    points: bytea('points'),
    /** Observer labels by ordinal (index into `points`' first column). */
    observerLabels: jsonb('observer_labels').$type<string[]>(),
    /** Inter-observer consistency of this version (lib/ground-truth/consistency.ts), filled by a job. */
    consistency: jsonb('consistency').$type<Record<string, unknown>>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('density_maps_image_modality_version_uq').on(t.imageId, t.modality, t.version)],
);
