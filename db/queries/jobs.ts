/**
 * Runs pg-boss's own SQL inside one of our drizzle transactions, so a job is enqueued exactly
 * when the transaction that made it necessary commits (pg-boss `send(…, {db})`, its documented
 * hook for transactional enqueueing). pg-boss numbers its parameters $1…$n; each occurrence
 * becomes a drizzle parameter. Objects (job data) are sent as JSON text, which pg-boss casts
 * (`$3::jsonb`); postgres.js would otherwise guess the parameter's type.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../client';

export interface SqlExecutor {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

function toParam(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) return JSON.stringify(value);
  return value === undefined ? null : value;
}

export function sqlExecutor(db: Db): SqlExecutor {
  return {
    async executeSql(text, values = []) {
      const parts = text.split(/\$(\d+)/);
      const chunks: SQL[] = parts.map((part, i) => {
        if (i % 2 === 0) return sql.raw(part);
        const index = Number(part) - 1;
        if (index < 0 || index >= values.length) throw new Error(`sqlExecutor: statement uses $${part} but got ${values.length} values`);
        return sql`${toParam(values[index])}`;
      });
      return { rows: [...(await db.execute<Record<string, unknown>>(sql.join(chunks)))] };
    },
  };
}
