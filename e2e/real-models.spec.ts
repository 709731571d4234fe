/**
 * Real model shapes in Chromium (issue 16).
 * 1. A Teachable-Machine-shaped export (nested Sequential around a MobileNetV2-like base, 224²,
 *    metadata.json; lib/models/testing/teachable-machine.test-util.ts, seeded) loaded from local
 *    files in /explain: Grad-CAM, input gradients and RISE (N 64, seed 7) in the browser's Web
 *    Worker (wasm) give the maps the Node library gives for the same files and demo image.
 *    Tolerance: both sides run TF.js's wasm (XNNPACK) kernels, so the unscaled maps agree to
 *    float32 rounding; we allow 1e-4 × the map's peak |value| (relative: this seeded model's
 *    Grad-CAM and gradient maps peak near 1e-4, so an absolute 1e-4 would accept anything), and
 *    the score 1e-4 × max(1, |score|). Measured 2026-12-07: max |Δ| = 0 for all three.
 * 2. A Keras 3 conversion uploaded at /workspace/models/new: its model page lists what the
 *    normaliser rewrote, as text (no markup from the file reaches the page).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { getExplainer } from '../lib/explainers';
import { decodePng } from '../lib/io/png';
import { loadModelBundle } from '../lib/models/bundle';
import { writeKeras3Bundles } from '../lib/models/testing/keras3.test-util';
import { saveTeachableMachineExport, teachableMachineModel } from '../lib/models/testing/teachable-machine.test-util';
import { initTfNode } from '../lib/models/tf-node';
import { signUp } from './workspace-steps';

const TOLERANCE = 1e-4;
const RISE_N = 64;
const METHODS = [['gradcam', {}], ['gradient', {}], ['rise', { N: RISE_N }]] as const;

interface ExplanationFile {
  method: string;
  classIndex: number;
  score: number;
  width: number;
  height: number;
  unscaled: { width: number; height: number; data: number[] };
  backend: string;
}

async function firstDemoImage(page: Page): Promise<{ name: string; url: string }> {
  const res = await page.request.get('/api/v1/datasets/demo-shapes/images');
  expect(res.status()).toBe(200);
  const [image] = ((await res.json()) as { images: { name: string; url: string }[] }).images;
  if (image === undefined) throw new Error('the demo dataset has no images');
  return image;
}

test('a Teachable Machine export: Grad-CAM, gradient and RISE in the browser worker equal the Node library', async ({ page }) => {
  test.setTimeout(240_000);
  await initTfNode('wasm');
  const model = teachableMachineModel({ size: 224, seed: 3 });
  const dir = await saveTeachableMachineExport(model);
  model.dispose();
  try {
    await page.goto('/explain');
    await page.getByLabel('Backend').selectOption('wasm');
    await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm', { timeout: 30_000 });
    await page.getByRole('radio', { name: 'Local model files' }).check();
    await page.getByLabel(/^Model files/).setInputFiles(['model.json', 'weights.bin', 'metadata.json'].map((f) => path.join(dir, f)));
    await expect(page.getByTestId('model-status')).toHaveText('Model loaded', { timeout: 60_000 });
    const image = await firstDemoImage(page);
    await page.getByRole('checkbox', { name: image.name, exact: true }).check();
    await expect(page.getByRole('checkbox', { name: 'gradcam', exact: true })).toBeChecked();
    await page.getByRole('checkbox', { name: 'rise', exact: true }).check();
    await page.getByLabel('rise N', { exact: true }).fill(String(RISE_N));
    await page.getByRole('checkbox', { name: 'gradient', exact: true }).check();
    await page.getByLabel('Seed').fill('7');
    await page.getByRole('button', { name: 'Run' }).click();
    await expect(page.getByTestId('progress-text')).toHaveText('3 of 3 done', { timeout: 180_000 });

    const rgba = decodePng(new Uint8Array(await (await page.request.get(image.url)).body()));
    const bundle = await loadModelBundle(dir);
    try {
      expect(bundle.config.preprocessing).toBe('teachable-machine');
      for (const [method, params] of METHODS) {
        const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download JSON of ${method} on ${image.name}` }).click()]);
        const browser = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as ExplanationFile;
        const node = await getExplainer(method).explain({
          bundle, image: { width: rgba.width, height: rgba.height, rgba: rgba.data }, target: { classIndex: 'predicted', output: 'logit' }, seed: 7, params,
        });
        expect(browser.backend).toBe('wasm');
        expect(browser.classIndex).toBe(node.classIndex);
        expect([browser.unscaled.width, browser.unscaled.height]).toEqual([224, 224]);
        expect(Math.abs(browser.score - node.score)).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(node.score)));
        let peak = 0;
        for (const v of node.map.data) peak = Math.max(peak, Math.abs(v));
        expect(peak, `${method}: a map, not zeros`).toBeGreaterThan(0);
        let diff = 0;
        browser.unscaled.data.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - (node.map.data[i] as number)))));
        console.log(`TM ${method}: browser vs Node max |Δ| = ${diff} (map peak ${peak})`);
        expect(diff).toBeLessThanOrEqual(TOLERANCE * peak);
      }
    } finally {
      bundle.dispose();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a Keras 3 conversion uploaded in the workspace: its page lists the rewrites as text', async ({ page }) => {
  test.setTimeout(180_000);
  await initTfNode('wasm');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-keras3-'));
  try {
    const { keras3 } = await writeKeras3Bundles(root);
    await signUp(page);
    await page.goto('/workspace/models/new');
    await page.getByLabel('Model files').setInputFiles(['model.json', 'weights.bin'].map((f) => path.join(keras3, f)));
    await expect(page.getByTestId('staged-summary')).toContainText('classes', { timeout: 60_000 });
    await expect(page.getByRole('button', { name: 'Save model' })).toBeEnabled({ timeout: 60_000 });
    await page.getByLabel('Model name').fill('Keras 3 CNN');
    await page.getByLabel('Model slug').fill('keras3-cnn');
    await page.getByRole('button', { name: 'Save model' }).click();
    await expect(page).toHaveURL(/\/workspace\/models\/keras3-cnn$/, { timeout: 60_000 });
    const list = page.getByTestId('model-rewrites');
    await expect(list).toContainText('InputLayer batch_shape → batch_input_shape');
    await expect(list).toContainText("'add'");
    // Text only: the items hold no elements of their own.
    expect(await list.locator('li *').count()).toBe(0);
    expect(await list.locator('li').count()).toBeGreaterThan(1);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});
