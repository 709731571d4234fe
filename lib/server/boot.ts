/**
 * Start-up steps shared by `npm start` (web + in-process worker) and
 * `npm run worker`: check the data directory, open the database (DATABASE_URL, else start or
 * attach to the embedded PostgreSQL of DATA_DIR), apply migrations, seed the demo once, resolve the secret.
 * Each failure is a one-line BootError; callers print it and exit non-zero.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseConnectError, openDb, setDbHandle, type DbHandle } from '@/db/client';
import { runMigrations } from '@/db/migrate';
import { seedDemo } from '@/db/seed/demo';
import { DemoRunsError, demoRunsDir, seedDemoRuns } from '@/db/seed/demo-runs';
import type { AppConfig } from '@/lib/config';
import { resolveSecret } from './secret';

export class BootError extends Error {}

export function ensureWritableDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    const probe = path.join(dir, `.write-test-${process.pid}`);
    fs.writeFileSync(probe, 'ok');
    fs.rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new BootError(`DATA_DIR ${dir} is not writable (${code}); set DATA_DIR to a writable directory`);
  }
}

export { resolveSecret } from './secret';

export interface BootOptions {
  root: string;
  seed: boolean;
  log: (line: string) => void;
}

export async function bootDatabase(config: AppConfig, options: BootOptions): Promise<DbHandle> {
  ensureWritableDir(config.dataDir);
  process.env.GAZEBENCH_SECRET = resolveSecret(config);
  let handle: DbHandle;
  try {
    handle = await openDb({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, log: options.log });
  } catch (err) {
    if (err instanceof DatabaseConnectError) throw new BootError(err.message);
    throw err;
  }
  setDbHandle(handle);
  try {
    await runMigrations(handle);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  options.log(`database: ${handle.location} PostgreSQL, migrations applied`);
  if (options.seed) {
    const started = Date.now();
    const result = await seedDemo(handle, {
      dataDir: config.dataDir,
      publicDir: path.join(options.root, 'public'),
      log: options.log,
    });
    if (result.seeded) {
      options.log(`demo content seeded: ${result.images} images, ${result.fixations} simulated fixations in ${Date.now() - started} ms`);
    }
    try {
      await seedDemoRuns(handle, { runsDir: demoRunsDir(options.root), log: options.log });
    } catch (err) {
      if (err instanceof DemoRunsError) throw new BootError(`demo runs: ${err.message}`);
      throw err;
    }
  }
  return handle;
}
