import { bigserial, boolean, doublePrecision, index, integer, jsonb, pgEnum, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import type { ClientCurves } from '@/lib/scoring/client-curves';
import type { CurveSource } from '@/lib/scoring/curve-source';
import { users } from './accounts';
import { bytea, modalityEnum, visibilityEnum } from './common';
import { datasets, images } from './datasets';
import { densityMaps } from './gaze';
import { models } from './models';

export const runStatusEnum = pgEnum('run_status', ['pending', 'running', 'complete', 'failed']);

/** A run = model × explainer (+ parameters) × dataset; its maps arrive per image. */
export const runs = pgTable(
  'runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    modelId: uuid('model_id')
      .notNull()
      .references(() => models.id, { onDelete: 'cascade' }),
    explainer: text('explainer').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull(),
    /** 'logit' | 'probability', and the class rule ('predicted' or 'label'). */
    target: jsonb('target').$type<Record<string, unknown>>().notNull(),
    name: text('name').notNull(),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    status: runStatusEnum('status').notNull().default('pending'),
    /** Where maps come from: 'browser', 'api', 'cli', 'server'. */
    source: text('source').notNull().default('api'),
    /** Also compute insertion/deletion (and ROAD) with the stored model on the server. */
    evaluateWithoutGroundTruth: jsonb('evaluate_without_ground_truth').$type<string[]>().notNull().default([]),
    /** Pixels changed per insertion/deletion step (null = RISE default, the model input width). */
    evaluationStep: integer('evaluation_step'),
    /** Ground-truth modality to score against; null = every modality the dataset has ground truth for. */
    modality: modalityEnum('modality'),
    /** Also compute EMD (slow: an exact transport problem per map at the MIT 32-cell size). */
    scoreEmd: boolean('score_emd').notNull().default(false),
    /** Public runs of a public dataset appear on its public leaderboard. */
    visibility: visibilityEnum('visibility').notNull().default('private'),
    isDemo: boolean('is_demo').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('runs_dataset_idx').on(t.datasetId)],
);

/** One explanation map per (run, image), float32 little-endian row-major at the stored size. */
export const saliencyMaps = pgTable(
  'saliency_maps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    imageId: uuid('image_id')
      .notNull()
      .references(() => images.id, { onDelete: 'cascade' }),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    data: bytea('data').notNull(),
    /** Class the map explains and the model's score for it, when known. */
    classIndex: integer('class_index'),
    /** Insertion/deletion curves the browser computed with the map (issue 18), checked by the evaluation job. */
    clientCurves: jsonb('client_curves').$type<ClientCurves>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('saliency_maps_run_image_uq').on(t.runId, t.imageId)],
);

/**
 * One metric value per (run, image, metric, ground-truth map version). Metrics that need no ground
 * truth (insertion, deletion, ROAD, ADIC) have a null density map; the unique key treats nulls as
 * equal so that every score is stored exactly once. Never NaN: a metric that cannot be computed is
 * not stored (the job records why).
 */
export const scores = pgTable(
  'scores',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    imageId: uuid('image_id')
      .notNull()
      .references(() => images.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    densityMapId: uuid('density_map_id').references(() => densityMaps.id, { onDelete: 'cascade' }),
    value: doublePrecision('value').notNull(),
    /** Curves (insertion/deletion), class index, parameters. */
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    /** Insertion/deletion: how the curve was obtained (lib/scoring/curve-source.ts); null for other metrics. */
    curveSource: text('curve_source').$type<CurveSource>(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('scores_run_image_metric_gt_uq').on(t.runId, t.imageId, t.metric, t.densityMapId).nullsNotDistinct(),
    index('scores_run_idx').on(t.runId),
  ],
);

/**
 * A metric that could not be computed for (run, image, ground-truth version): the reason, so that
 * the run page can show it and the job does not retry it forever. Same key as scores: one row per
 * attempt target, written exactly once.
 */
export const scoreFailures = pgTable(
  'score_failures',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: uuid('run_id')
      .notNull()
      .references(() => runs.id, { onDelete: 'cascade' }),
    imageId: uuid('image_id')
      .notNull()
      .references(() => images.id, { onDelete: 'cascade' }),
    metric: text('metric').notNull(),
    densityMapId: uuid('density_map_id').references(() => densityMaps.id, { onDelete: 'cascade' }),
    message: text('message').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    unique('score_failures_run_image_metric_gt_uq').on(t.runId, t.imageId, t.metric, t.densityMapId).nullsNotDistinct(),
    index('score_failures_run_idx').on(t.runId),
  ],
);
