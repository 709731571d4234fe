import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** Platform-level facts, e.g. that the demo content has been seeded. */
export const appMeta = pgTable('app_meta', {
  key: text('key').primaryKey(),
  value: jsonb('value').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});
