import type { NextConfig } from 'next';
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS } from './lib/http/security-headers';

const nextConfig: NextConfig = {
  // Packages that load their own .wasm/.data files at run time must not be bundled.
  serverExternalPackages: [
    '@electric-sql/pglite',
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
    'pg-boss',
    'postgres',
    'pngjs',
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [...COMMON_SECURITY_HEADERS],
      },
      // Pages get a per-request CSP with a nonce from proxy.ts; API answers this fixed one.
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }] },
    ];
  },
};

export default nextConfig;
