/**
 * Applies the committed migrations (db/migrations) with drizzle's migrator. A session advisory
 * lock serialises several processes starting at once, so exactly one applies each migration.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { DbHandle } from './client';

// Resolved from the project root (GAZEBENCH_ROOT, set by the start script, or the
// working directory), not import.meta.url: Next.js bundles this module elsewhere.
export const MIGRATIONS_DIR = path.join(/*turbopackIgnore: true*/ process.env.GAZEBENCH_ROOT || process.cwd(), 'db', 'migrations');
const MIGRATION_LOCK_KEY = 7_270_412_001;

/** Migration tags in the committed journal, in order. */
export function committedMigrations(dir = MIGRATIONS_DIR): string[] {
  const journal = JSON.parse(fs.readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string }[];
  };
  return journal.entries.map((e) => e.tag);
}

export async function runMigrations(handle: DbHandle, dir = MIGRATIONS_DIR): Promise<void> {
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  await handle.withAdvisoryLock(MIGRATION_LOCK_KEY, () => migrate(handle.db, { migrationsFolder: dir }));
}

/** Number of applied migrations (drizzle's journal table). */
export async function appliedMigrationCount(handle: DbHandle): Promise<number> {
  const rows = await handle.db.execute<{ n: number | string }>(sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
  return Number(rows[0]?.n ?? 0);
}
