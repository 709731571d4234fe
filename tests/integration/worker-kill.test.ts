/**
 * A worker process killed mid-job (SIGKILL) leaves its pg-boss job active; when the lease
 * (expireInSeconds) runs out, maintenance puts the job back for retry, a second worker process
 * picks it up, skips what is already stored, and in the end every expected score exists exactly
 * once. Real processes (scripts/worker.ts) on the test database (embedded or TEST_DATABASE_URL).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { count, eq, sql } from 'drizzle-orm';
import type PgBoss from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDb, type DbHandle } from '@/db/client';
import { runMigrations } from '@/db/migrate';
import { rebuildDensityMap } from '@/db/queries/ground-truth';
import { createRun, insertSaliencyMaps } from '@/db/queries/runs';
import { datasets, fixations, gazeSessions, images, models, scores } from '@/db/schema';
import { startQueue, stopQueue } from '@/lib/jobs/queue';
import { RUN_SCORE } from '@/lib/jobs/scoring';
import { createRandom } from '@/lib/random';
import { driver, tempDir, testDatabaseUrl, wipeDatabase } from './helpers';

const url = testDatabaseUrl();
const root = path.resolve(__dirname, '../..');
const IMAGES = 40;
const W = 320;
const H = 240;
const METRICS = 9; // 8 ground-truth metrics + EMD (asked for, to make each image slow enough to interrupt)

function startWorkerProcess(dataDir: string): Promise<{ child: ChildProcess; output: () => string }> {
  // One process (node with tsx's loader), not the tsx CLI: that one runs the script in a child, and
  // a SIGKILL of the CLI would leave the real worker running.
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/worker.ts')], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: url, DATA_DIR: dataDir, GAZEBENCH_ROOT: root },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  child.stdout?.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${text}`)), 90_000);
    const check = setInterval(() => {
      if (text.includes('[worker] ready')) {
        clearInterval(check);
        clearTimeout(timer);
        resolve({ child, output: () => text });
      }
    }, 100);
    child.once('exit', (code) => {
      clearInterval(check);
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}: ${text}`));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`worker killed mid-job resumes after the lease expires (${driver})`, () => {
  let handle: DbHandle;
  let boss: PgBoss;
  let dataDir: string;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    handle = await openDb({ dataDir: tempDir(), databaseUrl: url });
    await wipeDatabase(handle);
    await runMigrations(handle);
    dataDir = tempDir();
    // This process only supervises: maintenance every second expires lost leases promptly.
    boss = await startQueue({ handle, supervise: true, maintenanceIntervalSeconds: 1 });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await stopQueue();
    await handle?.close();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('SIGKILL during run.score: the job is retried after expireIn and every score is stored exactly once', async () => {
    const first = await startWorkerProcess(dataDir);
    children.push(first.child);

    // A dataset of IMAGES images with simulated ground truth, and a run with one map per image.
    const { db } = handle;
    const [dataset] = await db.insert(datasets).values({ slug: 'kill-test', name: 'kill test', visibility: 'public' }).returning();
    const [model] = await db
      .insert(models)
      .values({ slug: 'kill-model', name: 'kill model', url: '/models/none/model.json', labels: ['a'], preprocessing: 'unit', inputWidth: 224, inputHeight: 224 })
      .returning();
    const imageRows = await db
      .insert(images)
      .values(Array.from({ length: IMAGES }, (_, i) => ({ datasetId: dataset!.id, name: `img-${i}.png`, width: W, height: H, sha256: '0'.repeat(64), mimeType: 'image/png', bytes: 1, position: i })))
      .returning();
    const sessions = await db
      .insert(gazeSessions)
      .values(Array.from({ length: 4 }, (_, k) => ({ datasetId: dataset!.id, modality: 'simulated' as const, observerLabel: `o${k}`, pixelsPerDegree: 20, status: 'accepted' })))
      .returning();
    const random = createRandom(7);
    await db.insert(fixations).values(
      imageRows.flatMap((img) => sessions.flatMap((s) => Array.from({ length: 5 }, (_, j) => ({ sessionId: s.id, imageId: img.id, x: random.next() * W, y: random.next() * H, startMs: j * 300, durationMs: 250 })))),
    );
    for (const img of imageRows) await rebuildDensityMap(db, img.id, 'simulated');
    const run = await createRun(db, { datasetId: dataset!.id, modelId: model!.id, explainer: 'noise', params: {}, target: {}, name: 'kill', scoreEmd: true, modality: 'simulated' });
    await insertSaliencyMaps(
      db,
      run.id,
      imageRows.map((img) => ({ imageId: img.id, grid: { width: W, height: H, data: Float32Array.from({ length: W * H }, () => random.next()) } })),
    );
    const expected = IMAGES * METRICS;
    const stored = async () => Number((await db.select({ n: count() }).from(scores).where(eq(scores.runId, run.id)))[0]?.n ?? 0);

    const jobId = await boss.send(RUN_SCORE, { runId: run.id }, { expireInSeconds: 10, retryLimit: 5, retryDelay: 1 });
    expect(jobId).toBeTruthy();
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && (await stored()) === 0) await sleep(20);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    const atKill = await stored();
    expect(atKill, 'the worker must be killed mid-run (some scores, not all)').toBeGreaterThan(0);
    expect(atKill).toBeLessThan(expected);
    expect((await boss.getJobById(RUN_SCORE, jobId as string))?.state).toBe('active');
    // Nobody holds the lease any more: after expireInSeconds the maintenance puts the job back.
    let lost = await boss.getJobById(RUN_SCORE, jobId as string);
    while (Date.now() < deadline && lost?.state === 'active') {
      await sleep(250);
      lost = await boss.getJobById(RUN_SCORE, jobId as string);
    }
    expect(lost?.state, JSON.stringify(lost)).toBe('retry');
    expect(await stored()).toBe(atKill);

    const second = await startWorkerProcess(dataDir);
    children.push(second.child);
    let job = await boss.getJobById(RUN_SCORE, jobId as string);
    while (Date.now() < deadline && ((await stored()) < expected || job?.state !== 'completed')) {
      await sleep(250);
      job = await boss.getJobById(RUN_SCORE, jobId as string);
    }
    expect(job?.state, JSON.stringify(job)).toBe('completed');
    expect(job?.retryCount, JSON.stringify(job)).toBeGreaterThanOrEqual(1);
    expect(await stored()).toBe(expected);
    const perKey = [...(await db.execute<{ n: number }>(sql`select count(*)::int as n from scores where run_id = ${run.id} group by image_id, metric, density_map_id having count(*) > 1`))];
    expect(perKey).toEqual([]);
    const metricsPerImage = await db.execute<{ n: number }>(sql`select count(distinct metric)::int as n from scores where run_id = ${run.id} group by image_id`);
    expect(metricsPerImage.map((r) => r.n)).toEqual(Array(IMAGES).fill(METRICS));
    second.child.kill('SIGTERM');
  }, 300_000);
});

