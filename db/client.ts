/**
 * The one place that picks the database driver. DATABASE_URL set → PostgreSQL
 * through postgres.js; otherwise embedded PGlite under DATA_DIR/pglite. Query
 * code receives a `Db` and does not care which; `rowsOf` normalises the result
 * shape of `db.execute()` (`{rows}` on PGlite, an array on postgres.js).
 *
 * The connection is a process-wide singleton on globalThis because Next.js
 * bundles this module separately from the start script: both copies must share
 * one PGlite instance (PGlite allows one opener per data directory).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type DriverName = 'pglite' | 'postgres';

export interface DbHandle {
  db: Db;
  driver: DriverName;
  /** Raw SQL runner for tools (pg-boss) that need one: (text, values) → rows. */
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
  /**
   * Run `fn` while holding a PostgreSQL session advisory lock, so concurrent
   * processes (several web/worker processes starting at once) take turns.
   * PGlite has a single opener, so there it simply runs `fn`.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL pool: connections (default 10) and queries pipelined per connection (default 100). */
  pool?: { max?: number; maxPipeline?: number };
}

export class DatabaseConnectError extends Error {}

export function rowsOf<T = Record<string, unknown>>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  if (result && typeof result === 'object' && 'rows' in result) return (result as { rows: T[] }).rows;
  throw new Error('db: unexpected result shape from execute()');
}

export async function openDb(options: DbOptions): Promise<DbHandle> {
  return options.databaseUrl ? openPostgres(options.databaseUrl, options.pool) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string): Promise<DbHandle> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  // 'memory://' keeps the database in memory (tests); otherwise DATA_DIR/pglite.
  const dir = dataDir.startsWith('memory://') ? dataDir : path.join(/*turbopackIgnore: true*/ dataDir, 'pglite');
  if (!dir.startsWith('memory://')) fs.mkdirSync(dir, { recursive: true });
  const client = await PGlite.create(dir);
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    async executeSql(text, values) {
      // pg-boss sends multi-statement scripts without parameters: those need exec().
      if (!values || values.length === 0) {
        const results = await client.exec(text);
        return { rows: (results.at(-1)?.rows ?? []) as Record<string, unknown>[] };
      }
      const r = await client.query<Record<string, unknown>>(text, values);
      return { rows: r.rows };
    },
    withAdvisoryLock: (_key, fn) => fn(),
    close: () => client.close(),
  };
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

async function openPostgres(url: string, pool: DbOptions['pool'] = {}): Promise<DbHandle> {
  const { default: postgres } = await import('postgres');
  const { drizzle } = await import('drizzle-orm/postgres-js');
  // max_pipeline is a documented option that postgres.js's types leave out.
  const settings = { max: pool.max ?? 10, max_pipeline: pool.maxPipeline ?? 100, connect_timeout: 10, onnotice: () => {} };
  const sql = postgres(url, settings as Parameters<typeof postgres>[1]);
  try {
    await sql`select 1`;
  } catch (err) {
    await sql.end({ timeout: 1 }).catch(() => {});
    const cause = err instanceof Error ? err.message : String(err);
    throw new DatabaseConnectError(`database: cannot connect to ${describeUrl(url)}: ${cause}`);
  }
  const db = drizzle(withReservedTransactions(sql), { schema }) as unknown as Db;
  return {
    db,
    driver: 'postgres',
    async executeSql(text, values) {
      // Without parameters postgres.js may run a multi-statement script and
      // answer one result per statement: keep the last, as PGlite's exec() path does.
      const result: unknown[] = await sql.unsafe(text, (values ?? []) as never[]);
      const last = result.at(-1);
      const rows = Array.isArray(last) ? last : result;
      return { rows: rows as Record<string, unknown>[] };
    },
    async withAdvisoryLock(key, fn) {
      const conn = await sql.reserve();
      try {
        await conn`select pg_advisory_lock(${key})`;
        try {
          return await fn();
        } finally {
          await conn`select pg_advisory_unlock(${key})`;
        }
      } finally {
        conn.release();
      }
    },
    close: () => sql.end({ timeout: 5 }),
  };
}

type PostgresSql = import('postgres').Sql;
type ReservedSql = import('postgres').ReservedSql;
type Savepoints = ReservedSql & { savepoint<T>(fn: (sql: Savepoints) => Promise<T>): Promise<T> };

/**
 * The pool as drizzle sees it, with `begin` (drizzle's `db.transaction`) run on a reserved
 * connection. postgres.js 3.4.9's own `sql.begin` may pipeline BEGIN behind another query on a
 * busy connection without reserving it (porsager/postgres#823, #1189, unfixed in 3.4.10): the
 * transaction then fails with UNSAFE_TRANSACTION and the connection returns to the pool inside an
 * open transaction. bench:ingest hit it under load. `sql.reserve()` takes an idle connection only
 * (or waits for one) and keeps it out of the pool until released; BEGIN, COMMIT/ROLLBACK and
 * drizzle's nested transactions (savepoints) all run on it. Test:
 * tests/integration/postgres-transactions.test.ts.
 */
function withReservedTransactions(sql: PostgresSql): PostgresSql {
  async function begin<T>(fn: (tx: Savepoints) => Promise<T>): Promise<T> {
    const conn = await sql.reserve();
    try {
      await conn.unsafe('begin');
      let savepoints = 0;
      const tx = Object.assign(conn, {
        async savepoint<U>(inner: (sp: Savepoints) => Promise<U>): Promise<U> {
          const name = `s${++savepoints}`;
          await conn.unsafe(`savepoint ${name}`);
          try {
            const result = await inner(tx);
            await conn.unsafe(`release savepoint ${name}`);
            return result;
          } catch (err) {
            await conn.unsafe(`rollback to savepoint ${name}`);
            throw err;
          }
        },
      }) as Savepoints;
      let result: T;
      try {
        result = await fn(tx);
      } catch (err) {
        await conn.unsafe('rollback').catch(() => undefined);
        throw err;
      }
      await conn.unsafe('commit');
      return result;
    } finally {
      conn.release();
    }
  }
  return new Proxy(sql, { get: (target, prop, receiver) => (prop === 'begin' ? begin : Reflect.get(target, prop, receiver)) });
}

const GLOBAL_KEY = Symbol.for('gazebench.db');
type GlobalWithDb = typeof globalThis & { [GLOBAL_KEY]?: Promise<DbHandle> };

/** The process-wide handle, opened on first use from the environment. */
export function getDbHandle(): Promise<DbHandle> {
  const g = globalThis as GlobalWithDb;
  if (!g[GLOBAL_KEY]) {
    const dataDir = path.resolve(/*turbopackIgnore: true*/ process.env.DATA_DIR || '.data');
    const databaseUrl = process.env.DATABASE_URL || undefined;
    g[GLOBAL_KEY] = openDb({ dataDir, databaseUrl });
  }
  return g[GLOBAL_KEY];
}

/** Install an already-open handle as the process-wide one (start script, tests). */
export function setDbHandle(handle: DbHandle): void {
  (globalThis as GlobalWithDb)[GLOBAL_KEY] = Promise.resolve(handle);
}

export async function getDb(): Promise<Db> {
  return (await getDbHandle()).db;
}
