import { describe, expect, it } from 'vitest';
import { isDatabaseOutage } from './outage-guard';

describe('isDatabaseOutage', () => {
  it('recognises the errors of a database that went away', () => {
    // Shapes as node-postgres (pg-boss) and postgres.js raise them.
    expect(isDatabaseOutage(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:42147'), { code: 'ECONNREFUSED', errno: -111 }))).toBe(true);
    expect(isDatabaseOutage(Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }))).toBe(true);
    expect(isDatabaseOutage(Object.assign(new Error('the database system is starting up'), { code: '57P03' }))).toBe(true);
    expect(isDatabaseOutage(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseOutage(Object.assign(new Error('write CONNECTION_CLOSED 127.0.0.1:5432'), { code: 'CONNECTION_CLOSED' }))).toBe(true);
  });

  it('does not hide real bugs', () => {
    expect(isDatabaseOutage(Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }))).toBe(false);
    expect(isDatabaseOutage(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isDatabaseOutage('ECONNREFUSED')).toBe(false);
    expect(isDatabaseOutage(undefined)).toBe(false);
  });
});

describe('guardJobResults', () => {
  it("makes a floating pg-boss complete()/fail() rejection handled, and an awaiting caller still sees it", async () => {
    const { createRequire } = await import('node:module');
    const { guardJobResults } = await import('./outage-guard');
    const lines: string[] = [];
    guardJobResults((l) => lines.push(l));
    const Manager = createRequire(import.meta.url)('pg-boss/src/manager.js') as { prototype: Record<string, (...a: unknown[]) => Promise<unknown>> };
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const fakeManager = { db: { executeSql: () => Promise.reject(refused) }, failJobsByIdCommand: 'x', completeJobsCommand: 'x', mapCompletionIdArg: (id: unknown) => [id], mapCompletionDataArg: (d: unknown) => d };
    const unhandled: unknown[] = [];
    const onUnhandled = (r: unknown) => unhandled.push(r);
    process.on('unhandledRejection', onUnhandled);
    try {
      void Manager.prototype.fail!.call(fakeManager, 'run.score', 'job-1', 'boom'); // floating, as pg-boss's work() does
      await expect(Manager.prototype.complete!.call(fakeManager, 'run.score', 'job-2')).rejects.toThrow(/ECONNREFUSED/);
      await new Promise((r) => setTimeout(r, 20));
      expect(unhandled).toEqual([]);
      expect(lines).toHaveLength(2);
      expect(lines[0]).toMatch(/database unreachable while recording a job's result \(ECONNREFUSED\)/);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
