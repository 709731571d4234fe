/**
 * Integration tests run on a real PostgreSQL: the embedded server (default; started by
 * tests/setup/database.ts) or the one at TEST_DATABASE_URL (npm test runs both when it is set).
 * Each `freshDb()` gives a freshly migrated, empty database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { openDb, setDbHandle, type DbHandle } from '@/db/client';
import { runMigrations } from '@/db/migrate';

/** Which server the suite runs on, for test names: 'embedded' or 'external'. */
export const driver = inject('databaseLocation');

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`integration tests refuse a non-local database: ${host}`);
  }
}

/** The test database's URL (the embedded test server's, or TEST_DATABASE_URL). */
export function testDatabaseUrl(): string {
  const url = inject('databaseUrl');
  assertLocal(url);
  return url;
}

export function tempDir(prefix = 'gazebench-int-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Drops everything the previous test file left: tables, migrations journal, job queue. */
export async function wipeDatabase(handle: DbHandle): Promise<void> {
  await handle.sql.unsafe('drop schema if exists public cascade; drop schema if exists drizzle cascade; drop schema if exists pgboss cascade; create schema public;');
}

/** A fresh, migrated database; every table of the previous test file is dropped first. */
export async function freshDb(): Promise<DbHandle> {
  const handle = await openDb({ dataDir: os.tmpdir(), databaseUrl: testDatabaseUrl() }) // dataDir: unused with a URL;
  await wipeDatabase(handle);
  await runMigrations(handle);
  setDbHandle(handle);
  return handle;
}
