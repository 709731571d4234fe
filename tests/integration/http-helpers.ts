/**
 * Calling route handlers the way Next.js does (a Request and a params promise), as different
 * callers: anonymous, a cookie session (with Origin and X-CSRF-Token), or an API token. Users are
 * inserted directly with one precomputed scrypt hash so tests do not spend 0.4 s per account;
 * the sign-up route itself is tested in accounts.test.ts.
 */
import type { Db } from '@/db/client';
import { createApiToken, createUser, type UserRole } from '@/db/queries/auth';
import { sha256Hex } from '@/lib/auth/access';
import { hashPassword } from '@/lib/auth/password';
import { startSession } from '@/lib/auth/session';
import { apiTokenPrefix, newApiToken } from '@/lib/auth/tokens';

export const ORIGIN = 'http://gazebench.test';
export const PASSWORD = 'correct horse battery';

let hash: Promise<string> | undefined;

export interface TestUser {
  id: string;
  email: string;
  cookie: string;
  csrf: string;
}

let counter = 0;

export async function makeUser(db: Db, role: UserRole = 'researcher', email?: string): Promise<TestUser> {
  hash ??= hashPassword(PASSWORD);
  const address = email ?? `user${++counter}-${Date.now()}@example.org`;
  const user = await createUser(db, { email: address, name: '', passwordHash: await hash, role });
  if (!user) throw new Error(`makeUser: ${address} exists`);
  const session = await startSession(db, user.id, new Request(`${ORIGIN}/`));
  return { id: user.id, email: address, cookie: session.cookie.split(';')[0] ?? '', csrf: session.csrfToken };
}

export async function makeToken(db: Db, userId: string, scopes: ('read' | 'write')[]): Promise<string> {
  const token = newApiToken();
  await createApiToken(db, { userId, name: 'test', prefix: apiTokenPrefix(token), tokenHash: sha256Hex(token), scopes });
  return token;
}

export type Caller = { kind: 'anonymous' } | { kind: 'cookie'; user: TestUser } | { kind: 'bearer'; token: string };

export const anonymous: Caller = { kind: 'anonymous' };
export const asCookie = (user: TestUser): Caller => ({ kind: 'cookie', user });
export const asToken = (token: string): Caller => ({ kind: 'bearer', token });

export interface RequestOptions {
  method?: string;
  caller?: Caller;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Client address for rate limits (X-Forwarded-For). */
  ip?: string;
}

export function request(pathAndQuery: string, options: RequestOptions = {}): Request {
  const method = options.method ?? (options.json === undefined && options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { host: new URL(ORIGIN).host, 'x-forwarded-for': options.ip ?? '203.0.113.1' };
  const caller = options.caller ?? anonymous;
  if (caller.kind === 'cookie') {
    headers.cookie = caller.user.cookie;
    if (method !== 'GET') {
      headers.origin = ORIGIN;
      headers['sec-fetch-site'] = 'same-origin';
      headers['x-csrf-token'] = caller.user.csrf;
    }
  } else if (caller.kind === 'bearer') {
    headers.authorization = `Bearer ${caller.token}`;
  }
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  return new Request(`${ORIGIN}${pathAndQuery}`, { method, headers: { ...headers, ...options.headers }, body, duplex: 'half' } as RequestInit);
}

type Handler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response> | Response;

/** Calls a route module's method handler with path params. */
export async function call(handler: unknown, req: Request, params: Record<string, string> = {}): Promise<Response> {
  return (handler as Handler)(req, { params: Promise.resolve(params) });
}

export function formData(files: { name: string; bytes: Uint8Array; field?: string }[], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  for (const f of files) form.append(f.field ?? 'files', new Blob([new Uint8Array(f.bytes)]), f.name);
  return form;
}
