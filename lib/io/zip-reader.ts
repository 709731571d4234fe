/**
 * Safe extraction of an uploaded zip file (yauzl 3.4.0, pinned; the zip already lies on disk, so
 * yauzl reads it through random access — the archive is never held in memory, and each entry is
 * streamed to its own file).
 *
 * Refused before anything is written — the whole central directory is read and checked first
 * (ZipError with a kind and the entry's name):
 * - more than `maxEntries` entries (from the end-of-central-directory record);
 * - unsafe names: absolute ("/x", "C:x"), parent segments (".."), backslashes (yauzl's
 *   strictFileNames), NUL or control characters, symbolic links — "zip slip". Entries are never
 *   written under their own names anyway: the caller gets `path` = destDir/<index>;
 * - an entry whose declared uncompressed size exceeds `maxEntryBytes`, a running total over
 *   `maxTotalBytes`, or a compression ratio above `maxRatio` for entries over RATIO_FLOOR_BYTES
 *   (decompression bombs; small files such as a 10 KB blank PNG can legitimately compress 100×);
 * - a declared total over `maxRatio` × the zip's own size (past RATIO_FLOOR_BYTES): many entries
 *   each under the floor, and records whose data overlap (one body named many times, Fifield 2019);
 * - encrypted entries, unsupported compression methods, and corrupt archives.
 * Declared sizes can lie: yauzl's validateEntrySizes fails a stream that inflates past its header,
 * and this module counts the bytes it writes against the same caps as well.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import yauzl from 'yauzl';

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
  readonly maxRatio: number;
}

/** Entries smaller than this are not ratio-checked. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export type ZipErrorKind =
  | 'too_many_entries'
  | 'entry_too_large'
  | 'too_large'
  | 'compression_ratio'
  | 'overlapping'
  | 'unsafe_path'
  | 'unsupported'
  | 'corrupt';

export class ZipError extends Error {
  readonly kind: ZipErrorKind;
  readonly entry: string | undefined;

  constructor(kind: ZipErrorKind, message: string, entry?: string) {
    super(message);
    this.name = 'ZipError';
    this.kind = kind;
    this.entry = entry;
  }
}

export interface ExtractedEntry {
  /** The entry's path inside the zip ("cats/cat_001.jpg"). */
  readonly name: string;
  /** Where its bytes were written (destDir/<index>). */
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Why an entry name is unsafe, or null. (yauzl already refuses most of these; this is the second line.) */
export function unsafeEntryName(name: string): string | null {
  if (name === '') return 'empty name';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'control characters in the name';
  if (name.includes('\\')) return 'backslash in the name';
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'absolute path';
  if (name.split('/').some((s) => s === '..')) return 'parent directory (..) in the path';
  return null;
}

function fromYauzl(error: Error): ZipError {
  const m = /^(invalid characters in fileName|absolute path|invalid relative path): (.*)$/s.exec(error.message);
  if (m) return new ZipError('unsafe_path', `zip entry '${m[2]}': unsafe path (${m[1]})`, m[2]);
  if (/compression method|encrypt/i.test(error.message)) return new ZipError('unsupported', `zip: ${error.message}`);
  if (/too many bytes in the stream|size mismatch/i.test(error.message)) return new ZipError('entry_too_large', `zip: ${error.message}`);
  return new ZipError('corrupt', `not a readable zip file: ${error.message}`);
}

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: true }, (err, zip) => {
      if (err) reject(fromYauzl(err));
      else resolve(zip);
    });
  });
}

function openEntry(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => (err ? reject(fromYauzl(err)) : resolve(stream)));
  });
}

/** Every central-directory record (metadata only; the count was capped before). */
function readEntries(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: yauzl.Entry[] = [];
    zip.on('error', (error: Error) => reject(fromYauzl(error)));
    zip.on('entry', (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on('end', () => resolve(entries));
    zip.readEntry();
  });
}

/** A local file header is at least this long (APPNOTE 4.3.7), before its name and extra field. */
const LOCAL_HEADER_BYTES = 30;

/**
 * Refuses records whose data overlap (Fifield's "better zip bomb": many records, one compressed
 * body). Each record's data starts at or after its local header + 30 bytes and spans its
 * compressed size, so a record starting before the previous one's end overlaps it.
 */
function checkOverlap(entries: readonly yauzl.Entry[]): void {
  const sorted = [...entries].sort((a, b) => a.relativeOffsetOfLocalHeader - b.relativeOffsetOfLocalHeader);
  for (let i = 1; i < sorted.length; i++) {
    const a = sorted[i - 1] as yauzl.Entry;
    const b = sorted[i] as yauzl.Entry;
    if (b.relativeOffsetOfLocalHeader < a.relativeOffsetOfLocalHeader + LOCAL_HEADER_BYTES + a.compressedSize) {
      throw new ZipError('overlapping', `zip entry '${b.fileName}' overlaps another entry ('${a.fileName}') in the archive (a zip bomb?)`, b.fileName);
    }
  }
}

/** The checks that need no inflating, on one record; true when it is to be extracted. */
function checkEntry(entry: yauzl.Entry, limits: ZipLimits, keep: (name: string) => boolean): boolean {
  const name = entry.fileName;
  const unsafe = unsafeEntryName(name);
  if (unsafe !== null) throw new ZipError('unsafe_path', `zip entry '${name}': unsafe path (${unsafe})`, name);
  if (name.endsWith('/')) return false;
  if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
    throw new ZipError('unsupported', `zip entry '${name}': symbolic links are not accepted`, name);
  }
  if (!keep(name)) return false;
  if (entry.isEncrypted()) throw new ZipError('unsupported', `zip entry '${name}': encrypted entries are not supported`, name);
  const declared = entry.uncompressedSize;
  if (declared > limits.maxEntryBytes) {
    throw new ZipError('entry_too_large', `zip entry '${name}' is ${declared} bytes uncompressed, more than the limit of ${limits.maxEntryBytes}`, name);
  }
  if (declared > RATIO_FLOOR_BYTES && declared > limits.maxRatio * Math.max(1, entry.compressedSize)) {
    const ratio = Math.round(declared / Math.max(1, entry.compressedSize));
    throw new ZipError('compression_ratio', `zip entry '${name}' compresses ${ratio}:1, more than the limit of ${limits.maxRatio}:1 (decompression bomb?)`, name);
  }
  return true;
}

/**
 * Checks the whole central directory, then the archive as a whole: the declared total against
 * `maxTotalBytes`, and against `maxRatio` × the zip's own size once it passes RATIO_FLOOR_BYTES —
 * many entries each under the per-entry floor (1 MiB of zeros is ~1 KiB deflated) would otherwise
 * inflate to gigabytes on disk. Returns the records to extract.
 */
function checkArchive(entries: readonly yauzl.Entry[], zipBytes: number, limits: ZipLimits, keep: (name: string) => boolean): yauzl.Entry[] {
  const kept: yauzl.Entry[] = [];
  let total = 0;
  for (const entry of entries) {
    if (!checkEntry(entry, limits, keep)) continue;
    total += entry.uncompressedSize;
    if (total > limits.maxTotalBytes) {
      throw new ZipError('too_large', `zip contents exceed the limit of ${limits.maxTotalBytes} bytes uncompressed (at entry '${entry.fileName}')`, entry.fileName);
    }
    kept.push(entry);
  }
  checkOverlap(entries);
  if (total > RATIO_FLOOR_BYTES && total > limits.maxRatio * Math.max(1, zipBytes)) {
    throw new ZipError('compression_ratio', `the archive inflates ${Math.round(total / Math.max(1, zipBytes))}:1 (${total} bytes from ${zipBytes}), more than the limit of ${limits.maxRatio}:1 (decompression bomb?)`);
  }
  return kept;
}

/** Streams one checked record to `target`, counting its real bytes against the caps. */
async function extractEntry(zip: yauzl.ZipFile, entry: yauzl.Entry, target: string, limits: ZipLimits, totalBefore: number): Promise<ExtractedEntry> {
  const name = entry.fileName;
  const hash = createHash('sha256');
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > limits.maxEntryBytes || totalBefore + bytes > limits.maxTotalBytes) {
        done(new ZipError('entry_too_large', `zip entry '${name}' inflates past its limit (declared ${entry.uncompressedSize} bytes)`, name));
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    const stream = await openEntry(zip, entry);
    await pipeline(stream, counter, createWriteStream(target, { flags: 'wx' }));
  } catch (error) {
    throw error instanceof ZipError ? error : fromYauzl(error instanceof Error ? error : new Error(String(error)));
  }
  return { name, path: target, bytes, sha256: hash.digest('hex') };
}

/**
 * Extracts the entries of `zipFile` that `keep` accepts into `destDir` (which must exist), checking
 * every limit. Directory entries are skipped. Every check that needs no inflating is made on the
 * whole central directory before the first byte is written; what is written stops at the caps.
 * Throws ZipError; files already written (an entry that lied about its size) stay in destDir for
 * the caller to remove with it.
 */
export async function extractZip(
  zipFile: string,
  destDir: string,
  limits: ZipLimits,
  keep: (name: string) => boolean = () => true,
): Promise<ExtractedEntry[]> {
  const zip = await openZip(zipFile);
  try {
    if (zip.entryCount > limits.maxEntries) {
      throw new ZipError('too_many_entries', `zip has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
    }
    const kept = checkArchive(await readEntries(zip), (await stat(zipFile)).size, limits, keep);
    const out: ExtractedEntry[] = [];
    let total = 0;
    for (const entry of kept) {
      const extracted = await extractEntry(zip, entry, path.join(destDir, String(out.length)), limits, total);
      total += extracted.bytes;
      out.push(extracted);
    }
    return out;
  } finally {
    if (zip.isOpen) zip.close();
  }
}
