/**
 * The two busiest participant routes, served beside Next.js by the production server
 * (scripts/start.ts): POST /api/v1/sessions/<id>/samples (about once a second from every
 * participant) and POST /api/v1/sessions/<id>/trials/<trialId>/start (once per image).
 *
 * Their work (lib/http/samples.ts: ids, token header, body bytes → status and JSON) is what the
 * Next routes call too, so the custom server runs the very same code without Next's request
 * pipeline, which bench:ingest measured at about two thirds of the sample route's CPU (2.0 → 0.74
 * ms per batch: router server, web-request adaptation, tracing; docs/benchmarks.md), and without
 * building a WHATWG Request and Response per request. Behaviour is identical: same code, the same
 * security headers as next.config.ts, a 500 logged and answered as JSON. Every other request goes
 * to Next. Set GAZEBENCH_FAST_ROUTES=0 to send these to Next as well.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, SESSION_TOKEN_HEADER } from '@/lib/studies/contract';

/** The headers next.config.ts adds to every response. */
const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'same-origin', 'X-Frame-Options': 'DENY' };
/** As the Next route answers a stored batch (app/api/v1/sessions/[id]/samples/route.ts). */
const NO_COMPRESSION = { 'Cache-Control': 'no-store, no-transform' };

type Core = typeof import('@/lib/http/samples');
type Answer = { status: number; body: unknown };
type Body = () => Promise<Uint8Array>;

/** The routes served here: path pattern → the same function the Next route calls. */
const ROUTES: { path: RegExp; serve: (core: Core, groups: string[], token: string | undefined, body: Body) => Promise<Answer>; headers: Record<string, string> }[] = [
  {
    path: /^\/api\/v1\/sessions\/([^/?#]+)\/samples\/?(?:\?.*)?$/,
    serve: (core, [id], token, body) => core.sampleBatch(id as string, token, body),
    headers: NO_COMPRESSION,
  },
  {
    path: /^\/api\/v1\/sessions\/([^/?#]+)\/trials\/([^/?#]+)\/start\/?(?:\?.*)?$/,
    serve: (core, [id, trialId], token, body) => core.trialStart(id as string, trialId as string, token, body),
    headers: {},
  },
];

let core: Promise<Core> | undefined;

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

function matchRoute(url: string): { route: (typeof ROUTES)[number]; match: RegExpExecArray } | null {
  for (const route of ROUTES) {
    const match = route.path.exec(url);
    if (match) return { route, match };
  }
  return null;
}

/** Serves the request when it is one of ROUTES; false to let Next handle it. */
export async function serveFastRoute(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  if (req.method !== 'POST' || process.env.GAZEBENCH_FAST_ROUTES === '0') return false;
  const url = req.url ?? '';
  const found = matchRoute(url);
  if (!found) return false;
  const { route, match } = found;
  try {
    core ??= import('@/lib/http/samples');
    const loaded = await core;
    let truncated = false;
    const header = req.headers[SESSION_TOKEN_HEADER.toLowerCase()];
    // A malformed escape stays as it is and fails the UUID check (400), as it would in Next.
    const groups = match.slice(1).map((g) => {
      try {
        return decodeURIComponent(g);
      } catch {
        return g;
      }
    });
    const answer = await route.serve(loaded, groups, Array.isArray(header) ? header.join(', ') : header, async () => {
      const read = await readCapped(req);
      truncated = read.truncated;
      return read.body;
    });
    const out = Buffer.from(JSON.stringify(answer.body));
    res.writeHead(answer.status, {
      'Content-Type': 'application/json',
      ...(answer.status === 200 ? route.headers : {}),
      ...SECURITY_HEADERS,
      'Content-Length': String(out.byteLength),
      ...(truncated ? { Connection: 'close' } : {}),
    });
    res.end(out);
  } catch (err) {
    console.error(`${url.split('?')[0]}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json', ...SECURITY_HEADERS });
    res.end(JSON.stringify({ error: 'internal_error', detail: 'the server failed to handle this request' }));
  }
  return true;
}
