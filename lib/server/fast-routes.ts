/**
 * The gaze-sample route served beside Next.js by the production server (scripts/start.ts).
 *
 * POST /api/v1/sessions/<id>/samples arrives about once a second from every participant. Its
 * work (lib/http/samples.ts: id, token header, body bytes → status and JSON) is what the Next
 * route calls too, so the custom server runs the very same code without Next's request pipeline,
 * which bench:ingest measured at about two thirds of the route's CPU (2.0 → 0.74 ms per batch:
 * router server, web-request adaptation, tracing; docs/benchmarks.md), and without building a
 * WHATWG Request and Response per batch. Behaviour is identical: same code, the same security
 * headers as next.config.ts, a 500 logged and answered as JSON. Every other request goes to
 * Next. Set GAZEBENCH_FAST_ROUTES=0 to send this one to Next as well.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, SESSION_TOKEN_HEADER } from '@/lib/studies/contract';

const SAMPLES_PATH = /^\/api\/v1\/sessions\/([^/?#]+)\/samples\/?(?:\?.*)?$/;
/** The headers next.config.ts adds to every response. */
const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin', 'X-Frame-Options': 'DENY' };
/** As the Next route answers a stored batch (app/api/v1/sessions/[id]/samples/route.ts). */
const NO_COMPRESSION = { 'Cache-Control': 'no-store, no-transform' };

let core: Promise<typeof import('@/lib/http/samples')> | undefined;

/** Reads at most MAX_BODY_BYTES + 1 bytes: enough for the handler to see an oversized body and answer 413. */
async function readCapped(req: IncomingMessage): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return { body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1), truncated: true };
  }
  return { body: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks), truncated: false };
}

/** Serves the request when it is a sample batch; false to let Next handle it. */
export async function serveFastRoute(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'POST' || process.env.GAZEBENCH_FAST_ROUTES === '0') return false;
  const match = SAMPLES_PATH.exec(req.url ?? '');
  if (!match) return false;
  try {
    core ??= import('@/lib/http/samples');
    const { sampleBatch } = await core;
    let truncated = false;
    const token = req.headers[SESSION_TOKEN_HEADER.toLowerCase()];
    const answer = await sampleBatch(decodeURIComponent(match[1] as string), Array.isArray(token) ? token.join(', ') : token, async () => {
      const read = await readCapped(req);
      truncated = read.truncated;
      return read.body;
    });
    const out = Buffer.from(JSON.stringify(answer.body));
    res.writeHead(answer.status, {
      'Content-Type': 'application/json',
      ...(answer.status === 200 ? NO_COMPRESSION : {}),
      ...SECURITY_HEADERS,
      'Content-Length': String(out.byteLength),
      ...(truncated ? { Connection: 'close' } : {}),
    });
    res.end(out);
  } catch (err) {
    console.error(`samples route: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json', ...SECURITY_HEADERS });
    res.end(JSON.stringify({ error: 'internal_error', detail: 'the server failed to store this batch' }));
  }
  return true;
}
