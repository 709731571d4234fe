/**
 * Starts the queue and registers every job handler. Used in-process by
 * `npm start` and alone by `npm run worker`.
 */
import type PgBoss from 'pg-boss';
import type { DbHandle } from '@/db/client';
import { registerGroundTruthWorker } from './ground-truth';
import { startQueue } from './queue';

export async function startWorker(handle: DbHandle, databaseUrl: string | undefined): Promise<PgBoss> {
  const boss = await startQueue({ handle, databaseUrl });
  await registerGroundTruthWorker(boss, handle.db);
  return boss;
}
