/**
 * The gaze-sample route served beside Next.js by the production server (scripts/start.ts).
 *
 * POST /api/v1/sessions/<id>/samples arrives about once a second from every participant. Its
 * handler (app/api/v1/sessions/[id]/samples/route.ts) is a plain `(Request) => Response`
 * function, so the custom server can call the very same function without Next's request
 * pipeline, which bench:ingest measured at about two thirds of the route's CPU (2.0 → 0.74 ms
 * per batch: router server, web-request adaptation, tracing; docs/benchmarks.md). Behaviour is identical: same handler, the same
 * security headers as next.config.ts, a 500 logged and answered as JSON. Every other request
 * goes to Next. Set GAZEBENCH_FAST_ROUTES=0 to send this one to Next as well.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES } from '@/lib/studies/contract';

const SAMPLES_PATH = /^\/api\/v1\/sessions\/([^/?#]+)\/samples\/?(?:\?.*)?$/;
/** The headers next.config.ts adds to every response. */
const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin', 'X-Frame-Options': 'DENY' };

type SamplesRoute = typeof import('@/app/api/v1/sessions/[id]/samples/route');
let route: Promise<SamplesRoute> | undefined;

/** Reads at most MAX_BODY_BYTES + 1 bytes: enough for the handler to see an oversized body and answer 413. */
async function readCapped(req: IncomingMessage): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) return { body: Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES + 1), truncated: true };
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

/** Serves the request when it is a sample batch; false to let Next handle it. */
export async function serveFastRoute(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'POST' || process.env.GAZEBENCH_FAST_ROUTES === '0') return false;
  const match = SAMPLES_PATH.exec(req.url ?? '');
  if (!match) return false;
  try {
    route ??= import('@/app/api/v1/sessions/[id]/samples/route');
    const { POST } = await route;
    const { body, truncated } = await readCapped(req);
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string') headers.set(name, value);
      else if (Array.isArray(value)) headers.set(name, value.join(', '));
    }
    headers.delete('content-length');
    const request = new Request(`http://localhost${req.url ?? ''}`, { method: 'POST', headers, body: new Uint8Array(body) });
    const response = await POST(request, { params: Promise.resolve({ id: decodeURIComponent(match[1] as string) }) });
    const out = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, { ...Object.fromEntries(response.headers), ...SECURITY_HEADERS, 'Content-Length': String(out.byteLength), ...(truncated ? { Connection: 'close' } : {}) });
    res.end(out);
  } catch (err) {
    console.error(`samples route: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json', ...SECURITY_HEADERS });
    res.end(JSON.stringify({ error: 'internal_error', detail: 'the server failed to store this batch' }));
  }
  return true;
}
