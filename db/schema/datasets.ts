import { boolean, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { users } from './accounts';
import { visibilityEnum } from './common';

export const datasets = pgTable('datasets', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  visibility: visibilityEnum('visibility').notNull().default('private'),
  /** null = owned by the platform (demo content). */
  ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'cascade' }),
  isDemo: boolean('is_demo').notNull().default(false),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

export const images = pgTable(
  'images',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    datasetId: uuid('dataset_id')
      .notNull()
      .references(() => datasets.id, { onDelete: 'cascade' }),
    /** File name within the dataset, unique per dataset. */
    name: text('name').notNull(),
    classLabel: text('class_label'),
    width: integer('width').notNull(),
    height: integer('height').notNull(),
    /** Content address of the file under DATA_DIR/blobs. */
    sha256: text('sha256').notNull(),
    mimeType: text('mime_type').notNull(),
    bytes: integer('bytes').notNull(),
    position: integer('position').notNull().default(0),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('images_dataset_name_uq').on(t.datasetId, t.name), index('images_dataset_idx').on(t.datasetId, t.position)],
);
