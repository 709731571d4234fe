/**
 * Next.js 16 proxy (formerly middleware): a Content-Security-Policy with a fresh nonce for every
 * page (lib/http/security-headers.ts). Next.js reads the nonce from the request's CSP header and
 * puts it on its scripts; pages are rendered per request (the root layout reads the session).
 *
 * The matcher leaves out /api (its answers get a fixed policy from next.config.ts — and a proxy on
 * /api would make Next.js buffer request bodies, which would break streamed uploads),
 * /_next/static, /_next/image and files with an extension (public/: models, wasm, WebGazer).
 */
import { NextResponse, type NextRequest } from 'next/server';
import { newNonce, pageContentSecurityPolicy } from '@/lib/http/security-headers';

export function proxy(request: NextRequest) {
  const policy = pageContentSecurityPolicy({
    nonce: newNonce(),
    dev: process.env.NODE_ENV === 'development',
    allowEval: request.nextUrl.pathname.startsWith('/s/'),
  });
  const headers = new Headers(request.headers);
  headers.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers } });
  response.headers.set('Content-Security-Policy', policy);
  if (request.headers.get('x-forwarded-proto') === 'https') {
    response.headers.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  }
  return response;
}

export const config = {
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon\\.ico|.*\\.[A-Za-z0-9]+$).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
