/**
 * Upload caps, read from the environment at each use (so an operator's change applies on restart
 * and tests can set them). Every value is a positive integer; a bad value is a start-up-style error
 * naming the variable.
 *
 * | variable                     | default   | meaning                                                    |
 * |------------------------------|-----------|------------------------------------------------------------|
 * | GAZEBENCH_MAX_MODEL_BYTES    | 500 MiB   | one model bundle upload (all files together)               |
 * | GAZEBENCH_MAX_IMAGE_BYTES    | 25 MiB    | one image file (uploaded or inside a zip)                  |
 * | GAZEBENCH_MAX_UPLOAD_BYTES   | 2 GiB     | one dataset upload request (images or zip files together)  |
 * | GAZEBENCH_MAX_ZIP_ENTRIES    | 20000     | entries in one zip                                         |
 * | GAZEBENCH_MAX_ZIP_BYTES      | 4 GiB     | total uncompressed bytes of one zip                        |
 * | GAZEBENCH_MAX_ZIP_RATIO      | 100       | uncompressed / compressed size of one entry (bombs)        |
 */
import { MAX_IMAGE_PIXELS } from '@/lib/io/image-file';

const MiB = 1024 * 1024;

const DEFAULTS = {
  GAZEBENCH_MAX_MODEL_BYTES: 500 * MiB,
  GAZEBENCH_MAX_IMAGE_BYTES: 25 * MiB,
  GAZEBENCH_MAX_UPLOAD_BYTES: 2048 * MiB,
  GAZEBENCH_MAX_ZIP_ENTRIES: 20_000,
  GAZEBENCH_MAX_ZIP_BYTES: 4096 * MiB,
  GAZEBENCH_MAX_ZIP_RATIO: 100,
} as const;

type LimitName = keyof typeof DEFAULTS;

export function limit(name: LimitName, env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env[name];
  if (text === undefined || text === '') return DEFAULTS[name];
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) {
    throw new Error(`configuration: ${name}: expected a positive integer, got '${text}'`);
  }
  return Number(text);
}

export interface UploadLimits {
  maxModelBytes: number;
  maxImageBytes: number;
  maxUploadBytes: number;
  maxImagePixels: number;
  zip: { maxEntries: number; maxTotalBytes: number; maxEntryBytes: number; maxRatio: number };
}

export function uploadLimits(env: Readonly<Record<string, string | undefined>> = process.env): UploadLimits {
  const maxImageBytes = limit('GAZEBENCH_MAX_IMAGE_BYTES', env);
  return {
    maxModelBytes: limit('GAZEBENCH_MAX_MODEL_BYTES', env),
    maxImageBytes,
    maxUploadBytes: limit('GAZEBENCH_MAX_UPLOAD_BYTES', env),
    maxImagePixels: MAX_IMAGE_PIXELS,
    zip: {
      maxEntries: limit('GAZEBENCH_MAX_ZIP_ENTRIES', env),
      maxTotalBytes: limit('GAZEBENCH_MAX_ZIP_BYTES', env),
      maxEntryBytes: maxImageBytes,
      maxRatio: limit('GAZEBENCH_MAX_ZIP_RATIO', env),
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes >= MiB) return `${(bytes / MiB).toFixed(bytes % MiB === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${(bytes / 1024).toFixed(bytes % 1024 === 0 ? 0 : 1)} KiB`;
  return `${bytes} bytes`;
}
