/**
 * A new researcher, in the browser only: sign up, create a dataset from a zip of images (labels
 * from "<class>_<n>.png" names), upload the demo TF.js model and see its test predictions before
 * saving it. Also checks, in real Chromium, that the Content-Security-Policy lets WebAssembly
 * compile but blocks eval, and that the private dataset is invisible to an anonymous visitor.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { encodePng } from '../lib/io/png';
import { makeZip } from '../lib/io/zip-writer.test-util';

const bundleDir = fileURLToPath(new URL('../public/models/demo-shapes', import.meta.url));
const PER_CLASS = 2;

function shapesZip(): Buffer {
  const entries = SHAPE_CLASSES.flatMap((label, c) =>
    Array.from({ length: PER_CLASS }, (_, i) => {
      const img = generateShapeImage(9000 + c * 10 + i, c * 10 + i, label);
      return { name: `${label}_${i + 1}.png`, data: encodePng({ width: img.width, height: img.height, data: img.rgba }) };
    }),
  );
  return makeZip(entries);
}

test('a new researcher signs up, creates a dataset from a zip, and uploads a model with a test prediction', async ({ page, browser }) => {
  test.setTimeout(180_000);
  const cspErrors: string[] = [];
  page.on('console', (msg) => {
    // The eval probe below is refused on purpose; anything else refused by the CSP is a bug.
    if (msg.type() === 'error' && /Content.Security.Policy/i.test(msg.text()) && !/evaluate a string/i.test(msg.text())) cspErrors.push(msg.text());
  });
  const email = `e2e-${Date.now()}@example.org`;

  // Sign up.
  const signup = await page.goto('/signup');
  expect(signup?.headers()['content-security-policy']).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'/);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill('a long e2e password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/workspace$/);
  await expect(page.getByTestId('signed-in-user')).toHaveText(email);

  // Our CSP in a real browser: WebAssembly compiles (TF.js wasm), eval does not run.
  const csp = await page.evaluate(async () => {
    const wasm = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    const compiled = await WebAssembly.compile(wasm).then(() => true, () => false);
    let evalRan = false;
    try {
      evalRan = (0, eval)('1 + 1') === 2;
    } catch {
      evalRan = false;
    }
    return { compiled, evalRan };
  });
  expect(csp).toEqual({ compiled: true, evalRan: false });

  // Create a dataset and upload a zip.
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByLabel('Name', { exact: true }).fill('E2E shapes');
  await expect(page.getByLabel('Slug (URL name)')).toHaveValue('e2e-shapes');
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page).toHaveURL(/\/workspace\/datasets\/e2e-shapes$/);
  await page.getByLabel('Image files or zip').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: shapesZip() });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByTestId('upload-result')).toHaveText(`${SHAPE_CLASSES.length * PER_CLASS} images added.`, { timeout: 60_000 });
  await expect(page.getByTestId('workspace-image-count')).toHaveText(String(SHAPE_CLASSES.length * PER_CLASS));
  for (const label of SHAPE_CLASSES) await expect(page.getByTestId('class-counts')).toContainText(`${label}: ${PER_CLASS}`);
  const thumb = page.getByRole('list', { name: 'Dataset images' }).locator('img').first();
  await expect.poll(() => thumb.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(224);

  // The dataset is private: an anonymous visitor gets a 404, from the page and the API.
  const stranger = await browser.newContext();
  const anon = await stranger.newPage();
  expect((await anon.goto('/datasets/e2e-shapes'))?.status()).toBe(404);
  expect((await anon.request.get('/api/v1/datasets')).ok()).toBe(true);
  expect(JSON.stringify(await (await anon.request.get('/api/v1/datasets')).json())).not.toContain('e2e-shapes');
  await stranger.close();

  // Upload the demo model: staged, checked, test predictions shown before saving.
  await page.goto('/workspace/models/new');
  await page.getByLabel('Model files').setInputFiles(['model.json', 'weights.bin', 'gazebench.json'].map((f) => path.join(bundleDir, f)));
  await expect(page.getByTestId('staged-summary')).toContainText('5 classes');
  await page.getByLabel('Test dataset').selectOption({ label: `E2E shapes (${SHAPE_CLASSES.length * PER_CLASS})` });
  await page.getByRole('button', { name: 'Run test prediction' }).click();
  await expect(page.getByTestId('predictions')).toContainText('E2E shapes');
  const rows = page.getByTestId('prediction');
  await expect(rows).toHaveCount(4);
  const top1 = await page.getByTestId('prediction-top1').allTextContents();
  expect(top1).toHaveLength(4);
  for (const t of top1) expect(t).toMatch(new RegExp(`^(${SHAPE_CLASSES.join('|')}) \\d+\\.\\d%$`));
  // A wrong preprocessing must be tried before saving: the save button waits for a new prediction.
  await page.getByLabel('Preprocessing').selectOption('imagenet-caffe');
  await expect(page.getByRole('button', { name: 'Save model' })).toBeDisabled();
  await page.getByLabel('Preprocessing').selectOption('unit');
  await page.getByRole('button', { name: 'Run test prediction' }).click();
  await expect(page.getByRole('button', { name: 'Save model' })).toBeEnabled();
  await expect(page.getByLabel('Model name')).toHaveValue('Demo shapes CNN');
  await page.getByLabel('Model slug').fill('e2e-shapes-cnn');
  await page.getByRole('button', { name: 'Save model' }).click();
  await expect(page).toHaveURL(/\/workspace\/models\/e2e-shapes-cnn$/);
  await expect(page.getByTestId('model-name')).toHaveText('Demo shapes CNN');
  await expect(page.getByTestId('model-sha256')).toContainText(/sha256 [0-9a-f]{64}/);

  // The browser can fetch the model the way TF.js will: model.json and its shard from model.url.
  const modelJson = await page.evaluate(async () => {
    const res = await fetch(document.querySelector<HTMLAnchorElement>('a[href$="/files/model.json"]')?.href ?? '');
    const json = (await res.json()) as { weightsManifest: { paths: string[] }[] };
    const shard = await fetch(new URL(json.weightsManifest[0]?.paths[0] ?? '', res.url));
    return { ok: res.ok, shardBytes: (await shard.arrayBuffer()).byteLength };
  });
  expect(modelJson).toEqual({ ok: true, shardBytes: fs.statSync(path.join(bundleDir, 'weights.bin')).size });
  expect(cspErrors).toEqual([]);
});
