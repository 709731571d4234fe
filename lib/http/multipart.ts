/**
 * Streamed request bodies for uploads: multipart/form-data parsed with busboy 1.6.0 (pinned) and
 * raw bodies (application/zip), written straight to files while a running byte count and a
 * SHA-256 are kept. Nothing is buffered whole in memory; a body over its cap is refused with 413
 * as soon as the cap is passed (or at once, when Content-Length already says so), and reading
 * stops there — the rest of the body is never pulled.
 *
 * The caller chooses where each file goes (`target`), never the client: names arrive in
 * `filename` for the caller to validate. Names are received as sent (busboy's preservePath), so
 * that a name with a parent segment or an absolute path ("../../x.bin", "/tmp/x", "C:\\x") is
 * refused with 400 rather than silently cut to its base name; folders ("resnet/model.json", as
 * browsers send for a folder upload) are allowed, and callers keep the base name.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { formatBytes } from '@/lib/limits';
import { HttpError } from './errors';
import { controlCharacterDetail, findControlCharacter } from './text';

export interface MultipartLimits {
  /** One file. */
  readonly maxFileBytes: number;
  /** All files together. */
  readonly maxTotalBytes: number;
  readonly maxFiles: number;
  readonly maxFields?: number;
  readonly maxFieldBytes?: number;
}

export interface ReceivedFile {
  /** Form field name ("files"). */
  readonly field: string;
  /** The client's file name, as sent (validate before use). */
  readonly filename: string;
  readonly mimeType: string;
  readonly path: string;
  readonly bytes: number;
  readonly sha256: string;
}

export interface MultipartResult {
  readonly fields: Readonly<Record<string, string>>;
  readonly files: readonly ReceivedFile[];
}

const DEFAULT_MAX_FIELDS = 50;
const DEFAULT_MAX_FIELD_BYTES = 1024 * 1024;

/** Why a client's file name is unsafe (absolute, or a '..' segment; '\\' counts as '/'), or null. */
export function unsafeFileName(filename: string): string | null {
  const p = filename.replace(/\\/g, '/');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'absolute path';
  if (p.split('/').some((s) => s === '..')) return 'parent directory (..) in the path';
  return null;
}

function tooLarge(detail: string, field = 'files'): HttpError {
  return new HttpError(413, 'too_large', detail, field);
}

/** 413 at once when Content-Length already exceeds `max` (plus slack for multipart framing). */
export function checkContentLength(request: Request, max: number, slack = 64 * 1024): void {
  const text = request.headers.get('content-length');
  if (text !== null && /^\d+$/.test(text) && Number(text) > max + slack) {
    throw tooLarge(`the upload is ${formatBytes(Number(text))}, more than the limit of ${formatBytes(max)}`, 'body');
  }
}

function bodyStream(request: Request): Readable {
  if (request.body === null) throw new HttpError(400, 'invalid_request', 'the request has no body', 'body');
  return Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
}

/** A pass-through that hashes and counts bytes, failing once `limit()` returns an error. */
function meter(check: (bytes: number) => HttpError | null): { stream: Transform; result: () => { bytes: number; sha256: string } } {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      const error = check(chunk.length);
      if (error !== null) {
        done(error);
        return;
      }
      hash.update(chunk);
      done(null, chunk);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/** Streams a raw request body into `file` (created exclusively); 413 past `maxBytes`. */
export async function receiveBodyToFile(request: Request, file: string, maxBytes: number, what: string): Promise<{ bytes: number; sha256: string }> {
  checkContentLength(request, maxBytes, 0);
  const source = bodyStream(request);
  let total = 0;
  const m = meter((n) => {
    total += n;
    return total > maxBytes ? tooLarge(`${what} is larger than the limit of ${formatBytes(maxBytes)}`, 'body') : null;
  });
  try {
    await pipeline(source, m.stream, createWriteStream(file, { flags: 'wx' }));
  } catch (error) {
    source.destroy();
    if (error instanceof HttpError) throw error;
    throw new HttpError(400, 'invalid_request', `the upload was interrupted: ${error instanceof Error ? error.message : String(error)}`, 'body');
  }
  return m.result();
}

/**
 * Parses a multipart/form-data body, writing each file to `target(filename, index, field)` (which
 * may throw an HttpError to refuse a name). Resolves when every file is on disk.
 */
export function receiveMultipart(
  request: Request,
  limits: MultipartLimits,
  target: (filename: string, index: number, field: string) => string,
): Promise<MultipartResult> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^multipart\/form-data\b/i.test(type)) {
    return Promise.reject(new HttpError(400, 'invalid_request', 'send the files as multipart/form-data', 'body'));
  }
  try {
    checkContentLength(request, limits.maxTotalBytes);
  } catch (error) {
    return Promise.reject(error);
  }
  const source = bodyStream(request);
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': type },
      defParamCharset: 'utf8',
      preservePath: true,
      limits: {
        fileSize: limits.maxFileBytes,
        files: limits.maxFiles,
        fields: limits.maxFields ?? DEFAULT_MAX_FIELDS,
        fieldSize: limits.maxFieldBytes ?? DEFAULT_MAX_FIELD_BYTES,
      },
    });
  } catch (error) {
    source.destroy();
    return Promise.reject(new HttpError(400, 'invalid_request', `malformed multipart request: ${error instanceof Error ? error.message : String(error)}`, 'body'));
  }

  return new Promise<MultipartResult>((resolve, reject) => {
    const fields: Record<string, string> = {};
    const files: ReceivedFile[] = [];
    const writes: Promise<void>[] = [];
    let total = 0;
    let failed: unknown = null;
    let fileCount = 0;

    const fail = (error: unknown) => {
      if (failed !== null) return;
      failed = error;
      source.unpipe(parser);
      source.destroy();
      // Not from inside busboy's own callbacks (it would go on parsing a torn-down state): next tick.
      // Destroying ends the open file stream, so its pending write settles.
      setImmediate(() => parser.destroy());
      void Promise.allSettled(writes).then(() => reject(error));
    };

    parser.on('file', (field, stream, info) => {
      const index = fileCount++;
      // A file stream that is drained, not written, still gets busboy's "Unexpected end of file"
      // when the parser is destroyed mid-file (fail()): without a listener that error is
      // uncaught and ends the process. The request's own error is already on its way.
      const drain = () => {
        stream.on('error', () => {});
        stream.resume();
      };
      if (failed !== null) {
        drain();
        return;
      }
      const filename = info.filename ?? '';
      let file: string;
      try {
        const control = findControlCharacter(filename) ?? findControlCharacter(field);
        if (control) throw new HttpError(400, 'invalid_request', `a file name or field name ${controlCharacterDetail(control)}`, 'files');
        const unsafe = unsafeFileName(filename);
        if (unsafe !== null) throw new HttpError(400, 'invalid_request', `unsafe file name '${filename.slice(0, 80)}' (${unsafe}): send the file under its own name`, 'files');
        file = target(filename, index, field);
      } catch (error) {
        drain();
        fail(error);
        return;
      }
      stream.on('limit', () => fail(tooLarge(`file '${filename}' is larger than the limit of ${formatBytes(limits.maxFileBytes)}`)));
      const m = meter((n) => {
        total += n;
        return total > limits.maxTotalBytes ? tooLarge(`the upload is larger than the limit of ${formatBytes(limits.maxTotalBytes)}`, 'body') : null;
      });
      writes.push(
        pipeline(stream, m.stream, createWriteStream(file, { flags: 'wx' })).then(
          () => {
            const { bytes, sha256 } = m.result();
            files[index] = { field, filename, mimeType: info.mimeType, path: file, bytes, sha256 };
          },
          (error: unknown) => fail(error instanceof HttpError ? error : new HttpError(400, 'invalid_request', `the upload was interrupted: ${String(error)}`, 'body')),
        ),
      );
    });
    parser.on('field', (name, value, info) => {
      const control = findControlCharacter(name) ?? findControlCharacter(value);
      if (info.valueTruncated) fail(tooLarge(`form field '${name}' is too long`, name));
      else if (control) fail(new HttpError(400, 'invalid_request', `form field ${controlCharacterDetail(control)}`, findControlCharacter(name) ? 'body' : name));
      else fields[name] = value;
    });
    parser.on('filesLimit', () => fail(tooLarge(`more than ${limits.maxFiles} files in one upload`)));
    parser.on('fieldsLimit', () => fail(tooLarge('too many form fields', 'body')));
    parser.on('error', (error: unknown) =>
      fail(new HttpError(400, 'invalid_request', `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`, 'body')),
    );
    parser.on('close', () => {
      void Promise.allSettled(writes).then(() => {
        if (failed === null) resolve({ fields, files: files.filter((f) => f !== undefined) });
      });
    });
    source.on('error', (error) => fail(new HttpError(400, 'invalid_request', `the request body ended early: ${error.message}`, 'body')));
    source.pipe(parser);
  });
}
