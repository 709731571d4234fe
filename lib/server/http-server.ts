/**
 * The HTTP server of `npm start`: Next.js's request handler behind a plain node:http server, with
 * the gaze-sample route served beside it (fast-routes.ts). One function so that the single-process
 * start and each node:cluster web process (WEB_PROCESSES > 1) serve exactly the same way.
 */
import http from 'node:http';
import type { AppConfig } from '@/lib/config';
import { badPathSegment, pathDecodes } from '@/lib/http/raw-path';
import { serveFastRoute } from './fast-routes';

export async function createHttpServer(root: string, config: AppConfig): Promise<http.Server> {
  const { default: next } = await import('next');
  const app = next({ dev: false, dir: root, hostname: config.host, port: config.port });
  const handler = app.getRequestHandler();
  await app.prepare();
  // Rate limits key on the client address (lib/auth/client-ip.ts reads the last X-Forwarded-For
  // entry). Unless GAZEBENCH_TRUST_PROXY=1 (a reverse proxy sets X-Forwarded-*), whatever the
  // client sent in those headers is dropped and the socket's address used.
  const trustProxy = process.env.GAZEBENCH_TRUST_PROXY === '1';
  return http.createServer((req, res) => {
    const rawPath = (req.url ?? '/').split('?')[0] as string;
    if (!pathDecodes(rawPath)) {
      void refuseBadPath(rawPath, res);
      return;
    }
    if (!trustProxy) {
      delete req.headers['x-forwarded-host'];
      delete req.headers['x-forwarded-proto'];
    }
    if (!trustProxy || req.headers['x-forwarded-for'] === undefined) req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? 'unknown';
    void serveFastRoute(req, res).then((served) => (served ? undefined : handler(req, res)));
  });
}

/** 400 for a path that does not decode, naming the route's parameter (lib/http/raw-path.ts). */
async function refuseBadPath(rawPath: string, res: http.ServerResponse): Promise<void> {
  // The route list is loaded on the first bad path only, not at every start.
  const { API_ROUTES } = await import('@/lib/api');
  const bad = badPathSegment(rawPath, API_ROUTES.map((r) => r.path)) ?? { field: 'path', detail: 'the path is not valid percent-encoded UTF-8' };
  const api = rawPath.startsWith('/api/');
  res.writeHead(400, { 'content-type': api ? 'application/json' : 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' });
  res.end(api ? JSON.stringify({ error: 'invalid_request', field: bad.field, detail: bad.detail }) : `Bad request: ${bad.detail}\n`);
}
