import { describe, expect, it } from 'vitest';
import { resolveActor, sha256Hex } from './access';
import { API_TOKEN_PATTERN, apiTokenPrefix, isApiTokenFormat, newApiToken, newCsrfToken, newSessionToken } from './tokens';

describe('token formats', () => {
  it('API tokens read gzb_ + 43 base64url characters (256 bits) and differ every time', () => {
    const tokens = Array.from({ length: 200 }, newApiToken);
    for (const t of tokens) expect(t).toMatch(API_TOKEN_PATTERN);
    expect(new Set(tokens).size).toBe(200);
    expect(apiTokenPrefix(tokens[0] ?? '')).toMatch(/^gzb_[A-Za-z0-9_-]{8}$/);
    expect(isApiTokenFormat('gzb_short')).toBe(false);
    expect(isApiTokenFormat(`gzb_${'a'.repeat(43)}!`)).toBe(false);
  });

  it('session and CSRF tokens are 43-character base64url secrets', () => {
    expect(newSessionToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newCsrfToken()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(newSessionToken()).not.toBe(newSessionToken());
  });

  it('stores tokens as SHA-256 hex', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('a bearer value that is not a gzb_ token never reaches the database: anonymous', async () => {
    const db = new Proxy({}, { get: () => { throw new Error('database touched'); } }) as never;
    const actor = await resolveActor(db, new Request('http://x/', { headers: { authorization: 'Bearer participant-session-token' } }));
    expect(actor.kind).toBe('anonymous');
  });
});
