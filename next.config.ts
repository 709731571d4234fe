import type { NextConfig } from 'next';
import { API_CONTENT_SECURITY_POLICY, COMMON_SECURITY_HEADERS } from './lib/http/security-headers';

/**
 * Two kinds of build, never mixed:
 * - the normal build in `.next` (npm start, npm run build);
 * - the e2e build in `.next-e2e`, made only when GAZEBENCH_E2E_BUILD=1 (scripts/e2e.mjs). It alone
 *   compiles in the test-only synthetic gaze source: NEXT_PUBLIC_GAZEBENCH_TEST_GAZE is inlined
 *   as '1' there and as '0' everywhere else, so the branch that imports it is dead code and is
 *   dropped from every other build (scripts/check-production-bundle.mjs proves it on `.next`).
 * The variable is derived here and may not be set from outside.
 */
if (process.env.NEXT_PUBLIC_GAZEBENCH_TEST_GAZE !== undefined && process.env.NEXT_PUBLIC_GAZEBENCH_TEST_GAZE !== (process.env.GAZEBENCH_E2E_BUILD === '1' ? '1' : '0')) {
  throw new Error('NEXT_PUBLIC_GAZEBENCH_TEST_GAZE is derived from GAZEBENCH_E2E_BUILD and must not be set by hand');
}
const e2eBuild = process.env.GAZEBENCH_E2E_BUILD === '1';

const nextConfig: NextConfig = {
  distDir: e2eBuild ? '.next-e2e' : '.next',
  env: { NEXT_PUBLIC_GAZEBENCH_TEST_GAZE: e2eBuild ? '1' : '0' },
  // Packages that load their own .wasm/.data files at run time must not be bundled.
  serverExternalPackages: [
    '@tensorflow/tfjs',
    '@tensorflow/tfjs-backend-wasm',
    'pg-boss',
    'postgres',
    'pngjs',
  ],
  poweredByHeader: false,
  reactStrictMode: true,
  typedRoutes: false,
  // Types are checked once by `npm test` (its typecheck step, `tsc --noEmit`, which also covers
  // the tests and scripts), not again in every build: on this 2-core machine the check was 24 s of
  // a 51 s `next build`, which the first `npm start` of a fresh clone waits for.
  typescript: { ignoreBuildErrors: true },
  experimental: {
    // Turbopack's persistent build cache speeds up rebuilds (19.6 s against 26.7 s here) but writing
    // it costs a first build 4-7 s: scripts/start.ts turns it off (GAZEBENCH_BUILD_CACHE=0) for the
    // first build of a clone, so the first start is not slowed by a cache nothing has used yet.
    turbopackFileSystemCacheForBuild: process.env.GAZEBENCH_BUILD_CACHE !== '0',
  },
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
