import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpError } from './errors';
import { receiveBodyToFile, receiveMultipart } from './multipart';

const BOUNDARY = '----gazebench-test';
const enc = new TextEncoder();

function part(name: string, value: string | Uint8Array, filename?: string): Uint8Array {
  const head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"${filename ? `; filename="${filename}"` : ''}\r\n${filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`;
  const body = typeof value === 'string' ? enc.encode(value) : value;
  return Buffer.concat([enc.encode(head), body, enc.encode('\r\n')]);
}

function multipart(parts: Uint8Array[]): Request {
  const body = Buffer.concat([...parts, enc.encode(`--${BOUNDARY}--\r\n`)]);
  return new Request('http://x/upload', { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
}

/** A body of `total` bytes made lazily, counting how much the server pulled. */
function endless(prefix: Uint8Array, total: number) {
  const stats = { pulled: 0 };
  const chunk = new Uint8Array(64 * 1024);
  let sentPrefix = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (!sentPrefix) {
        sentPrefix = true;
        stats.pulled += prefix.length;
        controller.enqueue(prefix);
        return;
      }
      if (stats.pulled >= total) {
        controller.close();
        return;
      }
      stats.pulled += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, stats };
}

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'multipart-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const limits = { maxFileBytes: 1024 * 1024, maxTotalBytes: 2 * 1024 * 1024, maxFiles: 3 };
const target = (_f: string, i: number) => path.join(dir, `f${i}`);

async function rejection(p: Promise<unknown>): Promise<HttpError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(HttpError);
  return e as HttpError;
}

describe('receiveMultipart', () => {
  it('writes files where the caller says, with size and SHA-256, and collects fields', async () => {
    const a = new Uint8Array(5000).fill(1);
    const res = await receiveMultipart(multipart([part('labelMode', 'prefix'), part('files', a, 'cat_1.png'), part('files', 'hello', 'b.txt')]), limits, target);
    expect(res.fields).toEqual({ labelMode: 'prefix' });
    expect(res.files.map((f) => [f.filename, f.bytes, path.basename(f.path)])).toEqual([['cat_1.png', 5000, 'f0'], ['b.txt', 5, 'f1']]);
    expect(res.files[0]?.sha256).toBe(createHash('sha256').update(a).digest('hex'));
    expect(fs.readFileSync(path.join(dir, 'f1'), 'utf8')).toBe('hello');
  });

  it('refuses a file over the per-file cap with 413 and stops reading the body', async () => {
    const head = enc.encode(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="big.bin"\r\n\r\n`);
    const { stream, stats } = endless(head, 200 * 1024 * 1024);
    const req = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } } as RequestInit);
    const err = await rejection(receiveMultipart(req, limits, target));
    expect(err.status).toBe(413);
    expect(err.message).toContain('big.bin');
    // Stopped soon after the cap: far less than the 200 MB offered.
    expect(stats.pulled).toBeLessThan(limits.maxFileBytes + 4 * 1024 * 1024);
  });

  it('refuses at once when Content-Length is over the cap, reading nothing', async () => {
    const { stream, stats } = endless(new Uint8Array(0), 10 * 1024 * 1024);
    const req = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half', headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(50 * 1024 * 1024) } } as RequestInit);
    expect((await rejection(receiveMultipart(req, limits, target))).status).toBe(413);
    expect(stats.pulled).toBe(0);
  });

  it('refuses too many files, a name the caller rejects, and non-multipart bodies', async () => {
    const four = [0, 1, 2, 3].map((i) => part('files', 'x', `f${i}.png`));
    expect((await rejection(receiveMultipart(multipart(four), limits, target))).status).toBe(413);
    const refuse = () => {
      throw new HttpError(400, 'invalid_request', 'bad name', 'files');
    };
    expect((await rejection(receiveMultipart(multipart([part('files', 'x', 'evil.png')]), limits, refuse))).message).toBe('bad name');
    // Names are seen as sent (not cut to their base name): parent segments and absolute paths are 400 before the caller is asked.
    for (const [name, reason] of [['../evil', /parent directory/], ['a\\..\\..\\evil', /parent directory/], ['/tmp/evil', /absolute path/], ['C:\\evil', /absolute path/]] as const) {
      const err = await rejection(receiveMultipart(multipart([part('files', 'x', name)]), limits, refuse));
      expect([err.status, err.field]).toEqual([400, 'files']);
      expect(err.message).toMatch(reason);
    }
    const nested = await receiveMultipart(multipart([part('files', 'x', 'folder/sub/cat_1.png')]), limits, (_f, i) => path.join(dir, `nested${i}`));
    expect(nested.files[0]?.filename).toBe('folder/sub/cat_1.png');
    const json = new Request('http://x/', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
    expect((await rejection(receiveMultipart(json, limits, target))).status).toBe(400);
  });

  it('a truncated body is a 400, not a hang', async () => {
    const body = Buffer.concat([part('files', new Uint8Array(100), 'a.png')]); // no closing boundary
    const req = new Request('http://x/', { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` } });
    expect((await rejection(receiveMultipart(req, limits, target))).status).toBe(400);
  });
});

describe('receiveBodyToFile', () => {
  it('streams a raw body to a file and refuses one over the cap with 413', async () => {
    const ok = await receiveBodyToFile(new Request('http://x/', { method: 'POST', body: new Uint8Array(1000).fill(2) }), path.join(dir, 'a'), 4096, 'the zip');
    expect(ok.bytes).toBe(1000);
    const { stream, stats } = endless(new Uint8Array(0), 100 * 1024 * 1024);
    const req = new Request('http://x/', { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
    const err = await rejection(receiveBodyToFile(req, path.join(dir, 'b'), 1024 * 1024, 'the zip'));
    expect(err.status).toBe(413);
    expect(stats.pulled).toBeLessThan(4 * 1024 * 1024);
  });
});
