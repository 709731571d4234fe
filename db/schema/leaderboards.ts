import { doublePrecision, index, jsonb, pgTable, text, timestamp, unique, uuid } from 'drizzle-orm/pg-core';
import { modalityEnum } from './common';
import { datasets } from './datasets';
import { densityMaps } from './gaze';

/**
 * Scores of the leaderboard's reference rows per ground-truth version: the human ceiling
 * (leave-one-observer-out) and the baselines (centre bias, mean fixation map of the other images,
 * uniform, random). Derived data, recomputed by the `ground-truth.reference` job whenever the
 * dataset's ground truth changes (upsert: the mean-fixation baseline and sAUC negatives depend on
 * the other images too).
 */
export const referenceScores = pgTable(
  'reference_scores',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    densityMapId: uuid('density_map_id')
      .notNull()
      .references(() => densityMaps.id, { onDelete: 'cascade' }),
    /** 'ceiling' | 'baseline:centre' | 'baseline:mean-fixations' | 'baseline:uniform' | 'baseline:random'. */
    kind: text('kind').notNull(),
    metric: text('metric').notNull(),
    value: doublePrecision('value').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('reference_scores_gt_kind_metric_uq').on(t.densityMapId, t.kind, t.metric)],
);

/**
 * Leaderboard states that were served, by snapshot id (a hash of everything the table was computed
 * from), so that a cited snapshot can be shown exactly as it was after the scores moved on.
 */
export const leaderboardSnapshots = pgTable(
  'leaderboard_snapshots',
  {
    id: text('id').primaryKey(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    modality: modalityEnum('modality').notNull(),
    groundTruthState: text('ground_truth_state').notNull(),
    body: jsonb('body').$type<Record<string, unknown>>().notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('leaderboard_snapshots_dataset_idx').on(t.datasetId)],
);
