/**
 * The job queue: pg-boss on the same database as everything else. On
 * PostgreSQL it opens its own pool from DATABASE_URL, so any number of web and
 * worker processes on any number of machines share one queue; on embedded
 * PGlite it runs through the process's single connection (`executeSql`).
 */
import PgBoss from 'pg-boss';
import type { DbHandle } from '@/db/client';

export interface QueueOptions {
  databaseUrl?: string;
  handle: DbHandle;
}

export async function startQueue({ databaseUrl, handle }: QueueOptions): Promise<PgBoss> {
  const boss = databaseUrl
    ? new PgBoss({ connectionString: databaseUrl, max: 4 })
    : new PgBoss({ db: { executeSql: (text, values) => handle.executeSql(text, values) } });
  boss.on('error', (err) => console.error(`queue: ${err instanceof Error ? err.message : String(err)}`));
  await boss.start();
  return boss;
}
