/**
 * Content-addressed file storage under DATA_DIR/blobs: a file's name is the
 * SHA-256 of its bytes, so writing the same content twice is a no-op and a
 * half-written file is never visible (write to a temp name, then rename).
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const SHA256_HEX = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function blobPath(dataDir: string, sha256: string): string {
  if (!SHA256_HEX.test(sha256)) throw new Error(`blobs: not a sha256 hex digest: ${sha256}`);
  return path.join(dataDir, 'blobs', sha256.slice(0, 2), sha256);
}

export async function putBlob(dataDir: string, bytes: Uint8Array): Promise<string> {
  const sha = sha256Hex(bytes);
  const target = blobPath(dataDir, sha);
  try {
    await fs.access(target);
    return sha;
  } catch {
    // not stored yet
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  const tmp = `${target}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.writeFile(tmp, bytes);
  await fs.rename(tmp, target);
  return sha;
}

export async function readBlob(dataDir: string, sha256: string): Promise<Buffer> {
  return fs.readFile(blobPath(dataDir, sha256));
}

/**
 * Moves a complete, already-hashed file (under DATA_DIR, so the rename stays on one file system)
 * into the store. When the content is already stored the temp file is simply removed.
 */
export async function putBlobFile(dataDir: string, tmpFile: string, sha256: string): Promise<string> {
  const target = blobPath(dataDir, sha256);
  const exists = await fs.access(target).then(() => true, () => false);
  if (exists) {
    await fs.rm(tmpFile, { force: true });
    return sha256;
  }
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rename(tmpFile, target);
  return sha256;
}

/** A fresh private work folder under DATA_DIR/tmp for an upload in progress; remove it when done. */
export async function makeWorkDir(dataDir: string, prefix: string): Promise<string> {
  const root = path.join(dataDir, 'tmp');
  await fs.mkdir(root, { recursive: true });
  return fs.mkdtemp(path.join(root, `${prefix}-`));
}
