import { describe, expect, it } from 'vitest';
import { checkCsrf, checkSameOrigin, csrfTokensMatch } from './csrf';

const URL_ = 'http://gazebench.example:3000/api/v1/datasets';
const h = (init: Record<string, string>) => new Headers({ host: 'gazebench.example:3000', ...init });

describe('checkSameOrigin', () => {
  it('accepts our own origin, same-origin fetch metadata, and requests without either (non-browsers)', () => {
    expect(checkSameOrigin(h({ origin: 'http://gazebench.example:3000', 'sec-fetch-site': 'same-origin' }), URL_)).toBeNull();
    expect(checkSameOrigin(h({}), URL_)).toBeNull();
    // TLS ends at a proxy: the scheme differs, the host is the same.
    expect(checkSameOrigin(h({ origin: 'https://gazebench.example:3000' }), URL_)).toBeNull();
  });

  it('honours X-Forwarded-Host behind a reverse proxy', () => {
    const headers = new Headers({ host: '10.0.0.5:3000', 'x-forwarded-host': 'gaze.example.org', origin: 'https://gaze.example.org' });
    expect(checkSameOrigin(headers, 'http://10.0.0.5:3000/api')).toBeNull();
  });

  it.each([
    [{ origin: 'https://evil.example' }, 'Origin'],
    [{ origin: 'null' }, 'Origin'],
    [{ origin: 'http://gazebench.example:3001' }, 'Origin'],
    [{ 'sec-fetch-site': 'cross-site' }, 'Sec-Fetch-Site'],
    [{ 'sec-fetch-site': 'same-site', origin: 'http://gazebench.example:3000' }, 'Sec-Fetch-Site'],
  ])('refuses %j', (headers, what) => {
    expect(checkSameOrigin(h(headers), URL_)).toContain(what);
  });
});

describe('checkCsrf (cookie-authenticated mutations)', () => {
  const token = 'tok_0123456789abcdefghijklmnopqrstuvwxyzABCDEF';
  it('needs the session token in X-CSRF-Token, exactly', () => {
    expect(checkCsrf(h({ 'x-csrf-token': token, origin: 'http://gazebench.example:3000' }), URL_, token)).toBeNull();
    expect(checkCsrf(h({}), URL_, token)).toContain('X-CSRF-Token');
    expect(checkCsrf(h({ 'x-csrf-token': `${token}x` }), URL_, token)).toContain('X-CSRF-Token');
    expect(checkCsrf(h({ 'x-csrf-token': token.toLowerCase() }), URL_, token)).toContain('X-CSRF-Token');
  });

  it('a right token from a foreign origin still fails', () => {
    expect(checkCsrf(h({ 'x-csrf-token': token, origin: 'https://evil.example' }), URL_, token)).toContain('Origin');
  });

  it('an empty expected token never matches', () => {
    expect(csrfTokensMatch('', '')).toBe(false);
    expect(csrfTokensMatch(null, 'a')).toBe(false);
  });
});
