/**
 * The /explain playground in real Chromium: TF.js in a Web Worker on the wasm backend computes
 * the same maps as the Node library (initTfNode + lib/explainers, computed here in the test
 * process) for the demo model and a demo image — Grad-CAM, RISE (seed 7, N 64) and input
 * gradients — talks to no other origin, keeps TF.js out of the page bundle, shows progress with
 * an ETA, cancels, and loads local model files without uploading them.
 *
 * Tolerance: wasm in Chromium vs wasm in Node run the same XNNPACK kernels, so the maps should
 * agree to float32 rounding; we allow 1e-4 on the min-max scaled map (values in [0, 1]) and
 * 1e-4 relative to the map's largest magnitude on the unscaled one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Download, type Page, type Request } from '@playwright/test';
import { getExplainer } from '../lib/explainers';
import { decodePng } from '../lib/io/png';
import { loadModelBundle } from '../lib/models/bundle';
import { initTfNode } from '../lib/models/tf-node';

const DEMO_MODEL_DIR = path.resolve('public/models/demo-shapes');
const TOLERANCE = 1e-4;
/** RISE masks: few, so the test stays quick; seeded, so both sides draw the same masks. */
const RISE_N = 64;
/** A string every TF.js kernel registry contains, minified or not. */
const TFJS_MARKER = 'Conv2DBackpropInput';

interface DatasetImage {
  id: string;
  name: string;
  classLabel: string | null;
  url: string;
}

interface ExplanationFile {
  method: string;
  params: Record<string, unknown>;
  classIndex: number;
  score: number;
  width: number;
  height: number;
  data: number[];
  unscaled: { width: number; height: number; data: number[] };
  backend: string;
}

function isLocal(url: string, base: string): boolean {
  if (url.startsWith('data:') || url.startsWith('blob:')) return true;
  return new URL(url).origin === new URL(base).origin;
}

async function demoImages(page: Page): Promise<DatasetImage[]> {
  const res = await page.request.get('/api/v1/datasets/demo-shapes/images');
  expect(res.status()).toBe(200);
  return ((await res.json()) as { images: DatasetImage[] }).images;
}

/** Opens the playground on the wasm backend with the demo model loaded. */
async function openOnWasm(page: Page): Promise<void> {
  await page.goto('/explain');
  await page.getByLabel('Backend').selectOption('wasm');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm', { timeout: 30_000 });
  await expect(page.getByTestId('model-status')).toHaveText('Model loaded', { timeout: 30_000 });
}

async function readDownload(download: Download): Promise<Buffer> {
  const file = await download.path();
  return fs.readFileSync(file);
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
}

test('Grad-CAM, RISE (N 64) and input gradients in the browser worker equal the Node library on wasm, same-origin only, no TF.js in the page', async ({ page }) => {
  test.setTimeout(120_000);
  const requests: Request[] = [];
  page.context().on('request', (r) => requests.push(r));
  // HTTP errors only: aborted requests (Next's link prefetches cancelled mid-test) are not failures.
  const failed: string[] = [];
  page.context().on('response', (r) => {
    if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
  });
  const baseURL = test.info().project.use.baseURL as string;

  await openOnWasm(page);
  const report = (await page.getByTestId('backend').textContent()) ?? '';
  expect(report).toMatch(/^Running on wasm \((no )?SIMD, .*\) — chosen by you$/);

  const [image] = await demoImages(page);
  if (image === undefined) throw new Error('the demo dataset has no images');
  await page.getByRole('checkbox', { name: image.name, exact: true }).check();
  await expect(page.getByRole('checkbox', { name: 'gradcam', exact: true })).toBeChecked();
  await page.getByRole('checkbox', { name: 'rise', exact: true }).check();
  await page.getByLabel('rise N', { exact: true }).fill(String(RISE_N));
  await page.getByRole('checkbox', { name: 'gradient', exact: true }).check();
  await page.getByLabel('Seed').fill('7');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByTestId('progress-text')).toHaveText('3 of 3 done', { timeout: 60_000 });
  await expect(page.getByTestId('result-cell')).toHaveCount(3);
  await expect(page.getByRole('progressbar', { name: 'Progress' })).toBeVisible();

  // The same maps computed in this (Node) process by the same library.
  const rgba = decodePng(new Uint8Array(await (await page.request.get(image.url)).body()));
  await initTfNode('wasm');
  const bundle = await loadModelBundle(DEMO_MODEL_DIR);
  try {
    for (const [method, params] of [['gradcam', {}], ['rise', { N: RISE_N }], ['gradient', {}]] as const) {
      const label = `${method} on ${image.name}`;
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download JSON of ${label}` }).click()]);
      expect(download.suggestedFilename()).toBe(`${image.name.replace(/\.[^.]*$/, '')}.${method}.json`);
      const browser = JSON.parse((await readDownload(download)).toString('utf8')) as ExplanationFile;
      const node = await getExplainer(method).explain({
        bundle, image: { width: rgba.width, height: rgba.height, rgba: rgba.data }, target: { classIndex: 'predicted', output: 'logit' }, seed: 7, params,
      });
      expect(browser.backend).toBe('wasm');
      expect(browser.method).toBe(method);
      expect(browser.classIndex).toBe(node.classIndex);
      expect(browser.params).toEqual(node.params);
      expect([browser.width, browser.height]).toEqual([node.map.width, node.map.height]);
      expect(Math.abs(browser.score - node.score)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(node.score)));
      let peak = 0;
      for (const v of node.map.data) peak = Math.max(peak, Math.abs(v));
      expect(peak).toBeGreaterThan(0);
      const diff = maxAbsDiff(browser.unscaled.data, node.map.data);
      console.log(`${method}: browser vs Node max |Δ| = ${diff} (map peak ${peak})`);
      expect(diff).toBeLessThanOrEqual(TOLERANCE * Math.max(1, peak));
      let min = Infinity;
      for (const v of node.map.data) min = Math.min(min, v);
      const scaled = Array.from(node.map.data, (v) => (v - min) / (peak === min ? 1 : peak - min));
      expect(maxAbsDiff(browser.data, scaled)).toBeLessThanOrEqual(TOLERANCE);

      // The PNG of the cell: heatmap | overlay | isolines side by side.
      const [png] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download PNG of ${label}` }).click()]);
      const decoded = decodePng(new Uint8Array(await readDownload(png)));
      expect([decoded.width, decoded.height]).toEqual([3 * 224, 224]);
    }
  } finally {
    bundle.dispose();
  }

  expect(failed).toEqual([]);
  // Only our origin, and the worker's requests are among those seen (the wasm binary).
  const urls = requests.map((r) => r.url());
  expect(urls.filter((u) => !isLocal(u, baseURL))).toEqual([]);
  expect(urls.some((u) => /\/tfjs-wasm\/tfjs-backend-wasm[\w-]*\.wasm$/.test(u))).toBe(true);

  // TF.js is in the worker's scripts and in none of the page's.
  const pageScripts = await page.evaluate(() => [
    ...Array.from(document.scripts, (s) => s.src).filter((s) => s !== ''),
    ...performance.getEntriesByType('resource').filter((e) => e.name.endsWith('.js')).map((e) => e.name),
  ]);
  const worker = page.workers()[0];
  if (worker === undefined) throw new Error('no worker');
  const workerScripts = [worker.url(), ...(await worker.evaluate(() => performance.getEntriesByType('resource').map((e) => e.name).filter((n) => n.endsWith('.js'))))];
  const text = async (u: string) => (await page.request.get(u)).text();
  const pageTexts = await Promise.all([...new Set(pageScripts)].map(text));
  expect(pageTexts.length).toBeGreaterThan(0);
  for (const t of pageTexts) expect(t.includes(TFJS_MARKER)).toBe(false);
  const workerTexts = await Promise.all([...new Set(workerScripts)].map(text));
  expect(workerTexts.some((t) => t.includes(TFJS_MARKER))).toBe(true);
});

test('progress shows an ETA, and Cancel stops a long run between batches', async ({ page }) => {
  test.setTimeout(120_000);
  await openOnWasm(page);
  const images = (await demoImages(page)).slice(0, 2);
  for (const img of images) await page.getByRole('checkbox', { name: img.name, exact: true }).check();
  await page.getByRole('checkbox', { name: 'gradcam', exact: true }).uncheck();
  // RISE with the paper's N = 4000 masks: 250 forward passes of 16 per image, long enough to cancel.
  await page.getByRole('checkbox', { name: 'rise', exact: true }).check();
  await expect(page.getByLabel('rise N', { exact: true })).toHaveValue('4000');
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByTestId('progress-text')).toHaveText(new RegExp(`^0 of 2 done · rise on ${images[0]?.name} · (\\d+ min )?\\d+ s left$`), { timeout: 30_000 });
  const fraction = Number(await page.getByRole('progressbar', { name: 'Progress' }).getAttribute('value'));
  expect(fraction).toBeGreaterThan(0);
  expect(fraction).toBeLessThan(0.5);
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('progress-text')).toHaveText('Cancelled after 0 of 2', { timeout: 30_000 });
  await expect(page.getByTestId('result-cell')).toHaveCount(0);
  await expect(page.getByRole('button', { name: 'Run' })).toBeEnabled();
});

test('local model files load in the browser without being uploaded; a missing shard is named', async ({ page }) => {
  test.setTimeout(120_000);
  await openOnWasm(page);
  const sent: string[] = [];
  page.context().on('request', (r) => sent.push(`${r.method()} ${r.url()}`));
  await page.getByRole('radio', { name: 'Local model files' }).check();
  const picker = page.getByLabel(/^Model files/);

  await picker.setInputFiles([path.join(DEMO_MODEL_DIR, 'model.json')]);
  await expect(page.getByRole('group', { name: 'Model' }).getByRole('alert')).toContainText('missing weight shard: weights.bin');

  await picker.setInputFiles(['model.json', 'weights.bin', 'gazebench.json'].map((f) => path.join(DEMO_MODEL_DIR, f)));
  await expect(page.getByTestId('model-status')).toHaveText('Model loaded', { timeout: 30_000 });
  await expect(page.getByTestId('model-name')).toHaveText('Demo shapes CNN');

  // A local image too: both stay in the browser.
  const [first] = await demoImages(page);
  if (first === undefined) throw new Error('the demo dataset has no images');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-img-'));
  const local = path.join(dir, 'my-shape.png');
  fs.writeFileSync(local, await (await page.request.get(first.url)).body());
  await page.getByLabel(/^Local images/).setInputFiles(local);
  await page.getByRole('button', { name: 'Run' }).click();
  await expect(page.getByTestId('progress-text')).toHaveText('1 of 1 done', { timeout: 60_000 });
  await expect(page.getByTestId('result-class')).toHaveText(first.classLabel ?? '');
  fs.rmSync(dir, { recursive: true, force: true });

  expect(sent.filter((s) => !s.startsWith('GET ') || /\/models\/|my-shape/.test(s))).toEqual([]);
});

test('dataset images API: lists a public dataset, 400 names a bad slug, 404 for an unknown one', async ({ request }) => {
  const ok = await request.get('/api/v1/datasets/demo-shapes/images');
  expect(ok.status()).toBe(200);
  const body = (await ok.json()) as { dataset: { slug: string }; images: DatasetImage[] };
  expect(body.dataset.slug).toBe('demo-shapes');
  expect(body.images).toHaveLength(80);
  expect(body.images[0]?.url).toBe(`/api/v1/images/${body.images[0]?.id}/file`);
  const bad = await request.get('/api/v1/datasets/Not%20A%20Slug/images');
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ error: 'invalid_request', field: 'id' });
  expect((await request.get('/api/v1/datasets/no-such-dataset/images')).status()).toBe(404);
});

test('auto backend: a timing probe picks the backend and the page says which and why', async ({ page }) => {
  await page.goto('/explain');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', /^(wasm|webgl|webgpu)$/, { timeout: 30_000 });
  await expect(page.getByTestId('backend')).toContainText(/^Running on .* — auto: /);
  const probe = page.getByText(/^Probe: .*wasm \d+\.\d ms/);
  await expect(probe).toBeVisible();
  console.log(`${await page.getByTestId('backend').textContent()} | ${await probe.textContent()}`);
  await expect(page.getByTestId('model-status')).toHaveText('Model loaded', { timeout: 30_000 });
});
