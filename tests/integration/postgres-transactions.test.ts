/**
 * Transactions on a busy postgres.js pool. postgres.js 3.4.9/3.4.10 `sql.begin()` can send BEGIN
 * pipelined behind another query without reserving the connection (porsager/postgres#823,
 * #1189): the transaction fails with UNSAFE_TRANSACTION, and the connection goes back to the pool
 * inside an open transaction. bench:ingest hit it at 1,000 batches/s (pipelines of 100, or socket
 * backpressure); a pool with max_pipeline 1 and busy connections makes it happen every time, so
 * that is what this test builds. Our handle runs transactions on a reserved connection instead
 * (db/client.ts). Runs on the embedded server and on TEST_DATABASE_URL when npm test has one.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import os from 'node:os';
import { openDb, type DbHandle } from '@/db/client';
import { driver, testDatabaseUrl } from './helpers';

describe(`transactions on a busy PostgreSQL pool (${driver})`, () => {
  let handle: DbHandle;
  const table = `tx_probe_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    handle = await openDb({ dataDir: os.tmpdir(), databaseUrl: testDatabaseUrl(), pool: { max: 2, maxPipeline: 1 } });
    await handle.sql.unsafe(`create table ${table} (id int primary key, source text not null)`);
  });
  afterAll(async () => {
    await handle.sql.unsafe(`drop table if exists ${table}`);
    await handle.close();
  });

  it('BEGIN behind a running query: every transaction commits or rolls back as a whole, plain queries stay outside', async () => {
    const { db } = handle;
    const insert = (id: number, source: string) => sql.raw(`insert into ${table} (id, source) values (${id}, '${source}')`);
    for (let round = 0; round < 5; round++) {
      const base = round * 100;
      // Both connections busy first (drizzle queries start when awaited; transactions at once).
      const busy = [0, 1].map(() => db.execute(sql`select pg_sleep(0.1)`).then((r) => r));
      await new Promise((r) => setTimeout(r, 20));
      const work: Promise<unknown>[] = [];
      for (let i = 0; i < 4; i++) {
        // Committed: two rows at once.
        work.push(db.transaction(async (tx) => {
          await tx.execute(insert(base + i * 10, 'tx'));
          await tx.execute(insert(base + i * 10 + 1, 'tx'));
        }));
        // Rolled back: its first row must not survive.
        work.push(
          db.transaction(async (tx) => {
            await tx.execute(insert(base + i * 10 + 2, 'rolled-back'));
            throw new Error('abort');
          }).catch((err: unknown) => {
            if (!(err instanceof Error && err.message === 'abort')) throw err;
          }),
        );
        // Plain statements beside them.
        work.push(db.execute(insert(base + i * 10 + 3, 'plain')));
      }
      const settled = await Promise.allSettled([...busy, ...work]);
      const failures = settled.filter((s): s is PromiseRejectedResult => s.status === 'rejected').map((s) => String(s.reason));
      expect(failures, `round ${round}`).toEqual([]);
    }
    const rows = [...(await db.execute<{ source: string; n: number }>(sql.raw(`select source, count(*)::int as n from ${table} group by source order by source`)))];
    expect(rows).toEqual([
      { source: 'plain', n: 20 },
      { source: 'tx', n: 40 },
    ]);
    // No connection was left inside a transaction: both answer outside one.
    const open = await Promise.all([0, 1].map(() => db.execute<{ fresh: boolean }>(sql`select now() = statement_timestamp() as fresh, pg_sleep(0.05)`)));
    for (const r of open) expect(r[0]?.fresh).toBe(true);
  });

  it('nested transactions are savepoints: an inner failure rolls back only the inner part', async () => {
    const { db } = handle;
    await db.transaction(async (tx) => {
      await tx.execute(sql.raw(`insert into ${table} (id, source) values (9001, 'outer')`));
      await tx
        .transaction(async (inner) => {
          await inner.execute(sql.raw(`insert into ${table} (id, source) values (9002, 'inner')`));
          throw new Error('inner abort');
        })
        .catch(() => undefined);
      await tx.transaction(async (inner) => {
        await inner.execute(sql.raw(`insert into ${table} (id, source) values (9003, 'inner-kept')`));
      });
    });
    const rows = await db.execute<{ id: number }>(sql.raw(`select id from ${table} where id > 9000 order by id`));
    expect(rows.map((r) => r.id)).toEqual([9001, 9003]);
  });
});
