/**
 * Crash safety of the embedded PostgreSQL default (issue 15): 10 cycles of {start `npm start`,
 * 100 simulated participants posting batches through the browser client's upload queue, a kill
 * -9 at a random moment, restart}. The moments: during the demo seed (first start), during
 * ingestion, while a pg-boss job is active, one second into a graceful stop (SIGTERM). The
 * targets: the node process, the postmaster, or both. At the end every batch answered 2xx is
 * stored exactly once with its samples, and the server starts again.
 *
 * Runs on the embedded pass of npm test only (the external pass has no embedded server to kill).
 * The server uses the e2e build (.next-e2e, loopback only), which the e2e step then reuses.
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { openDb } from '@/db/client';
import { embeddedPostmasterPid, runningEmbeddedUrl } from '@/db/embedded';
import { createStudyIfFree } from '@/db/queries/studies';
import { createRandom } from '@/lib/random';
import { Participant, SAMPLES_PER_BATCH, ServerProcess, sleep } from './crash-helpers';
import { driver, tempDir } from './helpers';

const CYCLES = 10;
const PARTICIPANTS = 100;
const BATCHES = 12;
const INTERVAL_MS = 300;
type Moment = 'seeding' | 'ingest' | 'job' | 'graceful';
type Target = 'node' | 'postmaster' | 'both';
const PLAN: Array<[Moment, Target]> = [
  ['seeding', 'both'], ['ingest', 'node'], ['ingest', 'postmaster'], ['job', 'both'], ['graceful', 'node'],
  ['ingest', 'both'], ['job', 'postmaster'], ['graceful', 'both'], ['job', 'node'], ['ingest', 'postmaster'],
];

async function freePort(): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe.skipIf(driver !== 'embedded')('crash safety of the embedded PostgreSQL', () => {
  const dataDir = tempDir('gazebench-crash-');
  let server: ServerProcess;
  let watcher: postgres.Sql | undefined;

  afterAll(async () => {
    await watcher?.end({ timeout: 1 });
    if (server?.running) {
      server.child?.kill('SIGTERM');
      await server.exited();
    }
    const pm = embeddedPostmasterPid(dataDir);
    if (pm) process.kill(pm, 'SIGQUIT');
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** A connection to the running embedded server (re-opened after each kill). */
  async function db(): Promise<postgres.Sql> {
    for (let i = 0; i < 300; i++) {
      const url = runningEmbeddedUrl(dataDir);
      if (url) {
        await watcher?.end({ timeout: 1 }).catch(() => undefined);
        watcher = postgres(url, { max: 1, onnotice: () => {} });
        return watcher;
      }
      await sleep(100);
    }
    throw new Error('the embedded server is not running');
  }

  function kill(target: Target): void {
    const pm = embeddedPostmasterPid(dataDir);
    if (target !== 'postmaster') server.child?.kill('SIGKILL');
    if (target !== 'node' && pm) process.kill(pm, 'SIGKILL');
  }

  it(`${CYCLES} cycles of load, kill -9 and restart keep every acknowledged batch exactly once`, async () => {
    const port = await freePort();
    const env = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, DATABASE_URL: '', GAZEBENCH_E2E_BUILD: '1', GAZEBENCH_SECRET: 'crash-test-secret-0123456789' };
    server = new ServerProcess(env, `http://127.0.0.1:${port}`);
    const random = createRandom(20261206);
    const everyone: Participant[] = [];
    const figures: string[] = [];
    let sawActiveJob = 0;

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const [moment, target] = PLAN[cycle] as [Moment, Target];
      const started = Date.now();
      if (!server.running) server.start();
      if (moment === 'seeding') {
        await server.waitFor('migrations applied', 120_000);
        await sleep(random.int(800));
        const seeded = server.output.includes('demo content seeded');
        kill(target);
        await server.exited();
        figures.push(`cycle ${cycle + 1}: killed ${target} during seeding (${seeded ? 'after' : 'before'} the seed committed)`);
        server.start();
      }
      // First start of a clone builds the site: minutes.
      await server.waitHealthy(cycle < 2 ? 15 * 60_000 : 120_000);
      const healthyMs = Date.now() - started;
      const sql = await db();
      const handle = await openDb({ dataDir, databaseUrl: runningEmbeddedUrl(dataDir) });
      try {
        const [demo] = await sql<{ id: string }[]>`select id from datasets where slug = 'demo-shapes'`;
        await createStudyIfFree(handle.db, {
          slug: 'crash-study', datasetId: demo?.id ?? '', name: 'Crash test', status: 'open', consentText: '',
          config: { imagesPerParticipant: 5, observersPerImage: 1000, viewingMs: 30_000, driftEvery: 0 },
        });
      } finally {
        await handle.close();
      }

      const participants = Array.from({ length: PARTICIPANTS }, (_, i) => new Participant(server.base, cycle * PARTICIPANTS + i));
      for (let i = 0; i < PARTICIPANTS; i += 20) await Promise.all(participants.slice(i, i + 20).map((p) => p.setUp('crash-study')));
      everyone.push(...participants);
      const recording = Promise.all(participants.map((p) => p.record(BATCHES, INTERVAL_MS)));

      if (moment !== 'seeding') {
        if (moment === 'job') {
          for (let i = 0; i < 50; i++) {
            const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pgboss.job where state = 'active'`;
            if ((row?.n ?? 0) > 0) {
              sawActiveJob++;
              break;
            }
            await sleep(100);
          }
        } else await sleep(500 + random.int(2000));
        const acked = participants.reduce((n, p) => n + p.acked.size, 0);
        if (moment === 'graceful') {
          server.child?.kill('SIGTERM');
          await sleep(1000);
        }
        kill(target);
        figures.push(`cycle ${cycle + 1}: healthy after ${healthyMs} ms; killed ${target} ${moment === 'graceful' ? '1 s into a graceful stop' : `during ${moment}`} with ${acked} batches acknowledged`);
        if (target !== 'postmaster') {
          await server.exited();
          server.start();
        }
        const restarted = Date.now();
        await server.waitHealthy(120_000);
        figures.push(`cycle ${cycle + 1}: serving again after ${Date.now() - restarted} ms`);
      }
      await recording;
      await Promise.race([Promise.all(participants.map((p) => p.drain())), sleep(120_000)]);
      expect(participants.reduce((n, p) => n + p.pending, 0), `cycle ${cycle + 1}: batches still pending`).toBe(0);
      for (const p of participants) expect(p.permanent, `cycle ${cycle + 1}`).toEqual([]);
    }

    // Every acknowledged batch is stored exactly once, with all its samples.
    const sql = await db();
    const rows = await sql<{ session_id: string; seq: number; sample_count: number; copies: number }[]>`
      select session_id, seq, sum(sample_count)::int as sample_count, count(*)::int as copies from sample_batches group by session_id, seq`;
    const stored = new Map(rows.map((r) => [`${r.session_id}:${r.seq}`, r]));
    let acked = 0;
    let samples = 0;
    for (const p of everyone) {
      for (const [seq, n] of p.acked) {
        const row = stored.get(`${p.sessionId}:${seq}`);
        expect(row, `${p.sessionId}:${seq}`).toBeDefined();
        expect(row?.copies).toBe(1);
        expect(row?.sample_count).toBe(n);
        acked++;
        samples += n;
      }
    }
    expect(acked).toBe(CYCLES * PARTICIPANTS * BATCHES);
    const [total] = await sql<{ n: number }[]>`select coalesce(sum(sample_count), 0)::int as n from sample_batches`;
    expect(total?.n).toBe(samples);
    expect(samples).toBe(acked * SAMPLES_PER_BATCH);
    const [images] = await sql<{ n: number }[]>`select count(*)::int as n from images i join datasets d on d.id = i.dataset_id where d.slug = 'demo-shapes'`;
    expect(images?.n).toBe(80);
    expect(sawActiveJob).toBeGreaterThan(0);
    const retries = everyone.reduce((n, p) => n + p.retries, 0);
    figures.push(`total: ${acked} batches acknowledged, ${acked} stored exactly once, ${samples} samples, ${retries} client retries, ${sawActiveJob} of 3 job kills hit an active job`);
    console.log(`[crash test]\n${figures.join('\n')}`);

    // A graceful stop ends with the postmaster stopped too.
    server.child?.kill('SIGTERM');
    await server.exited();
    await watcher?.end({ timeout: 1 });
    watcher = undefined;
    for (let i = 0; i < 100 && embeddedPostmasterPid(dataDir); i++) await sleep(100);
    expect(embeddedPostmasterPid(dataDir)).toBeUndefined();
    expect(server.child?.exitCode).toBe(0);

    // And after that clean stop, the next `npm start` serves the same data.
    const restarted = Date.now();
    server.start();
    await server.waitHealthy(120_000);
    const restartMs = Date.now() - restarted;
    const again = await db();
    const [after] = await again<{ n: number; batches: number }[]>`select coalesce(sum(sample_count), 0)::int as n, count(*)::int as batches from sample_batches`;
    expect(after).toEqual({ n: samples, batches: rows.length });
    console.log(`[crash test] after a graceful stop: healthy again in ${restartMs} ms with all ${rows.length} batches`);
  }, 40 * 60_000);
});
