/**
 * Safe extraction of an uploaded zip file (yauzl 3.4.0, pinned; the zip already lies on disk, so
 * yauzl reads it through random access — the archive is never held in memory, and each entry is
 * streamed to its own file).
 *
 * Refused before anything is written (ZipError with a kind and the entry's name):
 * - more than `maxEntries` entries (read from the central directory before any entry);
 * - unsafe names: absolute ("/x", "C:x"), parent segments (".."), backslashes (yauzl's
 *   strictFileNames), NUL or control characters, symbolic links — "zip slip". Entries are never
 *   written under their own names anyway: the caller gets `path` = destDir/<index>;
 * - an entry whose declared uncompressed size exceeds `maxEntryBytes`, a running total over
 *   `maxTotalBytes`, or a compression ratio above `maxRatio` for entries over RATIO_FLOOR_BYTES
 *   (decompression bombs; small files such as a 10 KB blank PNG can legitimately compress 100×);
 * - encrypted entries, unsupported compression methods, and corrupt archives.
 * Declared sizes can lie: yauzl's validateEntrySizes fails a stream that inflates past its header,
 * and this module counts the bytes it writes against the same caps as well.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
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
    yauzl.open(file, { lazyEntries: true, autoClose: true, decodeStrings: true, validateEntrySizes: true, strictFileNames: true }, (err, zip) => {
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

/**
 * Extracts the entries of `zipFile` that `keep` accepts into `destDir` (which must exist), checking
 * every limit. Directory entries are skipped. Throws ZipError; files already written stay in
 * destDir for the caller to remove with it.
 */
export async function extractZip(
  zipFile: string,
  destDir: string,
  limits: ZipLimits,
  keep: (name: string) => boolean = () => true,
): Promise<ExtractedEntry[]> {
  const zip = await openZip(zipFile);
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ZipError('too_many_entries', `zip has ${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
  }
  const out: ExtractedEntry[] = [];
  let total = 0;

  const handle = async (entry: yauzl.Entry): Promise<void> => {
    const name = entry.fileName;
    const unsafe = unsafeEntryName(name);
    if (unsafe !== null) throw new ZipError('unsafe_path', `zip entry '${name}': unsafe path (${unsafe})`, name);
    if (name.endsWith('/')) return;
    if (((entry.externalFileAttributes >>> 16) & S_IFMT) === S_IFLNK) {
      throw new ZipError('unsupported', `zip entry '${name}': symbolic links are not accepted`, name);
    }
    if (!keep(name)) return;
    if (entry.isEncrypted()) throw new ZipError('unsupported', `zip entry '${name}': encrypted entries are not supported`, name);
    const declared = entry.uncompressedSize;
    if (declared > limits.maxEntryBytes) {
      throw new ZipError('entry_too_large', `zip entry '${name}' is ${declared} bytes uncompressed, more than the limit of ${limits.maxEntryBytes}`, name);
    }
    if (total + declared > limits.maxTotalBytes) {
      throw new ZipError('too_large', `zip contents exceed the limit of ${limits.maxTotalBytes} bytes uncompressed (at entry '${name}')`, name);
    }
    if (declared > RATIO_FLOOR_BYTES && declared > limits.maxRatio * Math.max(1, entry.compressedSize)) {
      const ratio = Math.round(declared / Math.max(1, entry.compressedSize));
      throw new ZipError('compression_ratio', `zip entry '${name}' compresses ${ratio}:1, more than the limit of ${limits.maxRatio}:1 (decompression bomb?)`, name);
    }
    const target = path.join(destDir, String(out.length));
    const hash = createHash('sha256');
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        if (bytes > limits.maxEntryBytes || total + bytes > limits.maxTotalBytes) {
          done(new ZipError('entry_too_large', `zip entry '${name}' inflates past its limit (declared ${declared} bytes)`, name));
          return;
        }
        hash.update(chunk);
        done(null, chunk);
      },
    });
    const stream = await openEntry(zip, entry);
    try {
      await pipeline(stream, counter, createWriteStream(target, { flags: 'wx' }));
    } catch (error) {
      throw error instanceof ZipError ? error : fromYauzl(error instanceof Error ? error : new Error(String(error)));
    }
    total += bytes;
    out.push({ name, path: target, bytes, sha256: hash.digest('hex') });
  };

  return new Promise<ExtractedEntry[]>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      if (zip.isOpen) zip.close();
      reject(error instanceof ZipError ? error : fromYauzl(error instanceof Error ? error : new Error(String(error))));
    };
    zip.on('error', fail);
    zip.on('entry', (entry: yauzl.Entry) => {
      handle(entry).then(() => {
        if (!settled) zip.readEntry();
      }, fail);
    });
    zip.on('end', () => {
      if (settled) return;
      settled = true;
      resolve(out);
    });
    zip.readEntry();
  });
}
