/** The OpenAPI document of this server's /api/v1 (served at /api/v1/openapi.json, shown at /api-docs). */
import { openApiDocument } from '@/lib/http/openapi';
import { VERSION } from '@/lib/version';
import { API_ROUTES } from './index';

let cached: Record<string, unknown> | undefined;

export function apiDocument(): Record<string, unknown> {
  cached ??= openApiDocument(API_ROUTES, {
    title: 'Gazebench API',
    version: VERSION,
    description:
      'Researcher API of Gazebench. Authenticate with an API token (`Authorization: Bearer gzb_…`, created at /account, scopes read and write) ' +
      'or the browser session cookie (mutations then need the `X-CSRF-Token` header). Errors are JSON `{error, field?, detail}`. ' +
      'Private resources of others answer 404. Participant routes (/api/v1/sessions/**) take the session token in `X-Session-Token` instead; ' +
      'the study link (GET /api/v1/studies/{slug}/public, POST /api/v1/studies/{slug}/sessions) needs no credentials.',
  });
  return cached;
}
