/**
 * Cookie sign-in sessions: the `gb_session` cookie holds a random token (lib/auth/tokens.ts), the
 * auth_sessions row its SHA-256, the user, a CSRF token and an expiry (SESSION_TTL_DAYS, fixed
 * from sign-in). The cookie is HttpOnly, SameSite=Lax, Path=/, and Secure when the request came
 * over HTTPS (directly or, behind a proxy, X-Forwarded-Proto: https).
 */
import type { Db } from '@/db/client';
import { createAuthSession, deleteAuthSession, deleteExpiredSessions } from '@/db/queries/auth';
import { SESSION_COOKIE, sha256Hex } from './access';
import { newCsrfToken, newSessionToken } from './tokens';

export const SESSION_TTL_DAYS = 14;
const DAY_MS = 86_400_000;

export function isSecureRequest(request: Request): boolean {
  const forwarded = request.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  if (forwarded) return forwarded === 'https';
  return new URL(request.url).protocol === 'https:';
}

export function sessionCookie(token: string, expiresAt: Date, secure: boolean): string {
  const maxAge = Math.max(0, Math.round((expiresAt.getTime() - Date.now()) / 1000));
  const parts = [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAge}`, `Expires=${expiresAt.toUTCString()}`];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export function clearedSessionCookie(secure: boolean): string {
  const parts = [`${SESSION_COOKIE}=`, 'Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=0', 'Expires=Thu, 01 Jan 1970 00:00:00 GMT'];
  if (secure) parts.push('Secure');
  return parts.join('; ');
}

export interface StartedSession {
  /** Value for the Set-Cookie header. */
  cookie: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Creates a session row for `userId` and the cookie that carries it. */
export async function startSession(db: Db, userId: string, request: Request, now = new Date()): Promise<StartedSession> {
  const token = newSessionToken();
  const csrfToken = newCsrfToken();
  const expiresAt = new Date(now.getTime() + SESSION_TTL_DAYS * DAY_MS);
  await deleteExpiredSessions(db, now);
  await createAuthSession(db, { tokenHash: sha256Hex(token), userId, csrfToken, expiresAt });
  return { cookie: sessionCookie(token, expiresAt, isSecureRequest(request)), csrfToken, expiresAt };
}

/** Ends the session whose cookie value is `token` (no-op when unknown). */
export async function endSession(db: Db, token: string): Promise<void> {
  await deleteAuthSession(db, sha256Hex(token));
}
