import { boolean, integer, jsonb, pgTable, real, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';

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
  isDemo: boolean('is_demo').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
