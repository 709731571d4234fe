/**
 * The address a request came from, for rate limiting. Next.js route handlers do not see the
 * socket, so scripts/start.ts writes it into X-Forwarded-For before Next.js runs: the socket's
 * address replaces whatever the client sent, unless GAZEBENCH_TRUST_PROXY=1 (behind a reverse
 * proxy that appends the client address). Either way the last entry is the one we can trust.
 */
export function clientIp(request: Request): string {
  const forwarded = request.headers.get('x-forwarded-for');
  const last = forwarded?.split(',').map((s) => s.trim()).filter((s) => s !== '').at(-1);
  return last ?? 'unknown';
}
