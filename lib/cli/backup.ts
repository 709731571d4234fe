/**
 * `gazebench backup --out FILE` and `gazebench restore FILE` (db/backup.ts): the database of this
 * installation (DATABASE_URL, else the embedded PostgreSQL of DATA_DIR, shared with a running
 * server) and the blobs it references, as one .tar.gz with a manifest of SHA-256s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDb } from '../../db/client';
import { BackupError, backupDatabase, restoreDatabase } from '../../db/backup';
import { runMigrations } from '../../db/migrate';
import { loadConfig } from '../config';
import { bootDatabase, ensureWritableDir } from '../server/boot';
import { UsageError } from './main';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const log = (line: string) => process.stderr.write(`${line}\n`);

export const BACKUP_HELP = `Usage: gazebench backup --out FILE
  Writes the database and the files it references to FILE (.tar.gz with a SHA-256 manifest).
  Safe while the server runs: the dump is one snapshot of the database.
Uses DATABASE_URL, else the embedded database under DATA_DIR (default .data).`;

export const RESTORE_HELP = `Usage: gazebench restore FILE
  Restores a backup into an empty DATA_DIR (embedded database) or an empty DATABASE_URL database.
  Every member is checked against the manifest first; on any error nothing is changed.`;

export async function run(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, strict: true, allowPositionals: false, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${BACKUP_HELP}\n`);
    return 0;
  }
  if (!values.out) throw new UsageError('--out FILE is required (see --help)');
  if (fs.existsSync(values.out)) throw new UsageError(`--out: ${values.out} exists; choose a new file name`);
  const config = loadConfig();
  const handle = await bootDatabase(config, { root, seed: false, log });
  const out = values.out;
  return closingAfter(handle, 1, async () => {
    const started = Date.now();
    const m = await backupDatabase(handle, { dataDir: config.dataDir, out });
    const rows = m.tables.reduce((n, t) => n + t.rows, 0);
    process.stdout.write(`backup written to ${out}: ${rows} rows in ${m.tables.length} tables, ${m.blobs.length} blobs, ${fs.statSync(out).size} bytes in ${Date.now() - started} ms\n`);
  });
}

export async function restore(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${RESTORE_HELP}\n`);
    return 0;
  }
  const [file] = positionals;
  if (!file || positionals.length > 1) throw new UsageError('give exactly one backup FILE (see --help)');
  fs.accessSync(file, fs.constants.R_OK);
  const config = loadConfig();
  ensureWritableDir(config.dataDir);
  const handle = await openDb({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, log });
  return closingAfter(handle, 2, async () => {
    const started = Date.now();
    await restoreDatabase(handle, { dataDir: config.dataDir, file, log });
    await runMigrations(handle);
    process.stdout.write(`restored ${file} in ${Date.now() - started} ms\n`);
  });
}

/** Runs `work` on `handle` and closes it; a BackupError becomes one stderr line and `failCode`. */
async function closingAfter(handle: { close(): Promise<void> }, failCode: number, work: () => Promise<void>): Promise<number> {
  try {
    await work();
    return 0;
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    process.stderr.write(`gazebench ${err.message}\n`);
    return failCode;
  } finally {
    await handle.close();
  }
}
