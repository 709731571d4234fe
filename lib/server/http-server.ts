/**
 * The HTTP server of `npm start`: Next.js's request handler behind a plain node:http server, with
 * the gaze-sample route served beside it (fast-routes.ts). One function so that the single-process
 * start and each node:cluster web process (WEB_PROCESSES > 1) serve exactly the same way.
 */
import http from 'node:http';
import type { AppConfig } from '@/lib/config';
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
    if (!trustProxy) {
      delete req.headers['x-forwarded-host'];
      delete req.headers['x-forwarded-proto'];
    }
    if (!trustProxy || req.headers['x-forwarded-for'] === undefined) req.headers['x-forwarded-for'] = req.socket.remoteAddress ?? 'unknown';
    void serveFastRoute(req, res).then((served) => (served ? undefined : handler(req, res)));
  });
}
