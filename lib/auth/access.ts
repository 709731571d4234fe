/**
 * Who is calling, and what they may do (issue 7, "Accounts and access"). Every route resolves an
 * Actor from the request and asks the pure predicates below; a resource another researcher owns
 * and that is private answers 404 (invisible), not 403.
 *
 * - Researchers authenticate with the session cookie (`gb_session`, httpOnly, SameSite=Lax) or an
 *   API token (`Authorization: Bearer gzb_…`). Both are stored as SHA-256 only.
 * - Participants are not actors here: study routes check the per-session token themselves.
 */
import { createHash } from 'node:crypto';
import type { Db } from '@/db/client';
import { findActorByApiToken, findActorBySessionToken } from '@/db/queries/auth';

export const SESSION_COOKIE = 'gb_session';
export const API_TOKEN_PREFIX = 'gzb_';

export type Role = 'admin' | 'researcher';
export type Scope = 'read' | 'write';

export type Actor =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'user';
      readonly userId: string;
      readonly role: Role;
      readonly via: 'cookie' | 'token';
      /** Token scopes; cookie sessions have every scope. */
      readonly scopes: readonly Scope[];
      /** CSRF secret of the cookie session (checked on cookie-authenticated mutations). */
      readonly csrfToken?: string;
    };

export const ANONYMOUS: Actor = { kind: 'anonymous' };

/** An owned resource: datasets, models, studies, runs. ownerId null = platform (demo) content. */
export interface Owned {
  readonly ownerId: string | null;
  readonly visibility?: 'public' | 'private';
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

/** The bearer token of `request`'s Authorization header, if any. */
export function bearerToken(request: Request): string | undefined {
  const auth = request.headers.get('authorization');
  if (!auth || !/^bearer\s+/i.test(auth)) return undefined;
  return auth.replace(/^bearer\s+/i, '').trim();
}

/** The caller of `request`: a bearer API token wins over the cookie; unknown/expired/revoked → anonymous. */
export async function resolveActor(db: Db, request: Request): Promise<Actor> {
  const auth = request.headers.get('authorization');
  if (auth && /^bearer\s+/i.test(auth)) {
    const token = auth.replace(/^bearer\s+/i, '').trim();
    if (!token.startsWith(API_TOKEN_PREFIX)) return ANONYMOUS;
    const found = await findActorByApiToken(db, sha256Hex(token));
    return found ? { kind: 'user', userId: found.userId, role: found.role, via: 'token', scopes: found.scopes } : ANONYMOUS;
  }
  const cookie = cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
  if (!cookie) return ANONYMOUS;
  const found = await findActorBySessionToken(db, sha256Hex(cookie));
  return found
    ? { kind: 'user', userId: found.userId, role: found.role, via: 'cookie', scopes: ['read', 'write'], csrfToken: found.csrfToken }
    : ANONYMOUS;
}

export function isAdmin(actor: Actor): boolean {
  return actor.kind === 'user' && actor.role === 'admin';
}

export function isOwner(actor: Actor, resource: Owned): boolean {
  return actor.kind === 'user' && resource.ownerId !== null && resource.ownerId === actor.userId;
}

/** Public resources are readable by everyone; private ones by their owner and admins. */
export function canRead(actor: Actor, resource: Owned): boolean {
  if (resource.visibility === 'public') return true;
  if (resource.ownerId === null && resource.visibility === undefined) return true;
  return isOwner(actor, resource) || isAdmin(actor);
}

/** Only the owner (with a write scope) or an admin may change a resource; platform content only admins. */
export function canWrite(actor: Actor, resource: Owned): boolean {
  if (actor.kind !== 'user' || !actor.scopes.includes('write')) return false;
  return isOwner(actor, resource) || actor.role === 'admin';
}
