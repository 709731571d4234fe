/**
 * The one gate every API route handler calls first (issue 7): who is calling, may they call this
 * route at all, and — for cookie-authenticated mutations — is it really our own page calling
 * (CSRF, lib/auth/csrf.ts). Ownership of a particular resource is decided afterwards with
 * canRead/canWrite (lib/auth/access.ts), which answer 404 for others' private resources.
 *
 *   const actor = await authorize(db, request, { need: 'write' });
 *   if (actor instanceof Response) return actor;
 *
 * Needs:
 * - `none`       anyone; the request must come from our origin (sign-in, sign-up: login CSRF).
 * - `public`     anyone; anonymous callers get public content only.
 * - `signed-in`  a user: cookie session or API token with the `read` scope.
 * - `session`    a user signed in with the cookie (account and token management: a token cannot
 *                mint or list tokens).
 * - `write`      a user with the `write` scope (cookie sessions have every scope).
 * A bearer token in our format that is unknown or revoked is refused (401) for every need but none, so
 * API clients learn that their token is dead instead of silently seeing public data only. Other
 * bearer values (e.g. a participant's session token sent to a researcher route) count as anonymous.
 */
import type { Db } from '@/db/client';
import { apiError } from '@/lib/http/errors';
import { API_TOKEN_PREFIX, bearerToken, resolveActor, type Actor } from './access';
import { checkCsrf, checkSameOrigin } from './csrf';

export type Need = 'none' | 'public' | 'signed-in' | 'session' | 'write';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export async function authorize(db: Db, request: Request, options: { need: Need }): Promise<Actor | Response> {
  const { need } = options;
  const mutating = !SAFE_METHODS.has(request.method.toUpperCase());
  if (need === 'none' && mutating) {
    const reason = checkSameOrigin(request.headers, request.url);
    if (reason !== null) return apiError(403, 'csrf_failed', reason);
  }
  const actor = await resolveActor(db, request);
  if (need !== 'none' && actor.kind === 'anonymous' && bearerToken(request)?.startsWith(API_TOKEN_PREFIX)) {
    return apiError(401, 'invalid_token', 'the API token is unknown or revoked');
  }
  if (need === 'none' || need === 'public') return actor;
  if (actor.kind === 'anonymous') return apiError(401, 'unauthenticated', 'sign in or send an API token (Authorization: Bearer gzb_…)');
  if (need === 'session' && actor.via !== 'cookie') {
    return apiError(403, 'session_required', 'this needs a signed-in browser session; API tokens cannot manage accounts or tokens');
  }
  if (need === 'signed-in' && !actor.scopes.includes('read')) return apiError(403, 'insufficient_scope', 'the API token lacks the read scope');
  if (need === 'write' && !actor.scopes.includes('write')) return apiError(403, 'insufficient_scope', 'the API token lacks the write scope');
  if (mutating && actor.via === 'cookie') {
    const reason = checkCsrf(request.headers, request.url, actor.csrfToken ?? '');
    if (reason !== null) return apiError(403, 'csrf_failed', reason);
  }
  return actor;
}

/** The signed-in user's id (authorize has ruled out anonymous callers for every need but none/public). */
export function userIdOf(actor: Actor): string {
  if (actor.kind !== 'user') throw new Error('userIdOf: anonymous actor');
  return actor.userId;
}
