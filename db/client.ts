/**
 * The one place that opens the database: PostgreSQL through postgres.js, always. DATABASE_URL
 * set → that server (external); otherwise the embedded PostgreSQL of DATA_DIR (db/embedded.ts),
 * started or attached to here and released on `close()`.
 *
 * The connection is a process-wide singleton on globalThis because Next.js bundles this module
 * separately from the start script: both copies share the start script's pool.
 */
import path from 'node:path';
import type { PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import type { Sql } from 'postgres';
import { acquireEmbedded, EmbeddedPostgresError, type EmbeddedServer } from './embedded';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PostgresJsDatabase<Schema>;
/** Where the database lives: the embedded server of DATA_DIR, or the one DATABASE_URL names. */
export type DbLocation = 'embedded' | 'external';

export interface DbHandle {
  db: Db;
  /** The postgres.js client under drizzle (COPY streams, raw statements). */
  sql: Sql;
  /** Connection URL (for pg-boss's own pool); holds the password: never log it. */
  url: string;
  location: DbLocation;
  /**
   * Run `fn` while holding a PostgreSQL session advisory lock, so concurrent
   * processes (several web/worker processes starting at once) take turns.
   */
  withAdvisoryLock<T>(key: number, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface DbOptions {
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL pool: connections (default 10) and queries pipelined per connection (default 100). */
  pool?: { max?: number; maxPipeline?: number };
  log?: (line: string) => void;
}

export class DatabaseConnectError extends Error {}

export async function openDb(options: DbOptions): Promise<DbHandle> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl, 'external', options.pool);
  let server: EmbeddedServer;
  try {
    server = await acquireEmbedded(options.dataDir, { log: options.log });
  } catch (err) {
    if (err instanceof EmbeddedPostgresError) throw new DatabaseConnectError(err.message);
    throw err;
  }
  try {
    return await openPostgres(server.url, 'embedded', options.pool, () => server.release());
  } catch (err) {
    await server.release().catch(() => undefined);
    throw err;
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

async function openPostgres(url: string, location: DbLocation, pool: DbOptions['pool'] = {}, onClose?: () => Promise<void>): Promise<DbHandle> {
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
  let closed: Promise<void> | undefined;
  return {
    db,
    sql,
    url,
    location,
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
    close() {
      closed ??= sql.end({ timeout: 5 }).then(() => onClose?.());
      return closed;
    },
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
