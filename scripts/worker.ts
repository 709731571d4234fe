/**
 * `npm run worker`: a job worker process without the web server. Run as many as needed, against
 * DATABASE_URL or the embedded PostgreSQL of DATA_DIR (started if `npm start` is not running,
 * shared with it if it is).
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, loadConfig } from '@/lib/config';
import { startWorker } from '@/lib/jobs/worker';
import { BootError, bootDatabase } from '@/lib/server/boot';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const config = loadConfig();
  const handle = await bootDatabase(config, { root, seed: false, log: (l) => console.log(`[worker] ${l}`) });
  const boss = await startWorker(handle);
  console.log('[worker] ready');
  const stop = async () => {
    await boss.stop({ graceful: true, timeout: 10_000 }).catch(() => undefined);
    await handle.close().catch(() => undefined);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((err: unknown) => {
  const message = err instanceof BootError || err instanceof ConfigError ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err);
  console.error(`gazebench worker: ${message}`);
  process.exit(1);
});
