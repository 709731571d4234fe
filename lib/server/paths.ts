import path from 'node:path';

/** Absolute data directory for route handlers (start.ts exports the resolved DATA_DIR). */
export function dataDir(): string {
  return path.resolve(/*turbopackIgnore: true*/ process.env.DATA_DIR || '.data');
}
