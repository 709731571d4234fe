/**
 * postgres.js 3.4.9 (and 3.4.10) can throw from a timer when a connection's socket is gone: its
 * `nextWrite` writes to a null socket (porsager/postgres#1154, #1208; fixes unmerged). The
 * exception is uncaught, so it ends the whole server: the crash test met it when the embedded
 * postmaster was killed under load. scripts/patch-dependencies.mjs (postinstall) guards it; this
 * test kills the backend of a reserved connection while queries are sent on it, and
 * checks that the callers get errors and the process survives. (Unpatched, the queries on the
 * reserved connection never settle; a pool whose backends are terminated mid-traffic threw the
 * TypeError from a timer. That second case is not a test here: postgres.js then also leaks, about
 * one run in eight, an unhandled 57P01 rejection of its own, which would make the test flaky.)
 */
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { driver, testDatabaseUrl } from './helpers';

describe(`postgres.js when the server drops its connections (${driver})`, () => {
  const admin = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
  const uncaught: unknown[] = [];
  const onUncaught = (err: unknown) => uncaught.push(err);
  process.on('uncaughtException', onUncaught);
  afterAll(async () => {
    process.off('uncaughtException', onUncaught);
    await admin.end({ timeout: 1 });
  });

  it('a reserved connection whose backend is terminated rejects its queries, and nothing is thrown from a timer', async () => {
    const sql = postgres(testDatabaseUrl(), { max: 2, onnotice: () => {} });
    try {
      const conn = await sql.reserve();
      const [{ pid }] = (await conn`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      await admin`select pg_terminate_backend(${pid})`;
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => conn.unsafe(`select ${i}`)));
      await new Promise((r) => setTimeout(r, 200));
      for (const r of results) expect(r.status).toBe('rejected');
      conn.release();
      // The pool still serves.
      expect((await sql`select 1 as one`)[0]).toEqual({ one: 1 });
    } finally {
      await sql.end({ timeout: 1 });
    }
    expect(uncaught.map(String)).toEqual([]);
  }, 30_000);

  it('a COPY TO whose rows and end all arrive before anyone reads leaves its connection usable', async () => {
    // ~30 kB: more than the readable's 16 kB buffer, less than one socket read, so the copy's
    // last rows and CopyDone land in one read while the stream is full. Unpatched, the socket
    // stayed paused and the next query never answered (gazebench backup hung on it in CI).
    const sql = postgres(testDatabaseUrl(), { max: 1, onnotice: () => {} });
    try {
      const conn = await sql.reserve();
      const readable = await conn.unsafe(`copy (select g, repeat('x', 1000) from generate_series(1, 30) g) to stdout`).readable();
      await new Promise((r) => setTimeout(r, 300));
      let bytes = 0;
      await new Promise<void>((resolve, reject) => {
        readable.on('data', (chunk: Buffer) => (bytes += chunk.length));
        readable.once('end', resolve);
        readable.once('error', reject);
      });
      expect(bytes).toBe(Array.from({ length: 30 }, (_, i) => `${i + 1}\t${'x'.repeat(1000)}\n`.length).reduce((a, b) => a + b, 0));
      const next = conn.unsafe('select 42 as n');
      const answer = await Promise.race([next, new Promise((r) => setTimeout(() => r('no answer in 5 s'), 5000))]);
      expect(answer).toEqual([{ n: 42 }]);
      conn.release();
    } finally {
      await sql.end({ timeout: 1 });
    }
  }, 30_000);
});
