/**
 * The signed-in user of the page being rendered (server components only): the session cookie
 * read through next/headers. Pages decide with the same predicates as the API (canRead/canWrite);
 * reading the cookie also makes every page render per request, which the CSP nonce needs.
 */
import { cookies } from 'next/headers';
import type { Db } from '@/db/client';
import { findSessionUser } from '@/db/queries/auth';
import { ANONYMOUS, SESSION_COOKIE, sha256Hex, type Actor } from './access';

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'researcher';
  csrfToken: string;
}

export async function currentUser(db: Db): Promise<SessionUser | null> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!token) return null;
  return (await findSessionUser(db, sha256Hex(token))) ?? null;
}

export function actorOf(user: SessionUser | null): Actor {
  if (!user) return ANONYMOUS;
  return { kind: 'user', userId: user.id, role: user.role, via: 'cookie', scopes: ['read', 'write'], csrfToken: user.csrfToken };
}
