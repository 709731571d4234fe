/**
 * Backup → restore round trip (issue 15) on two throwaway databases of the test server: the demo
 * content, two scored demo runs and a study with two participants' sessions, backed up while
 * the source stays open, restored into an empty database and an empty DATA_DIR. Every table's
 * rows, every referenced blob and the leaderboard (with its content-addressed snapshot id) must
 * come back exactly; a damaged archive and a non-empty target are refused, changing nothing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as getLeaderboard } from '@/app/api/v1/datasets/[id]/leaderboard/route';
import { BackupError, backupDatabase, restoreDatabase, type BackupManifest } from '@/db/backup';
import { openDb, setDbHandle, type DbHandle } from '@/db/client';
import { runMigrations } from '@/db/migrate';
import { runs } from '@/db/schema';
import { DEMO_STUDY_SLUG, seedDemo } from '@/db/seed/demo';
import { seedDemoRuns } from '@/db/seed/demo-runs';
import { scoreRun } from '@/lib/scoring/score-run';
import { tarHeader } from '@/lib/io/tar';
import { blobPath } from '@/lib/storage/blobs';
import { driver, tempDir, testDatabaseUrl } from './helpers';
import { calibrate, LOOK_AT, runTrial, startSession } from './participant-helpers';
import { params } from './scoring-helpers';

const root = path.resolve(__dirname, '../..');
const stamp = `${process.pid}_${Date.now()}`;
const SOURCE = `gazebench_backup_src_${stamp}`;
const TARGET = `gazebench_backup_dst_${stamp}`;

function urlOf(database: string): string {
  const url = new URL(testDatabaseUrl());
  url.pathname = `/${database}`;
  return url.toString();
}

/** Row count and an order-independent digest of every table's rows (its text form, sorted). */
async function tableDigests(handle: DbHandle): Promise<Record<string, string>> {
  const names = await handle.sql.unsafe<{ name: string }[]>(
    `select table_schema || '.' || table_name as name from information_schema.tables
     where table_type = 'BASE TABLE' and table_schema in ('public', 'drizzle') order by 1`,
  );
  const out: Record<string, string> = {};
  for (const { name } of names) {
    const q = name.split('.').map((p) => `"${p}"`).join('.');
    const [row] = await handle.sql.unsafe<{ n: number; md5: string | null }[]>(`select count(*)::int as n, md5(string_agg(t::text, E'\\n' order by t::text)) as md5 from ${q} t`);
    out[name] = `${row?.n}:${row?.md5}`;
  }
  return out;
}

async function leaderboard(handle: DbHandle): Promise<Record<string, unknown>> {
  setDbHandle(handle);
  const res = await getLeaderboard(new Request('http://x/api/v1/datasets/demo-shapes/leaderboard'), params({ id: 'demo-shapes' }));
  expect(res.status).toBe(200);
  const { generatedAt: _, ...body } = (await res.json()) as Record<string, unknown>;
  return body;
}

/** Rewrites one member of a .tar.gz in place (same length), as a damaged disk or a tamperer would. */
function flipByteOf(archive: string, out: string, member: string): void {
  const tar = gunzipSync(fs.readFileSync(archive));
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(tar.subarray(off + 124, off + 136).toString('utf8').replace(/\0.*$/s, '').trim() || '0', 8);
    if (!name) break;
    if (name === member) {
      const at = off + 512 + Math.floor(size / 2);
      tar[at] = tar[at] === 0x30 ? 0x31 : 0x30;
      fs.writeFileSync(out, gzipSync(tar));
      return;
    }
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`member ${member} not in ${archive}`);
}

/** Rebuilds the archive with one member's text rewritten and the manifest updated to match it. */
function rewriteMember(archive: string, out: string, member: string, edit: (text: string) => string): void {
  const tar = gunzipSync(fs.readFileSync(archive));
  const members: { name: string; data: Buffer }[] = [];
  for (let off = 0; off + 512 <= tar.length; ) {
    const name = tar.subarray(off, off + 100).toString('utf8').replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(tar.subarray(off + 124, off + 136).toString('utf8').replace(/\0.*$/s, '').trim(), 8);
    members.push({ name, data: Buffer.from(tar.subarray(off + 512, off + 512 + size)) });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  const target = members.find((m) => m.name === member);
  if (!target) throw new Error(`member ${member} not in ${archive}`);
  target.data = Buffer.from(edit(target.data.toString('utf8')));
  const manifestMember = members.find((m) => m.name === 'manifest.json') as { data: Buffer };
  const manifest = JSON.parse(manifestMember.data.toString('utf8')) as BackupManifest;
  const entry = manifest.tables.find((t) => t.name === member) as BackupManifest['tables'][number];
  entry.sha256 = createHash('sha256').update(target.data).digest('hex');
  entry.bytes = target.data.length;
  manifestMember.data = Buffer.from(JSON.stringify(manifest));
  const blocks: Buffer[] = [];
  for (const m of members) blocks.push(tarHeader(m.name, m.data.length), m.data, Buffer.alloc((512 - (m.data.length % 512)) % 512));
  blocks.push(Buffer.alloc(1024));
  fs.writeFileSync(out, gzipSync(Buffer.concat(blocks)));
}

describe(`backup and restore on ${driver}`, () => {
  let admin: postgres.Sql;
  let source: DbHandle;
  let target: DbHandle | undefined;
  const sourceDir = tempDir('gazebench-backup-src-');
  const targetDir = tempDir('gazebench-backup-dst-');
  const work = tempDir('gazebench-backup-out-');
  const archive = path.join(work, 'study.tar.gz');
  let manifest: BackupManifest;
  let before: Record<string, string>;
  let board: Record<string, unknown>;

  beforeAll(async () => {
    admin = postgres(urlOf('postgres'), { max: 1, onnotice: () => {} });
    await admin.unsafe(`create database ${SOURCE}`);
    await admin.unsafe(`create database ${TARGET}`);
    source = await openDb({ dataDir: sourceDir, databaseUrl: urlOf(SOURCE) });
    await runMigrations(source);
    setDbHandle(source);
    process.env.DATA_DIR = sourceDir;
    process.env.GAZEBENCH_SECRET = 'backup-restore-secret-0123456789';
    await seedDemo(source, { dataDir: sourceDir, publicDir: path.join(root, 'public') });
    // Two demo runs of 10 maps each (the committed maps), scored against the simulated ground truth.
    const runsDir = path.join(work, 'runs');
    for (const explainer of ['gradcam', 'rise']) {
      const from = path.join(root, 'db/seed/demo-runs', explainer);
      fs.mkdirSync(path.join(runsDir, explainer), { recursive: true });
      fs.copyFileSync(path.join(from, 'manifest.json'), path.join(runsDir, explainer, 'manifest.json'));
      for (const f of fs.readdirSync(from).filter((f) => f.endsWith('.npy.gz')).sort().slice(0, 10)) fs.copyFileSync(path.join(from, f), path.join(runsDir, explainer, f));
    }
    expect(await seedDemoRuns(source, { runsDir })).toBe(2);
    for (const run of await source.db.select({ id: runs.id }).from(runs)) expect((await scoreRun(source.db, run.id)).failed).toBe(0);
    // A study with sessions: two participants through the participant API.
    for (let k = 0; k < 2; k++) {
      const s = await startSession(DEMO_STUDY_SLUG, { provider: 'prolific', participantId: `backup-participant-${k}` });
      await calibrate(s);
      let seq = 0;
      for (const trial of s.trials.filter((t) => t.kind === 'image').slice(0, 2)) seq = (await runTrial(s, trial, LOOK_AT, 10_000 + seq * 1000, seq, k + 1)).seq;
    }
    board = await leaderboard(source); // first: reading the leaderboard stores its citable snapshot
    before = await tableDigests(source);
  }, 300_000);

  afterAll(async () => {
    await source?.close();
    await target?.close();
    await admin.unsafe(`drop database if exists ${SOURCE} with (force)`).catch(() => undefined);
    await admin.unsafe(`drop database if exists ${TARGET} with (force)`).catch(() => undefined);
    await admin.end({ timeout: 1 });
    for (const dir of [sourceDir, targetDir, work]) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes one archive with a SHA-256 manifest of every table and referenced blob', async () => {
    const started = Date.now();
    manifest = await backupDatabase(source, { dataDir: sourceDir, out: archive });
    const backupMs = Date.now() - started;
    const rows = (table: string) => manifest.tables.find((t) => t.table === table)?.rows;
    expect(rows('public.images')).toBe(80);
    expect(rows('public.gaze_sessions')).toBe(Number(before['public.gaze_sessions']?.split(':')[0]));
    expect(rows('public.sample_batches')).toBeGreaterThan(0);
    expect(rows('public.saliency_maps')).toBe(20);
    expect(manifest.tables.map((t) => t.table)).toContain('drizzle.__drizzle_migrations');
    expect(manifest.tables.some((t) => t.table.startsWith('pgboss.'))).toBe(false);
    // Every image and model file is in it, and nothing the database does not reference.
    const shas = new Set(manifest.blobs.map((b) => b.sha256));
    const referenced = await source.sql<{ sha: string }[]>`select sha256 as sha from images union select f->>'sha256' from models, jsonb_array_elements(files) f`;
    expect(shas).toEqual(new Set(referenced.map((r) => r.sha)));
    for (const b of manifest.blobs) expect(createHash('sha256').update(fs.readFileSync(blobPath(sourceDir, b.sha256))).digest('hex')).toBe(b.sha256);
    console.log(`[backup] ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows, ${manifest.blobs.length} blobs, ${fs.statSync(archive).size} bytes in ${backupMs} ms`);
  });

  it('refuses a damaged archive, naming the member, and leaves the target empty', async () => {
    const damaged = path.join(work, 'damaged.tar.gz');
    flipByteOf(archive, damaged, 'db/public.sample_batches.copy');
    target = await openDb({ dataDir: targetDir, databaseUrl: urlOf(TARGET) });
    await expect(restoreDatabase(target, { dataDir: targetDir, file: damaged })).rejects.toThrow(BackupError);
    await expect(restoreDatabase(target, { dataDir: targetDir, file: damaged })).rejects.toThrow(/member db\/public\.sample_batches\.copy does not match its SHA-256/);
    const truncated = path.join(work, 'truncated.tar.gz');
    fs.writeFileSync(truncated, fs.readFileSync(archive).subarray(0, 4096));
    await expect(restoreDatabase(target, { dataDir: targetDir, file: truncated })).rejects.toThrow(/not a readable Gazebench backup|missing/);
    await expect(restoreDatabase(target, { dataDir: targetDir, file: path.join(work, 'absent.tar.gz') })).rejects.toThrow(/not a readable Gazebench backup: ENOENT/);
    // Consistent checksums but rows that break a foreign key (checked after the last row).
    const broken = path.join(work, 'broken-rows.tar.gz');
    const runIds = (await source.db.select({ id: runs.id }).from(runs)).map((r) => r.id);
    rewriteMember(archive, broken, 'db/public.saliency_maps.copy', (text) => runIds.reduce((t, id) => t.replaceAll(id, '00000000-0000-4000-8000-000000000000'), text));
    await expect(restoreDatabase(target, { dataDir: targetDir, file: broken })).rejects.toThrow(/refused the rows of public\.saliency_maps.*nothing was restored/);
    const [tables] = await target.sql<{ n: number }[]>`select count(*)::int as n from information_schema.tables where table_schema in ('public', 'drizzle')`;
    expect(tables?.n).toBe(0);
    expect(fs.existsSync(path.join(targetDir, 'blobs')) ? fs.readdirSync(path.join(targetDir, 'blobs'), { recursive: true }).filter((f) => !String(f).startsWith('.')).length : 0).toBe(0);
  });

  it('restores every row, blob and the leaderboard exactly into an empty database and DATA_DIR', async () => {
    target ??= await openDb({ dataDir: targetDir, databaseUrl: urlOf(TARGET) });
    const started = Date.now();
    await restoreDatabase(target, { dataDir: targetDir, file: archive });
    await runMigrations(target);
    const restoreMs = Date.now() - started;
    expect(await tableDigests(target)).toEqual(before);
    for (const b of manifest.blobs) expect(fs.readFileSync(blobPath(targetDir, b.sha256))).toEqual(fs.readFileSync(blobPath(sourceDir, b.sha256)));
    const restored = await leaderboard(target);
    expect(restored).toEqual(board);
    expect((board.rows as { kind: string }[]).filter((r) => r.kind === 'run')).toHaveLength(2);
    // New rows get ids after the restored ones: the sequences were set past them.
    const [meta] = await target.sql<{ n: number; max: number }[]>`select count(*)::int as n, max(id)::int as max from drizzle.__drizzle_migrations`;
    expect(meta?.n).toBe(manifest.migrations.length);
    await target.sql.begin(async (tx) => {
      const [row] = await tx<{ id: number }[]>`insert into drizzle.__drizzle_migrations (hash, created_at) values ('probe', 0) returning id`;
      expect(row?.id).toBe((meta?.max ?? 0) + 1);
      await tx`delete from drizzle.__drizzle_migrations where hash = 'probe'`;
    });
    console.log(`[restore] ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows and ${manifest.blobs.length} blobs in ${restoreMs} ms`);
  });

  it('refuses to restore over a database that has tables, changing nothing', async () => {
    const digests = await tableDigests(source);
    await expect(restoreDatabase(source, { dataDir: sourceDir, file: archive })).rejects.toThrow(/target database is not empty/);
    expect(await tableDigests(source)).toEqual(digests);
  });
});
