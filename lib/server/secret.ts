/**
 * The server secret (HMAC of external participant IDs): GAZEBENCH_SECRET, or a random one
 * generated once and kept in DATA_DIR/secret. `npm start` resolves it at boot and exports it in
 * GAZEBENCH_SECRET; route handlers call serverSecret(), which falls back to the file (next dev).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type AppConfig } from '@/lib/config';

export function resolveSecret(config: Pick<AppConfig, 'secret' | 'dataDir'>): string {
  if (config.secret) return config.secret;
  const file = path.join(/*turbopackIgnore: true*/ config.dataDir, 'secret');
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('hex');
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw err;
  }
  return secret;
}

export function serverSecret(): string {
  const fromEnv = process.env.GAZEBENCH_SECRET;
  if (fromEnv) return fromEnv;
  const secret = resolveSecret(loadConfig());
  process.env.GAZEBENCH_SECRET = secret;
  return secret;
}
