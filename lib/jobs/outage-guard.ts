import { createRequire } from 'node:module';

/**
 * pg-boss 10 records a job's result without awaiting it (manager.js `work`: `this.complete(…)`
 * and `this.fail(…)` are floating promises), so when the database goes away under a worker (the
 * embedded postmaster killed and restarted by its supervisor, a failover of an external server)
 * the rejection is unhandled and Node ends the whole process. The crash test hit exactly that.
 * A process-level 'unhandledRejection' listener cannot help: tfjs-backend-wasm's emscripten module,
 * loaded by the first scoring job, installs `process.on('unhandledRejection', r => { throw r })`.
 * So the two methods themselves are wrapped: their promises get a handler (the job stays active
 * until its lease expires, and pg-boss then retries it; our handlers are idempotent), and every
 * caller that awaits them still sees the error.
 */
const CONNECTION_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH',
  '57P01', '57P02', '57P03', // admin / crash shutdown, cannot connect now (starting up, recovering)
  '08000', '08001', '08003', '08006', // connection exceptions
  'CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', // postgres.js
]);
const CONNECTION_MESSAGES = [/Connection terminated/i, /connection error and is not queryable/i, /the database system is (starting up|shutting down|in recovery mode)/i];

/** Whether `err` says the database could not be reached, rather than that a query was wrong. */
export function isDatabaseOutage(err: unknown): boolean {
  if (!err || typeof err !== 'object') return false;
  const { code, message } = err as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  return typeof message === 'string' && CONNECTION_MESSAGES.some((re) => re.test(message));
}

const GUARDED = Symbol.for('gazebench.pg-boss-results-guarded');
type Method = ((...args: unknown[]) => unknown) & { [GUARDED]?: true };

/**
 * Makes pg-boss's `complete` and `fail` promises handled (the caller that awaits one still gets
 * its rejection): a floating one that fails for a database outage is logged, not fatal. Called
 * before a PgBoss is constructed (it binds the manager's methods then).
 */
export function guardJobResults(log: (line: string) => void = (l) => console.error(l)): void {
  const require = createRequire(import.meta.url);
  const Manager = require('pg-boss/src/manager.js') as { prototype: Record<string, Method> };
  for (const name of ['complete', 'fail']) {
    const original = Manager.prototype[name];
    if (typeof original !== 'function') throw new Error(`pg-boss Manager has no ${name}(): check lib/jobs/outage-guard.ts against this pg-boss version`);
    if (original[GUARDED]) continue;
    const wrapped: Method = function (this: unknown, ...args: unknown[]) {
      const result = original.apply(this, args);
      if (result instanceof Promise) {
        result.catch((err: unknown) => {
          if (isDatabaseOutage(err)) log(`queue: database unreachable while recording a job's result (${(err as { code?: string }).code ?? (err as Error).message}); the job is retried after its lease expires`);
        });
      }
      return result;
    };
    wrapped[GUARDED] = true;
    Manager.prototype[name] = wrapped;
  }
}
