/**
 * Integration tests run on a real database: in-memory PGlite by default, or
 * the PostgreSQL at TEST_DATABASE_URL when TEST_DRIVER=postgres (npm test runs
 * both). Each call gives a freshly migrated, empty database.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDb, setDbHandle, type DbHandle } from '@/db/client';
import { runMigrations } from '@/db/migrate';

export const driver = process.env.TEST_DRIVER === 'postgres' ? 'postgres' : 'pglite';

function assertLocal(url: string): void {
  const host = new URL(url).hostname;
  if (!['127.0.0.1', 'localhost', '::1'].includes(host)) {
    throw new Error(`integration tests refuse a non-local database: ${host}`);
  }
}

export function testDatabaseUrl(): string | undefined {
  if (driver !== 'postgres') return undefined;
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DRIVER=postgres needs TEST_DATABASE_URL');
  assertLocal(url);
  return url;
}

export function tempDir(prefix = 'gazebench-int-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A fresh, migrated database; on PostgreSQL every table of the previous test file is dropped first. */
export async function freshDb(): Promise<DbHandle> {
  const url = testDatabaseUrl();
  const handle = await openDb({ dataDir: 'memory://', databaseUrl: url });
  if (url) {
    await handle.executeSql('drop schema if exists public cascade; drop schema if exists drizzle cascade; drop schema if exists pgboss cascade; create schema public;');
  }
  await runMigrations(handle);
  setDbHandle(handle);
  return handle;
}
