/**
 * A row count and checksum of every table, in one statement, to prove that refused requests
 * changed nothing (fuzz.test.ts, upload-safety.test.ts). rate_limits is left out (a refused
 * sign-in is meant to raise its counters), and so is an API token's last_used_at (using a token
 * stamps it, even when the request is refused).
 */
import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';

export async function tableChecksums(db: Db): Promise<Record<string, string>> {
  const tables = (await db.execute<{ name: string }>(sql`select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' and table_name <> 'rate_limits' order by 1`)).map((r) => r.name);
  const parts = tables.map((t) => `select '${t}' as name, count(*)::text || ':' || coalesce(md5(string_agg(md5((to_jsonb(fuzz_row) - 'last_used_at')::text), '' order by md5((to_jsonb(fuzz_row) - 'last_used_at')::text))), '') as sum from "${t}" fuzz_row`);
  const rows = await db.execute<{ name: string; sum: string }>(sql.raw(parts.join(' union all ')));
  return Object.fromEntries(rows.map((r) => [r.name, r.sum]));
}
