import { describe, expect, it } from 'vitest';
import { FlowError } from '@/lib/studies/errors';
import { answer, readJsonBody, sessionToken } from './participant';

function streamed(bytes: number): Request {
  const chunk = new TextEncoder().encode('x'.repeat(1024));
  let sent = 0;
  let pulls = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      if (sent >= bytes) return controller.close();
      controller.enqueue(chunk);
      sent += chunk.byteLength;
    },
  });
  const req = new Request('http://x/', { method: 'POST', body, duplex: 'half' } as RequestInit);
  Object.defineProperty(req, 'pulls', { get: () => pulls });
  return req;
}

describe('readJsonBody', () => {
  it('stops reading past the cap (no Content-Length) and answers 413', async () => {
    const req = streamed(10 * 1024 * 1024);
    const err = await readJsonBody(req, 64 * 1024).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlowError);
    expect((err as FlowError).status).toBe(413);
    expect((req as unknown as { pulls: number }).pulls).toBeLessThan(70); // ~65 KiB read of 10 MiB
  });

  it('refuses a declared Content-Length over the cap before reading', async () => {
    const req = new Request('http://x/', { method: 'POST', body: '{}', headers: { 'content-length': '70000' } });
    await expect(readJsonBody(req, 64 * 1024)).rejects.toMatchObject({ status: 413 });
  });

  it('parses JSON, gives undefined for an empty body, 400 for malformed JSON', async () => {
    expect(await readJsonBody(new Request('http://x/', { method: 'POST', body: '{"a":1}' }))).toEqual({ a: 1 });
    expect(await readJsonBody(new Request('http://x/', { method: 'POST' }))).toBeUndefined();
    await expect(readJsonBody(new Request('http://x/', { method: 'POST', body: '{"a":NaN}' }))).rejects.toMatchObject({ status: 400, code: 'invalid_json' });
  });
});

describe('answer and sessionToken', () => {
  it('FlowError → JSON error with field; a missing token → 401; other errors are a 500 with a logged error id; a PostgreSQL data exception is a 400', async () => {
    const res = await answer(async () => {
      throw new FlowError(400, 'invalid_request', 'bad', 'trialId');
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_request', field: 'trialId', detail: 'bad' });
    const missing = await answer(async () => new Response(sessionToken(new Request('http://x/'))));
    expect(missing.status).toBe(401);
    const logged: string[] = [];
    const original = console.error;
    console.error = (line: string) => logged.push(line);
    try {
      const bug = await answer(async () => { throw new TypeError('bug'); });
      expect(bug.status).toBe(500);
      const body = (await bug.json()) as { error: string; detail: string };
      expect(body.error).toBe('internal_error');
      const id = /internal error (\w+)/.exec(body.detail)?.[1];
      expect(id).toBeDefined();
      expect(logged.some((l) => l.includes(`internal error ${id}`) && l.includes('TypeError: bug'))).toBe(true);
    } finally {
      console.error = original;
    }
    // What postgres.js throws for a value PostgreSQL cannot store, wrapped as drizzle wraps it.
    const pg = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { name: 'PostgresError', code: '22021' });
    const stored = await answer(async () => { throw new Error('Failed query: insert …', { cause: pg }); });
    expect(stored.status).toBe(400);
    expect(await stored.json()).toMatchObject({ error: 'invalid_request', detail: expect.stringContaining('0x00') });
  });
});
