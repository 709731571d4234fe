import { index, integer, jsonb, pgEnum, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { datasets } from './datasets';

export const studyStatusEnum = pgEnum('study_status', ['draft', 'open', 'paused', 'closed']);

/**
 * A gaze study on a dataset. `config` holds everything the participant flow needs (images per
 * participant, viewing time, calibration points, validation threshold, drift interval, attention
 * checks, fixation detection parameters, auto-accept rules, modality); it is validated by the zod
 * schema in lib/studies/config.ts and stored whole so that a session runs with the config it
 * started with (copied into gaze_sessions.config).
 */
export const studies = pgTable(
  'studies',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    /** Public, unguessable part of the study link /s/<slug>. */
    slug: text('slug').notNull().unique(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    status: studyStatusEnum('status').notNull().default('draft'),
    consentText: text('consent_text').notNull(),
    config: jsonb('config').$type<Record<string, unknown>>().notNull(),
    participantCap: integer('participant_cap'),
    completionCode: text('completion_code'),
    redirectUrl: text('redirect_url'),
    /**
     * Sessions withdrawn by their participant. Withdrawal deletes the session row and all its data,
     * so this count is all that is left of them (progress, and "a session has started").
     */
    withdrawnCount: integer('withdrawn_count').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('studies_dataset_idx').on(t.datasetId)],
);
