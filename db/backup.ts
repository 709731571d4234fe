/**
 * Backup and restore of a Gazebench installation: the database and the blobs it references, in
 * one .tar.gz with a manifest of SHA-256s (`gazebench backup` / `gazebench restore`).
 *
 * Why not pg_dump: the embedded PostgreSQL from npm ships initdb, pg_ctl and postgres only, and a
 * system pg_dump of another major version refuses the server. So the dump is PostgreSQL's own
 * COPY: every table of schema public and drizzle's migration journal, read in ONE repeatable-read
 * read-only transaction (one snapshot: consistent while the server keeps taking gaze), in COPY's
 * text format. The job queue (schema pgboss) is not backed up: the worker re-enqueues unfinished
 * runs and missing reference rows at start (lib/jobs/worker.ts resumePendingWork).
 *
 * Restore reads the whole archive into a scratch folder first and checks every member against
 * the manifest, then, in one transaction on an empty database: the backup's migrations, the rows
 * (COPY FROM, parents before children by their foreign keys), sequences set past the restored
 * ids, then the newer migrations of this version. Any failure rolls everything back.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import type postgres from 'postgres';
import { z } from 'zod';
import { blobPath, putBlobFile } from '@/lib/storage/blobs';
import { endTar, readTar, writeTarFile } from '@/lib/io/tar';
import type { DbHandle } from './client';
import { committedMigrations, MIGRATIONS_DIR } from './migrate';

export const BACKUP_FORMAT = 'gazebench-backup';
export const BACKUP_VERSION = 1;
export class BackupError extends Error {}

const Member = z.object({ name: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().min(0) });
const Manifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  createdAt: z.string(),
  postgres: z.string(),
  migrations: z.array(z.string()),
  tables: z.array(Member.extend({ table: z.string(), rows: z.number().int().min(0) })),
  blobs: z.array(Member),
  excluded: z.array(z.string()),
});
export type BackupManifest = z.infer<typeof Manifest>;

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const qualified = (table: string) => table.split('.').map(quoteIdent).join('.');

async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file)) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), bytes };
}

/**
 * Streams a COPY TO STDOUT into `file` with synchronous writes. Not `pipeline` nor pause/resume:
 * postgres.js's COPY readable can end without 'close' (porsager/postgres#917). A synchronous
 * write is its own backpressure: the socket waits in the kernel while the chunk goes to disk.
 * (A copy that ended while its readable was full left the connection's socket paused, so the
 * next table's COPY never answered: scripts/patch-dependencies.mjs resumes it at CopyDone.)
 */
async function copyOut(readable: Readable, file: string): Promise<void> {
  const fd = fs.openSync(file, 'w');
  try {
    await new Promise<void>((resolve, reject) => {
      readable.on('data', (chunk: Buffer) => {
        try {
          for (let at = 0; at < chunk.length; ) at += fs.writeSync(fd, chunk, at);
        } catch (err) {
          readable.destroy(err as Error);
        }
      });
      readable.once('end', resolve);
      readable.once('error', reject);
    });
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * COPY FROM STDIN of one table's dump. postgres.js loses a COPY's error when it comes after the
 * last byte (foreign keys are checked then): the writable never finishes. So after the data is
 * sent, a probe query on the same connection (accepted as soon as the copy's end is sent) tells:
 * it runs after the copy, and fails with 25P02 when the copy aborted the transaction.
 */
async function copyIn(tx: postgres.TransactionSql, table: string, file: string): Promise<void> {
  const writable = await tx.unsafe(`copy ${qualified(table)} from stdin`).writable();
  const failed = new Promise<never>((_, reject) => writable.once('error', reject));
  failed.catch(() => undefined);
  const refused = (detail: string) => new BackupError(`restore: PostgreSQL refused the rows of ${table} (${detail}); nothing was restored`);
  try {
    for await (const chunk of fs.createReadStream(file)) {
      if (!writable.write(chunk)) await Promise.race([once(writable, 'drain'), failed]);
    }
    writable.end();
  } catch (err) {
    throw refused((err as Error).message);
  }
  for (;;) {
    try {
      await tx.unsafe('select 1');
      return;
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'COPY_IN_PROGRESS') await new Promise((r) => setTimeout(r, 5));
      else throw refused(code === '25P02' ? 'a row breaks a constraint; the server log names it' : (err as Error).message);
    }
  }
}

/** Writes the backup to `out` (via a temp name: a killed backup leaves no half archive there). */
export async function backupDatabase(handle: DbHandle, options: { dataDir: string; out: string }): Promise<BackupManifest> {
  const work = fs.mkdtempSync(path.join(path.dirname(path.resolve(options.out)), '.gazebench-backup-'));
  try {
    const conn = await handle.sql.reserve();
    const tables: BackupManifest['tables'] = [];
    let shas: string[] = [];
    let postgresVersion = '';
    let migrations: string[] = [];
    try {
      await conn.unsafe('begin isolation level repeatable read read only');
      const [version] = await conn.unsafe<{ server_version: string }[]>('show server_version');
      postgresVersion = version?.server_version ?? '';
      const applied = await conn.unsafe<{ n: number }[]>('select count(*)::int as n from drizzle.__drizzle_migrations');
      migrations = committedMigrations().slice(0, applied[0]?.n ?? 0);
      const names = await conn.unsafe<{ name: string }[]>(
        `select table_schema || '.' || table_name as name from information_schema.tables
         where table_type = 'BASE TABLE' and (table_schema = 'public' or (table_schema = 'drizzle' and table_name = '__drizzle_migrations')) order by 1`,
      );
      for (const { name } of names) {
        const file = path.join(work, `${name}.copy`);
        await copyOut(await conn.unsafe(`copy ${qualified(name)} to stdout`).readable(), file);
        const { sha256, bytes } = await hashFile(file);
        let rows = 0;
        for await (const chunk of fs.createReadStream(file)) for (let at = (chunk as Buffer).indexOf(10); at !== -1; at = (chunk as Buffer).indexOf(10, at + 1)) rows++;
        tables.push({ table: name, name: `db/${name}.copy`, sha256, bytes, rows });
      }
      const refs = await conn.unsafe<{ sha: string }[]>(
        `select sha256 as sha from images union select f->>'sha256' from models, jsonb_array_elements(coalesce(files, '[]'::jsonb)) f order by 1`,
      );
      shas = refs.map((r) => r.sha);
      await conn.unsafe('commit');
    } finally {
      conn.release();
    }
    const blobs: BackupManifest['blobs'] = [];
    for (const sha of shas) {
      const file = blobPath(options.dataDir, sha);
      if (!fs.existsSync(file)) throw new BackupError(`backup: blob ${sha} is referenced by the database but missing from ${path.dirname(file)}`);
      const { sha256, bytes } = await hashFile(file);
      if (sha256 !== sha) throw new BackupError(`backup: blob ${sha} is damaged on disk (its content hashes to ${sha256})`);
      blobs.push({ name: `blobs/${sha}`, sha256, bytes });
    }
    const manifest: BackupManifest = { format: BACKUP_FORMAT, version: BACKUP_VERSION, createdAt: new Date().toISOString(), postgres: postgresVersion, migrations, tables, blobs, excluded: ['pgboss (job queue: rebuilt by the worker at start)'] };
    const manifestFile = path.join(work, 'manifest.json');
    fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
    const tmp = path.join(work, 'archive.tar.gz');
    const gzip = createGzip();
    const written = pipeline(gzip, fs.createWriteStream(tmp));
    await writeTarFile(gzip, 'manifest.json', manifestFile);
    for (const t of tables) await writeTarFile(gzip, t.name, path.join(work, `${t.table}.copy`));
    for (const b of blobs) await writeTarFile(gzip, b.name, blobPath(options.dataDir, b.sha256));
    await endTar(gzip);
    gzip.end();
    await written;
    fs.renameSync(tmp, options.out);
    return manifest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** Unpacks into `work`, checking each member's SHA-256 and size against the manifest. */
async function unpackVerified(file: string, work: string): Promise<BackupManifest> {
  const seen = new Map<string, { sha256: string; bytes: number; path: string }>();
  let index = 0;
  try {
    const gunzip = createGunzip();
    const input = fs.createReadStream(file).once('error', (err) => gunzip.destroy(err)); // .pipe() does not forward errors
    await readTar(input.pipe(gunzip), async (entry, chunks) => {
      if (!/^(manifest\.json|db\/[\w.]+\.copy|blobs\/[0-9a-f]{64})$/.test(entry.name)) throw new BackupError(`restore: unexpected member ${entry.name}`);
      const target = path.join(work, `m${index++}`);
      const hash = createHash('sha256');
      const out = fs.createWriteStream(target);
      for await (const chunk of chunks) {
        hash.update(chunk);
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
      }
      await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
      seen.set(entry.name, { sha256: hash.digest('hex'), bytes: entry.size, path: target });
    });
  } catch (err) {
    if (err instanceof BackupError) throw err;
    throw new BackupError(`restore: ${file} is not a readable Gazebench backup: ${(err as Error).message}`);
  }
  const manifestEntry = seen.get('manifest.json');
  if (!manifestEntry) throw new BackupError(`restore: ${file} has no manifest.json`);
  const parsed = Manifest.safeParse(JSON.parse(fs.readFileSync(manifestEntry.path, 'utf8')));
  if (!parsed.success) throw new BackupError(`restore: manifest.json: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
  for (const m of [...parsed.data.tables, ...parsed.data.blobs]) {
    const got = seen.get(m.name);
    if (!got) throw new BackupError(`restore: member ${m.name} listed in the manifest is missing`);
    if (got.sha256 !== m.sha256 || got.bytes !== m.bytes) throw new BackupError(`restore: member ${m.name} does not match its SHA-256 in the manifest (damaged archive)`);
  }
  return parsed.data;
}

/** Tables in an order where every foreign key's target comes first (self references aside). */
async function loadOrder(sql: postgres.TransactionSql, tables: string[]): Promise<string[]> {
  const edges = await sql.unsafe<{ child: string; parent: string }[]>(
    `select cn.nspname || '.' || c.relname as child, pn.nspname || '.' || p.relname as parent
     from pg_constraint k join pg_class c on c.oid = k.conrelid join pg_namespace cn on cn.oid = c.relnamespace
     join pg_class p on p.oid = k.confrelid join pg_namespace pn on pn.oid = p.relnamespace where k.contype = 'f'`,
  );
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (t: string) => {
    if (order.includes(t) || visiting.has(t)) return;
    visiting.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t && tables.includes(e.parent)) visit(e.parent);
    order.push(t);
  };
  for (const t of tables) visit(t);
  return order;
}

export async function restoreDatabase(handle: DbHandle, options: { dataDir: string; file: string; log?: (line: string) => void }): Promise<BackupManifest> {
  const log = options.log ?? (() => {});
  const work = fs.mkdtempSync(path.join(path.resolve(options.dataDir), '.gazebench-restore-'));
  try {
    const manifest = await unpackVerified(options.file, work);
    const committed = committedMigrations();
    if (manifest.migrations.some((tag, i) => committed[i] !== tag)) {
      throw new BackupError(`restore: the backup's migrations (${manifest.migrations.at(-1)}) are not a prefix of this version's (${committed.at(-1)}); restore it with a Gazebench at least as new as the one that made it`);
    }
    const [used] = await handle.sql.unsafe<{ n: number }[]>(
      `select count(*)::int as n from information_schema.tables where table_schema in ('public', 'drizzle') and table_type = 'BASE TABLE'`,
    );
    if ((used?.n ?? 0) > 0) throw new BackupError('restore: the target database is not empty (it has tables); restore into an empty DATA_DIR or database');
    const members = new Map<string, string>();
    let index = 0;
    // unpackVerified numbered members in archive order: manifest, tables, blobs.
    for (const name of ['manifest.json', ...manifest.tables.map((t) => t.name), ...manifest.blobs.map((b) => b.name)]) members.set(name, path.join(work, `m${index++}`));
    const migrations = path.join(work, 'migrations');
    fs.cpSync(MIGRATIONS_DIR, migrations, { recursive: true });
    const journalFile = path.join(migrations, 'meta', '_journal.json');
    const journal = JSON.parse(fs.readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
    fs.writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, manifest.migrations.length) }));
    const { readMigrationFiles } = await import('drizzle-orm/migrator');
    await handle.sql.begin(async (tx) => {
      // The backup's schema: the migrations it was made with (the journal rows come from the dump).
      for (const m of readMigrationFiles({ migrationsFolder: migrations })) for (const statement of m.sql) if (statement.trim()) await tx.unsafe(statement);
      await tx.unsafe('create schema if not exists drizzle');
      await tx.unsafe('create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)');
      const tables = manifest.tables.map((t) => t.table);
      // The order from inside the transaction: the tables exist only there until it commits.
      for (const table of await loadOrder(tx, tables)) {
        const member = manifest.tables.find((t) => t.table === table);
        if (member) await copyIn(tx, table, members.get(member.name) as string);
      }
      const sequences = await tx.unsafe<{ seq: string; tbl: string; col: string }[]>(
        `select pg_get_serial_sequence(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name), c.column_name) as seq, c.table_schema || '.' || c.table_name as tbl, c.column_name as col
         from information_schema.columns c where c.table_schema in ('public', 'drizzle') and pg_get_serial_sequence(quote_ident(c.table_schema) || '.' || quote_ident(c.table_name), c.column_name) is not null`,
      );
      for (const s of sequences) {
        await tx.unsafe(`select setval('${s.seq.replace(/'/g, "''")}', coalesce((select max(${quoteIdent(s.col)}) from ${qualified(s.tbl)}), 0) + 1, false)`);
      }
    });
    for (const b of manifest.blobs) {
      const tmp = path.join(path.resolve(options.dataDir), 'blobs', `.restore-${b.sha256}`);
      fs.mkdirSync(path.dirname(tmp), { recursive: true });
      fs.renameSync(members.get(b.name) as string, tmp);
      await putBlobFile(options.dataDir, tmp, b.sha256);
    }
    log(`restored ${manifest.tables.reduce((n, t) => n + t.rows, 0)} rows in ${manifest.tables.length} tables and ${manifest.blobs.length} blobs (backup of ${manifest.createdAt})`);
    return manifest;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}
