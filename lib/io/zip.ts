/**
 * Reading an uploaded zip archive in memory with yauzl 3.4.0 (thejoshwolfe/yauzl), never extracting
 * to disk. Defences: the entry count is checked from the central directory before any entry is
 * read; each entry's declared uncompressed size and the running total are capped before it is
 * inflated, and yauzl's `validateEntrySizes` fails an entry whose real size differs from the
 * declared one (zip bombs); yauzl refuses absolute paths, backslashes and '..' components
 * (zip-slip) and we keep only each entry's base name. Directories and macOS resource forks
 * (__MACOSX/, ._*) are skipped.
 */
import yauzl from 'yauzl';

export interface ZipLimits {
  readonly maxEntries: number;
  readonly maxEntryBytes: number;
  readonly maxTotalBytes: number;
}

export class ZipError extends Error {
  constructor(message: string) {
    super(`zip: ${message}`);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  /** Base name of the entry (no folders). */
  readonly name: string;
  readonly path: string;
  readonly bytes: Uint8Array;
}

async function readStream(stream: NodeJS.ReadableStream, limit: number, name: string): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > limit) throw new ZipError(`${name}: larger than the ${limit}-byte limit`);
    chunks.push(buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

export async function readZip(bytes: Uint8Array, limits: ZipLimits): Promise<ZipEntry[]> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      lazyEntries: true,
      validateEntrySizes: true,
      strictFileNames: true,
    });
  } catch (error) {
    throw new ZipError(`not a readable zip archive (${error instanceof Error ? error.message : String(error)})`);
  }
  if (zip.entryCount > limits.maxEntries) {
    zip.close();
    throw new ZipError(`${zip.entryCount} entries, more than the limit of ${limits.maxEntries}`);
  }
  const out: ZipEntry[] = [];
  let total = 0;
  try {
    for await (const entry of zip.eachEntry()) {
      const path = entry.fileName;
      const name = path.split('/').pop() ?? '';
      if (path.endsWith('/') || path.startsWith('__MACOSX/') || name.startsWith('._') || name === '') continue;
      if (entry.uncompressedSize > limits.maxEntryBytes) throw new ZipError(`${path}: ${entry.uncompressedSize} bytes, more than the ${limits.maxEntryBytes}-byte limit per file`);
      total += entry.uncompressedSize;
      if (total > limits.maxTotalBytes) throw new ZipError(`more than ${limits.maxTotalBytes} bytes uncompressed in total`);
      const data = await readStream(await zip.openReadStreamPromise(entry), limits.maxEntryBytes, path);
      out.push({ name, path, bytes: data });
    }
  } catch (error) {
    zip.close();
    if (error instanceof ZipError) throw error;
    throw new ZipError(error instanceof Error ? error.message : String(error));
  }
  return out;
}
