import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POST as signIn } from '@/app/api/v1/auth/signin/route';
import { POST as signOut } from '@/app/api/v1/auth/signout/route';
import { GET as session } from '@/app/api/v1/auth/session/route';
import { POST as signUp } from '@/app/api/v1/auth/signup/route';
import { POST as createDataset } from '@/app/api/v1/datasets/route';
import { openDb, type DbHandle } from '@/db/client';
import { findUserByEmail } from '@/db/queries/auth';
import { authSessions, datasets, rateLimits } from '@/db/schema';
import { verifyPassword } from '@/lib/auth/password';
import { SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_IP, SIGN_UP_PER_IP, windowStartOf, type RateLimitRule } from '@/lib/auth/rate-limit';
import { driver, freshDb, tempDir, testDatabaseUrl } from './helpers';
import { asCookie, call, makeUser, PASSWORD, request } from './http-helpers';

const root = path.resolve(__dirname, '../..');

/**
 * Windows are fixed (aligned to the epoch): a run of attempts that straddles a window's end starts
 * counting again from zero and the expected 429 never comes (CI hit this at 06:00:00). Waits until
 * the current window has `marginMs` left, so the attempts of one test fall in one window.
 */
async function clearOfWindowEnd(rule: RateLimitRule, marginMs = 30_000): Promise<void> {
  const now = new Date();
  const left = windowStartOf(rule, now).getTime() + rule.windowSeconds * 1000 - now.getTime();
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 50));
}

function cookieOf(res: Response): string {
  return res.headers.get('set-cookie') ?? '';
}

describe(`accounts on ${driver}`, () => {
  let handle: DbHandle;
  beforeAll(async () => {
    handle = await freshDb();
  });
  afterAll(async () => {
    await handle.close();
  });

  it('sign-up creates a researcher, stores only a scrypt hash, and sets an HttpOnly SameSite=Lax session cookie', async () => {
    const res = await call(signUp, request('/api/v1/auth/signup', { json: { email: 'Ada@Example.org', password: 'a long password', name: 'Ada' }, ip: '198.51.100.1' }));
    expect(res.status).toBe(201);
    const body = (await res.json()) as { user: { email: string; role: string }; csrfToken: string };
    expect(body.user).toMatchObject({ email: 'ada@example.org', role: 'researcher' });
    expect(body.csrfToken).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const cookie = cookieOf(res);
    expect(cookie).toMatch(/^gb_session=[A-Za-z0-9_-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=1209600; Expires=/);
    expect(cookie).not.toContain('Secure');
    const user = await findUserByEmail(handle.db, 'ada@example.org');
    expect(user?.passwordHash).toMatch(/^scrypt\$32768\$8\$3\$/);
    expect(user?.passwordHash).not.toContain('a long password');
    // The cookie's value is not stored either: only its SHA-256.
    const token = /gb_session=([^;]+)/.exec(cookie)?.[1] ?? '';
    const rows = await handle.db.select().from(authSessions);
    expect(rows.some((r) => r.tokenHash === token)).toBe(false);
    expect(rows.some((r) => r.tokenHash.length === 64)).toBe(true);
  });

  it('the cookie is Secure behind HTTPS', async () => {
    const res = await call(signUp, request('/api/v1/auth/signup', { json: { email: 'sec@example.org', password: 'a long password' }, headers: { 'x-forwarded-proto': 'https' }, ip: '198.51.100.2' }));
    expect(res.status).toBe(201);
    expect(cookieOf(res)).toMatch(/; Secure$/);
  });

  it('refuses a taken email (409), a short password and a bad email (400 naming the field)', async () => {
    const dup = await call(signUp, request('/api/v1/auth/signup', { json: { email: 'ADA@example.org', password: 'another password' }, ip: '198.51.100.3' }));
    expect(dup.status).toBe(409);
    expect(await dup.json()).toMatchObject({ error: 'email_taken', field: 'email' });
    const short = await call(signUp, request('/api/v1/auth/signup', { json: { email: 'b@example.org', password: 'short' }, ip: '198.51.100.3' }));
    expect(short.status).toBe(400);
    expect(await short.json()).toMatchObject({ field: 'password' });
    const bad = await call(signUp, request('/api/v1/auth/signup', { json: { email: 'not-an-email', password: 'a long password' }, ip: '198.51.100.3' }));
    expect(await bad.json()).toMatchObject({ field: 'email' });
  });

  it('sign-in: right password → session; wrong password and unknown email → the same 401', async () => {
    const ok = await call(signIn, request('/api/v1/auth/signin', { json: { email: 'ada@example.org', password: 'a long password' }, ip: '198.51.100.4' }));
    expect(ok.status).toBe(200);
    const cookie = cookieOf(ok).split(';')[0] ?? '';
    const me = await call(session, request('/api/v1/auth/session', { headers: { cookie } }));
    expect(await me.json()).toMatchObject({ user: { email: 'ada@example.org' }, via: 'cookie' });
    const wrong = await call(signIn, request('/api/v1/auth/signin', { json: { email: 'ada@example.org', password: 'a long passworD' }, ip: '198.51.100.4' }));
    const unknown = await call(signIn, request('/api/v1/auth/signin', { json: { email: 'nobody@example.org', password: 'a long password' }, ip: '198.51.100.4' }));
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(await wrong.json()).toEqual(await unknown.json());
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('sign-in and sign-up refuse cross-site requests (login CSRF)', async () => {
    const res = await call(signIn, request('/api/v1/auth/signin', { json: { email: 'ada@example.org', password: 'a long password' }, headers: { origin: 'https://evil.example' } }));
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: 'csrf_failed' });
  });

  it('sign-out ends the session: the cookie stops working', async () => {
    const user = await makeUser(handle.db);
    expect((await call(session, request('/api/v1/auth/session', { caller: asCookie(user) }))).status).toBe(200);
    const out = await call(signOut, request('/api/v1/auth/signout', { method: 'POST', caller: asCookie(user) }));
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toContain('Max-Age=0');
    expect((await call(session, request('/api/v1/auth/session', { caller: asCookie(user) }))).status).toBe(401);
  });

  it('an expired session is no session', async () => {
    const user = await makeUser(handle.db);
    await handle.db.update(authSessions).set({ expiresAt: new Date(Date.now() - 1000) });
    expect((await call(session, request('/api/v1/auth/session', { caller: asCookie(user) }))).status).toBe(401);
  });

  it('CSRF: a cookie-authenticated mutation needs the session token and our origin; nothing is created otherwise', async () => {
    const user = await makeUser(handle.db);
    const json = { name: 'Mine', slug: 'csrf-test' };
    const noToken = await call(createDataset, request('/api/v1/datasets', { json, caller: asCookie(user), headers: { 'x-csrf-token': '' } }));
    expect(noToken.status).toBe(403);
    expect(await noToken.json()).toMatchObject({ error: 'csrf_failed' });
    const otherToken = await call(createDataset, request('/api/v1/datasets', { json, caller: asCookie({ ...user, csrf: 'x'.repeat(43) }) }));
    expect(otherToken.status).toBe(403);
    const foreign = await call(createDataset, request('/api/v1/datasets', { json, caller: asCookie(user), headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } }));
    expect(foreign.status).toBe(403);
    expect(await handle.db.select().from(datasets)).toHaveLength(0);
    const ok = await call(createDataset, request('/api/v1/datasets', { json, caller: asCookie(user) }));
    expect(ok.status).toBe(201);
  });

  it(`rate limits sign-in per address (${SIGN_IN_PER_IP.limit}) and per account (${SIGN_IN_PER_ACCOUNT.limit}) with 429 and Retry-After`, async () => {
    await handle.db.delete(rateLimits);
    await clearOfWindowEnd(SIGN_IN_PER_ACCOUNT);
    const attempt = (ip: string, email: string) => call(signIn, request('/api/v1/auth/signin', { json: { email, password: 'wrong password' }, ip }));
    // Per account: 10 tries from 10 addresses, the 11th is refused even from a fresh address.
    for (let i = 0; i < SIGN_IN_PER_ACCOUNT.limit; i++) expect((await attempt(`192.0.2.${i}`, 'ada@example.org')).status).toBe(401);
    const locked = await attempt('192.0.2.200', 'ada@example.org');
    expect(locked.status).toBe(429);
    const retry = Number(locked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(SIGN_IN_PER_ACCOUNT.windowSeconds);
    // Even the right password waits for the window to end.
    expect((await call(signIn, request('/api/v1/auth/signin', { json: { email: 'ada@example.org', password: 'a long password' }, ip: '192.0.2.201' }))).status).toBe(429);
    // Per address: one address, many accounts.
    for (let i = 0; i < SIGN_IN_PER_IP.limit; i++) expect((await attempt('192.0.2.250', `u${i}@example.org`)).status).toBe(401);
    expect((await attempt('192.0.2.250', 'another@example.org')).status).toBe(429);
    // The counters live in the shared rate_limits table (every process sees them), emails only hashed.
    const keys = (await handle.db.select().from(rateLimits)).map((r) => r.key);
    expect(keys).toContain('signin-ip:192.0.2.250');
    expect(keys.some((k) => k.includes('ada@'))).toBe(false);
  });

  it('old rate-limit counters are pruned; a new window starts from zero', async () => {
    await handle.db.delete(rateLimits);
    await handle.db.insert(rateLimits).values([
      { key: 'signin-ip:192.0.2.77', windowStart: new Date(Date.now() - 2 * 86_400_000), count: 999 },
      { key: 'signin-ip:192.0.2.78', windowStart: new Date(Date.now() - 2 * 86_400_000), count: 999 },
    ]);
    // An old window for the same key restarts at 1 instead of refusing.
    expect((await call(signIn, request('/api/v1/auth/signin', { json: { email: 'z@example.org', password: 'x' }, ip: '192.0.2.77' }))).status).toBe(401);
    const keys = (await handle.db.select().from(rateLimits)).map((r) => [r.key, r.count]);
    expect(keys).not.toContainEqual(['signin-ip:192.0.2.78', 999]);
    expect(keys).toContainEqual(['signin-ip:192.0.2.77', 1]);
  });

  it(`rate limits sign-up per address (${SIGN_UP_PER_IP.limit} per hour)`, async () => {
    await clearOfWindowEnd(SIGN_UP_PER_IP);
    const up = (i: number) => call(signUp, request('/api/v1/auth/signup', { json: { email: `new${i}@example.org`, password: 'a long password' }, ip: '192.0.2.99' }));
    for (let i = 0; i < SIGN_UP_PER_IP.limit; i++) expect((await up(i)).status).toBe(201);
    const res = await up(99);
    expect(res.status).toBe(429);
    expect(await findUserByEmail(handle.db, 'new99@example.org')).toBeUndefined();
  });

  it('npx gazebench create-admin creates an admin who can sign in, promotes an existing account, refuses bad input', async () => {
    const dataDir = tempDir();
    try {
      const url = testDatabaseUrl();
      const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: url ?? '' };
      const cli = (args: string[], input?: string) => spawnSync(process.execPath, ['bin/gazebench.mjs', 'create-admin', ...args], { cwd: root, env, input, encoding: 'utf8' });
      const created = cli(['--email', 'Root@Example.org', '--password-stdin'], `${PASSWORD}\n`);
      expect(created.status, created.stderr).toBe(0);
      expect(created.stdout).toContain('admin root@example.org created');
      const promoted = cli(['--email', 'root@example.org']);
      expect(promoted.stdout).toContain('root@example.org is now an admin');
      expect(promoted.stdout).not.toContain('password');
      const bad = cli(['--email', 'nope']);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n').at(-1)).toContain('not an email address');
      expect(cli(['--email', 'x@example.org', '--password-stdin'], 'short\n').status).toBe(2);
      const db = url ? handle : await openDb({ dataDir });
      try {
        const user = await findUserByEmail(db.db, 'root@example.org');
        expect(user?.role).toBe('admin');
        expect(await verifyPassword(PASSWORD, user?.passwordHash ?? '')).toBe(true);
        expect(await findUserByEmail(db.db, 'x@example.org')).toBeUndefined();
      } finally {
        if (!url) await db.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
