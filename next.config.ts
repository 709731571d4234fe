import type { NextConfig } from 'next';

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
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'same-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
        ],
      },
    ];
  },
};

export default nextConfig;
