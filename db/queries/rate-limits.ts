/**
 * Fixed-window counters shared by every web process (rate_limits table). One atomic upsert per
 * hit: a row whose window has ended restarts at 1, otherwise its count goes up by one (a process
 * whose clock lags a little counts into the newer window); the caller compares the count with its limit.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../client';
import { rateLimits } from '../schema';

/** Counts one hit on `key` in the window starting at `windowStart`; returns the count so far in that window. */
export async function hitRateLimit(db: Db, key: string, windowStart: Date): Promise<number> {
  const start = windowStart.toISOString();
  const result = await db.execute<{ count: number | string }>(sql`
    insert into ${rateLimits} (key, window_start, count) values (${key}, ${start}::timestamptz, 1)
    on conflict (key) do update set
      count = case when ${rateLimits.windowStart} >= excluded.window_start then ${rateLimits.count} + 1 else 1 end,
      window_start = greatest(${rateLimits.windowStart}, excluded.window_start)
    returning count`);
  const row = result[0];
  if (!row) throw new Error('hitRateLimit: upsert returned no row');
  return Number(row.count);
}

/** Deletes counters whose window started before `before` (housekeeping). */
export async function pruneRateLimits(db: Db, before: Date): Promise<void> {
  await db.execute(sql`delete from ${rateLimits} where ${rateLimits.windowStart} < ${before.toISOString()}::timestamptz`);
}
