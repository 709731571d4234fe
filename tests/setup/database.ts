/**
 * vitest globalSetup of the integration project: the database every integration test runs on.
 * TEST_DATABASE_URL set (and non-empty) → that PostgreSQL; otherwise the embedded PostgreSQL
 * (db/embedded.ts, the same server `npm start` runs) in a throwaway DATA_DIR, started once for
 * the run and stopped after it. Tests read the URL with `inject('databaseUrl')`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { acquireEmbedded } from '@/db/embedded';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
    databaseLocation: 'embedded' | 'external';
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('databaseUrl', external);
    project.provide('databaseLocation', 'external');
    return async () => {};
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-testdb-'));
  const server = await acquireEmbedded(dataDir, { log: (line) => console.log(`[test database] ${line}`) });
  project.provide('databaseUrl', server.url);
  project.provide('databaseLocation', 'embedded');
  return async () => {
    await server.release();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
