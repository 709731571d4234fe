/**
 * `npm run bench:participant-js [-- --check]`: how much JavaScript the participant page loads
 * before the camera step (issue 5 speed goal: ≤ 200 kB gzipped), measured on the normal
 * production build (.next, built if stale exactly as `npm start` does).
 *
 * Starts the site on a throwaway DATA_DIR, opens /s/demo-study in system Chromium, walks consent,
 * device check and virtual chinrest like a participant (e2e/participant-steps.ts), and records
 * every JavaScript response: before the camera step, and from the camera step until the camera
 * runs (WebGazer, TF.js and MediaPipe's loader arrive only then). Sizes: raw bytes, gzip (zlib
 * level 9, computed here) and the bytes actually transferred (`next start` gzips responses). Also
 * fails when the test-only synthetic gaze source is found anywhere in the .next build (client
 * chunks or server bundles).
 *
 * --check: exit 1 when the pre-camera figure exceeds the budget. Prints one JSON line last.
 */
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Response } from '@playwright/test';
import { doChinrest, acceptConsent, passDeviceCheck } from '../e2e/participant-steps';
import { filesWithSyntheticSource, root, startTestServer } from './test-server.mjs';

const BUDGET_BYTES = 200_000;
const STUDY = process.env.GAZEBENCH_MEASURE_STUDY ?? 'demo-study';
const check = process.argv.includes('--check');

interface JsFile {
  url: string;
  raw: number;
  gzip: number;
  transferred: number;
}

const kb = (n: number) => `${(n / 1000).toFixed(1)} kB`;

async function main(): Promise<void> {
  const server = await startTestServer({});
  let failed = false;
  try {
    const leaked = filesWithSyntheticSource(path.join(root, '.next'));
    if (leaked.length > 0) {
      console.error(`measure-participant-js: the production build contains the synthetic gaze source: ${leaked.join(', ')}`);
      failed = true;
    } else {
      console.log('production build (.next): no trace of the synthetic gaze source in client chunks or server bundles');
    }

    const browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let stage: 'before' | 'camera' = 'before';
    const files: Record<'before' | 'camera', JsFile[]> = { before: [], camera: [] };
    const pending: Promise<void>[] = [];
    page.on('response', (res: Response) => {
      const type = res.request().resourceType();
      if (type !== 'script' && !res.url().endsWith('.js')) return;
      const bucket = stage;
      pending.push(
        (async () => {
          const body = await res.body();
          const sizes = await res.request().sizes();
          files[bucket].push({ url: res.url(), raw: body.length, gzip: zlib.gzipSync(body, { level: 9 }).length, transferred: sizes.responseBodySize });
        })(),
      );
    });

    await page.goto(`${server.baseUrl}/s/${STUDY}`);
    await acceptConsent(page);
    await passDeviceCheck(page);
    await doChinrest(page);
    // The last Space press above moves on to the camera step; everything before it is "before".
    await Promise.all(pending);
    stage = 'camera';
    await page.getByTestId('camera-status').waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid=camera-status]')?.getAttribute('data-camera-live') === 'true', undefined, {
      timeout: 180_000,
    });
    await Promise.all(pending);
    await browser.close();

    const sum = (list: JsFile[], k: keyof Omit<JsFile, 'url'>) => list.reduce((a, f) => a + f[k], 0);
    for (const bucket of ['before', 'camera'] as const) {
      console.log(`\n${bucket === 'before' ? 'Before the camera step' : 'Camera step (lazy)'}: ${files[bucket].length} JS files`);
      for (const f of [...files[bucket]].sort((a, b) => b.gzip - a.gzip)) {
        console.log(`  ${kb(f.gzip).padStart(9)} gz  ${kb(f.raw).padStart(10)} raw  ${new URL(f.url).pathname}`);
      }
      console.log(`  total: ${kb(sum(files[bucket], 'gzip'))} gzipped, ${kb(sum(files[bucket], 'raw'))} raw, ${kb(sum(files[bucket], 'transferred'))} transferred`);
    }
    const before = sum(files.before, 'gzip');
    if (check && before > BUDGET_BYTES) {
      console.error(`measure-participant-js: ${kb(before)} gzipped before the camera step exceeds the ${kb(BUDGET_BYTES)} budget`);
      failed = true;
    }
    const leakedLibs = files.before.filter((f) => /webgazer|tfjs|mediapipe/i.test(f.url));
    if (leakedLibs.length > 0) {
      console.error(`measure-participant-js: WebGazer/TF.js loaded before the camera step: ${leakedLibs.map((f) => f.url).join(', ')}`);
      failed = true;
    }
    console.log(
      JSON.stringify({
        beforeCameraGzipBytes: before,
        beforeCameraRawBytes: sum(files.before, 'raw'),
        beforeCameraFiles: files.before.length,
        cameraStepGzipBytes: sum(files.camera, 'gzip'),
        budgetBytes: BUDGET_BYTES,
      }),
    );
  } finally {
    await server.stop();
  }
  process.exit(failed ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(`measure-participant-js: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
