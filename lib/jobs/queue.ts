/**
 * The job queue: pg-boss on the same database as everything else, with its own small pool from
 * the handle's URL (DATABASE_URL, or the embedded server's), so any number of web and worker
 * processes share one queue.
 *
 * One queue object per process (on globalThis, like the database handle): the
 * worker's when this process runs one, otherwise a send-only instance started
 * on first use by the web routes and the CLI (no maintenance, no cron: the
 * workers do that). Every queue is created at start (pg-boss 10 refuses jobs for
 * a queue that does not exist). Jobs retry with exponential backoff; handlers are
 * idempotent, so a retried or resumed job repeats no effect.
 */
import PgBoss from 'pg-boss';
import { getDbHandle, type DbHandle } from '@/db/client';
import { guardJobResults } from './outage-guard';

export const JOB_NAMES = ['ground-truth.recompute', 'ground-truth.reference', 'run.score', 'runs.rescore', 'run.evaluate'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** retryDelay 5 s doubling with jitter (pg-boss retryBackoff), 5 retries. */
export const RETRY_OPTIONS = { retryLimit: 5, retryDelay: 5, retryBackoff: true } as const;

export interface QueueOptions {
  handle: DbHandle;
  /** Run pg-boss maintenance (expiry of lost leases, archiving). Workers do; senders do not. */
  supervise?: boolean;
  maintenanceIntervalSeconds?: number;
}

const GLOBAL_KEY = Symbol.for('gazebench.queue');
type GlobalWithQueue = typeof globalThis & { [GLOBAL_KEY]?: Promise<PgBoss> };

export async function startQueue({ handle, supervise = true, maintenanceIntervalSeconds }: QueueOptions): Promise<PgBoss> {
  guardJobResults();
  const boss = new PgBoss({ connectionString: handle.url, max: 4, supervise, schedule: supervise, ...(maintenanceIntervalSeconds ? { maintenanceIntervalSeconds } : {}) });
  boss.on('error', (err) => console.error(`queue: ${err instanceof Error ? err.message : String(err)}`));
  await boss.start();
  for (const name of JOB_NAMES) await boss.createQueue(name);
  const g = globalThis as GlobalWithQueue;
  if (!g[GLOBAL_KEY]) g[GLOBAL_KEY] = Promise.resolve(boss);
  return boss;
}

/** The process's queue, or a send-only one on the process's database. */
export function getQueue(): Promise<PgBoss> {
  const g = globalThis as GlobalWithQueue;
  if (!g[GLOBAL_KEY]) {
    const started = getDbHandle().then((handle) => startQueue({ handle, supervise: false }));
    g[GLOBAL_KEY] = started;
    started.catch(() => {
      delete g[GLOBAL_KEY];
    });
  }
  return g[GLOBAL_KEY];
}

/** Stops and forgets the process's queue (tests, CLI). */
export async function stopQueue(): Promise<void> {
  const g = globalThis as GlobalWithQueue;
  const boss = g[GLOBAL_KEY];
  delete g[GLOBAL_KEY];
  if (boss) await (await boss).stop({ graceful: false, timeout: 2000 }).catch(() => undefined);
}

/**
 * At most one waiting job per key and time slot (pg-boss throttling with singletonNextSlot): a
 * burst of uploads or ground-truth changes becomes one or two jobs, and every call is followed by a
 * job that starts after it.
 */
export async function sendCoalesced(boss: PgBoss, name: JobName, data: object, key: string, seconds = 2, options: PgBoss.SendOptions = {}): Promise<void> {
  await boss.sendDebounced(name, data, { ...RETRY_OPTIONS, ...options }, seconds, key);
}
