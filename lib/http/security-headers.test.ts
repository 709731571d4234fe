import { describe, expect, it } from 'vitest';
import { API_CONTENT_SECURITY_POLICY, newNonce, pageContentSecurityPolicy } from './security-headers';

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name ?? '', values]));
}

describe('page Content-Security-Policy', () => {
  const policy = directives(pageContentSecurityPolicy({ nonce: 'abc123==' }));

  it('allows scripts from our origin and the nonce only, WebAssembly without eval', () => {
    expect(policy.get('script-src')).toEqual(["'self'", "'nonce-abc123=='", "'wasm-unsafe-eval'"]);
    expect(policy.get('script-src')).not.toContain("'unsafe-inline'");
    expect(policy.get('script-src')).not.toContain("'unsafe-eval'");
  });

  it('lets the webcam, TF.js workers and blob images work from our origin, and forbids framing', () => {
    expect(policy.get('default-src')).toEqual(["'self'"]);
    expect(policy.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(policy.get('img-src')).toEqual(["'self'", 'data:', 'blob:']);
    expect(policy.get('media-src')).toEqual(["'self'", 'blob:', 'mediastream:']);
    expect(policy.get('connect-src')).toEqual(["'self'"]);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
  });

  it('names no other origin anywhere', () => {
    for (const [, values] of policy) for (const v of values) expect(v).not.toMatch(/^https?:|\*/);
  });

  it("adds 'unsafe-eval' only in development and on participant pages (WebGazer needs it)", () => {
    expect(pageContentSecurityPolicy({ nonce: 'n', dev: true })).toContain("'unsafe-eval'");
    expect(pageContentSecurityPolicy({ nonce: 'n', allowEval: true })).toContain("'unsafe-eval'");
    expect(pageContentSecurityPolicy({ nonce: 'n' })).not.toContain("'unsafe-eval'");
  });
});

describe('API policy and nonces', () => {
  it('API answers allow no script at all', () => {
    const api = directives(API_CONTENT_SECURITY_POLICY);
    expect(api.get('default-src')).toEqual(["'none'"]);
    expect(api.has('script-src')).toBe(false);
    expect(api.get('frame-ancestors')).toEqual(["'none'"]);
  });

  it('nonces are 128-bit base64 and fresh', () => {
    const a = newNonce();
    expect(a).toMatch(/^[A-Za-z0-9+/]{22}==$/);
    expect(newNonce()).not.toBe(a);
  });
});
