/**
 * Cross-site request forgery checks for cookie-authenticated mutations (OWASP CSRF Prevention
 * Cheat Sheet: "synchronizer token" bound to the session + "verifying origin with standard headers"
 * + Fetch Metadata). Requests authenticated with an API token (Authorization header) are exempt:
 * a browser never attaches that header cross-site on its own.
 *
 * 1. Fetch Metadata: `Sec-Fetch-Site`, when the browser sends it, must be `same-origin` (or `none`,
 *    a user-typed navigation).
 * 2. `Origin`, when present, must name this server's host (the Host header, or X-Forwarded-Host
 *    behind a reverse proxy). The scheme is not compared: TLS often ends at the proxy.
 * 3. The `X-CSRF-Token` header must equal the session's csrf_token (constant-time comparison).
 *    Pages read it from `<meta name="csrf-token">`; API clients from GET /api/v1/auth/session.
 * Sign-in and sign-up (no session yet) apply checks 1 and 2 only (login CSRF).
 */
import { timingSafeEqual } from 'node:crypto';

export const CSRF_HEADER = 'x-csrf-token';

/** This server's host as the browser addressed it. */
function expectedHost(headers: Headers, requestUrl: string): string {
  const forwarded = headers.get('x-forwarded-host')?.split(',')[0]?.trim();
  return (forwarded || headers.get('host') || new URL(requestUrl).host).toLowerCase();
}

/** Null when the request may come from our own pages; otherwise why not. */
export function checkSameOrigin(headers: Headers, requestUrl: string): string | null {
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') return `cross-site request refused (Sec-Fetch-Site: ${site})`;
  const origin = headers.get('origin');
  if (origin === null) return null;
  let host: string;
  try {
    host = new URL(origin).host.toLowerCase();
  } catch {
    return `cross-site request refused (Origin: ${origin})`;
  }
  if (host === '' || host !== expectedHost(headers, requestUrl)) return `cross-site request refused (Origin: ${origin})`;
  return null;
}

export function csrfTokensMatch(sent: string | null, expected: string): boolean {
  if (sent === null || expected === '') return false;
  const a = Buffer.from(sent, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Both checks for a cookie-authenticated mutation: null when it passes. */
export function checkCsrf(headers: Headers, requestUrl: string, sessionCsrfToken: string): string | null {
  const origin = checkSameOrigin(headers, requestUrl);
  if (origin !== null) return origin;
  if (!csrfTokensMatch(headers.get(CSRF_HEADER), sessionCsrfToken)) {
    return 'missing or wrong X-CSRF-Token header (send the csrf token of your session)';
  }
  return null;
}
