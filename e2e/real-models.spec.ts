/**
 * Real model shapes in Chromium (issue 16, "every explainer runs in Node and in the browser worker").
 * For each fixture, /explain loads the files as "Local model files" on the wasm backend, every
 * method the playground offers (the whole registry, lib/explainers explainerNames) runs in one Run
 * in the browser's Web Worker on the first demo image with seed 7, and each downloaded JSON is
 * compared with getExplainer(method).explain in Node (wasm) on the same files, image and seed:
 * class index, unscaled map size and values, score. Small parameters for the expensive methods
 * (PARAMS: RISE N 64, LIME 64 samples with positive_only off, SmoothGrad n 4, IG steps 4,
 * GradientSHAP 4 samples); Score-CAM and Ablation-CAM run on the fixtures' small channel counts.
 * 1. A Teachable-Machine-shaped export (nested Sequential around a MobileNetV2-like base, 224²,
 *    metadata.json; lib/models/testing/teachable-machine.test-util.ts, seeded).
 * 2. The Xception-like model (SeparableConv2D with depth multiplier 2, strided separable conv,
 *    1×1 shortcut, Add; xceptionLikeModel, 32²), saved with TF.js (depth_multiplier put back: see
 *    addDepthMultipliers).
 * 3. The Keras 3 conversion (keras3.test-util.ts writeKeras3Bundles, 8²), normalised on load.
 * 4. The converter-shaped graph model (graph-model.test-util.ts, 32²): every method on the plain
 *    graph; on the variant with a tf.cond (Switch/Merge: executeAsync only) the CAM and gradient
 *    methods are shown disabled with the reason, Node refuses them (ExplainerError), and RISE and
 *    LIME run and match.
 * Tolerance: both sides run TF.js's wasm (XNNPACK) kernels and the same seeded generator, so the
 * unscaled maps agree to float32 rounding; we allow 1e-4 × the map's peak |value| (relative: the
 * seeded models' Grad-CAM, gradient and LIME maps peak between 7e-6 and 1e-3, so an absolute 1e-4
 * would accept anything), and the score 1e-4 × max(1, |score|). A map of zeros fails (it would
 * check nothing). Measured 2026-12-07 (Chromium headless, 2-core machine): max |Δ| = 0 for every
 * method on every fixture (TM, Xception, Keras 3, graph, graph+cond) — the browser worker and
 * Node give bit-identical maps; the stochastic methods (RISE, LIME, SmoothGrad, GradientSHAP)
 * draw from lib/random with the same seed on both sides. This file's five tests: 2.5 min.
 * 5. A Keras 3 conversion uploaded at /workspace/models/new: its model page lists what the
 *    normaliser rewrote, as text (no markup from the file reaches the page).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { ExplainerError, explainerNames, getExplainer, methodsFor } from '../lib/explainers';
import { decodePng } from '../lib/io/png';
import { loadModelBundle } from '../lib/models/bundle';
import { fileSystemHandler } from '../lib/models/fs-io';
import { graphCnnFixture, saveGraphCnn } from '../lib/models/testing/graph-model.test-util';
import { writeKeras3Bundles } from '../lib/models/testing/keras3.test-util';
import { saveTeachableMachineExport, teachableMachineModel, xceptionLikeModel } from '../lib/models/testing/teachable-machine.test-util';
import { initTfNode } from '../lib/models/tf-node';
import { signUp } from './workspace-steps';

const TOLERANCE = 1e-4;
const SEED = 7;
const TM_SIZE = 224;
const XCEPTION_SIZE = 32;
const GRAPH_SIZE = 32;
/** Small parameters for the expensive methods (sampling counts, path steps); the rest use the defaults. */
const PARAMS: Readonly<Record<string, Readonly<Record<string, number | boolean>>>> = {
  rise: { N: 64 },
  // positive_only off: with 64 samples every top feature of the Xception-like model weighs < 0,
  // and the positive-only map is all zeros (equal on both sides, but it would check nothing).
  lime: { num_samples: 64, positive_only: false },
  smoothgrad: { n: 4 },
  integratedgradients: { steps: 4 },
  gradientshap: { n_samples: 4 },
};

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

/**
 * TF.js 4.22's SeparableConv2D.getConfig leaves out depth_multiplier (tfjs-layers
 * convolutional.js: SeparableConv.getConfig lists the initialisers, regularisers and constraints
 * only), so a TF.js-saved separable conv with depth multiplier 2 reloads with 1 and fails with
 * "Shape mismatch: [3,3,16,1] vs. [3,3,16,2]", in Node and in the browser alike. Keras writes the
 * field; this puts it back from the depthwise kernel's shape, as Keras would have written it.
 */
function addDepthMultipliers(modelJson: string): void {
  const json = JSON.parse(fs.readFileSync(modelJson, 'utf8')) as {
    modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    weightsManifest: { weights: { name: string; shape: number[] }[] }[];
  };
  const shapes = new Map(json.weightsManifest.flatMap((g) => g.weights).map((w) => [w.name, w.shape]));
  for (const layer of json.modelTopology.config.layers) {
    if (layer.class_name !== 'SeparableConv2D') continue;
    const shape = shapes.get(`${String(layer.config.name)}/depthwise_kernel`);
    if (shape === undefined) throw new Error(`no depthwise kernel for ${String(layer.config.name)}`);
    layer.config.depth_multiplier = shape[3];
  }
  fs.writeFileSync(modelJson, JSON.stringify(json));
}

/** Picks the model files in /explain (wasm), every method it offers with PARAMS, seed SEED, runs, and compares each JSON with Node. */
async function explainEverywhere(page: Page, fixture: string, dir: string, files: readonly string[], refused: readonly string[] = []): Promise<void> {
  await page.goto('/explain');
  await page.getByLabel('Backend').selectOption('wasm');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm', { timeout: 30_000 });
  await page.getByRole('radio', { name: 'Local model files' }).check();
  await page.getByLabel(/^Model files/).setInputFiles(files.map((f) => path.join(dir, f)));
  const loaded = page.getByTestId('model-status').getByText('Model loaded', { exact: true });
  const refusal = page.getByRole('alert').filter({ hasText: /\S/ });
  await expect(loaded.or(refusal)).toBeVisible({ timeout: 60_000 });
  expect(await refusal.count() === 0 ? '' : await refusal.innerText(), `${fixture}: the worker refused the model`).toBe('');
  const image = await firstDemoImage(page);
  await page.getByRole('checkbox', { name: image.name, exact: true }).check();
  const bundle = await loadModelBundle(dir);
  try {
    // The playground offers what the Node library says the model can run, and nothing else.
    const capabilities = methodsFor(bundle);
    expect(capabilities.map((c) => c.method)).toEqual(explainerNames());
    expect(capabilities.filter((c) => !c.ok).map((c) => c.method)).toEqual([...refused]);
    const runnable = explainerNames().filter((m) => !refused.includes(m));
    for (const method of refused) {
      const box = page.getByRole('checkbox', { name: method, exact: true });
      await expect(box).toBeDisabled();
      await expect(box).not.toBeChecked();
    }
    if (refused.length > 0) await expect(page.getByText(/^Not available for this model: /)).toHaveCount(refused.length);
    for (const method of runnable) {
      await page.getByRole('checkbox', { name: method, exact: true }).check();
      for (const [key, value] of Object.entries(PARAMS[method] ?? {})) {
        const field = page.getByLabel(`${method} ${key}`, { exact: true });
        await (typeof value === 'boolean' ? field.setChecked(value) : field.fill(String(value)));
      }
    }
    await page.getByLabel('Seed').fill(String(SEED));
    const started = Date.now();
    await page.getByRole('button', { name: 'Run' }).click();
    await expect(page.getByTestId('progress-text')).toHaveText(`${runnable.length} of ${runnable.length} done`, { timeout: 240_000 });
    console.log(`${fixture}: ${runnable.length} methods in the browser worker in ${((Date.now() - started) / 1000).toFixed(1)} s`);

    const rgba = decodePng(new Uint8Array(await (await page.request.get(image.url)).body()));
    for (const method of refused) {
      await expect(getExplainer(method).explain({ bundle, image: { width: rgba.width, height: rgba.height, rgba: rgba.data }, target: { classIndex: 'predicted', output: 'logit' }, seed: SEED }))
        .rejects.toThrow(ExplainerError);
    }
    for (const method of runnable) {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Download JSON of ${method} on ${image.name}` }).click()]);
      const browser = JSON.parse(fs.readFileSync(await download.path(), 'utf8')) as ExplanationFile;
      const node = await getExplainer(method).explain({
        bundle, image: { width: rgba.width, height: rgba.height, rgba: rgba.data }, target: { classIndex: 'predicted', output: 'logit' }, seed: SEED, params: PARAMS[method] ?? {},
      });
      expect(browser.method).toBe(method);
      expect(browser.backend).toBe('wasm');
      expect(browser.classIndex, method).toBe(node.classIndex);
      expect([browser.unscaled.width, browser.unscaled.height], method).toEqual([node.map.width, node.map.height]);
      expect(Math.abs(browser.score - node.score), `${method} score`).toBeLessThanOrEqual(TOLERANCE * Math.max(1, Math.abs(node.score)));
      let peak = 0;
      for (const v of node.map.data) peak = Math.max(peak, Math.abs(v));
      expect(peak, `${method}: a map, not zeros`).toBeGreaterThan(0);
      let diff = 0;
      browser.unscaled.data.forEach((v, i) => (diff = Math.max(diff, Math.abs(v - (node.map.data[i] as number)))));
      console.log(`${fixture} ${method}: browser vs Node max |Δ| = ${diff} (map peak ${peak})`);
      expect(diff, method).toBeLessThanOrEqual(TOLERANCE * peak);
    }
  } finally {
    bundle.dispose();
  }
}

test('a Teachable Machine export: every method in the browser worker equals the Node library', async ({ page }) => {
  test.setTimeout(300_000);
  await initTfNode('wasm');
  const model = teachableMachineModel({ size: TM_SIZE, seed: 3 });
  const dir = await saveTeachableMachineExport(model);
  model.dispose();
  try {
    const bundle = await loadModelBundle(dir);
    expect(bundle.config.preprocessing).toBe('teachable-machine');
    bundle.dispose();
    await explainEverywhere(page, 'TM', dir, ['model.json', 'weights.bin', 'metadata.json']);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('an Xception-like model (separable convolutions): every method in the browser worker equals the Node library', async ({ page }) => {
  test.setTimeout(240_000);
  await initTfNode('wasm');
  const model = xceptionLikeModel({ size: XCEPTION_SIZE });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-xception-'));
  try {
    await model.save(fileSystemHandler(dir));
    addDepthMultipliers(path.join(dir, 'model.json'));
    await explainEverywhere(page, 'Xception', dir, ['model.json', 'weights.bin']);
  } finally {
    model.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a Keras 3 conversion in /explain: every method in the browser worker equals the Node library', async ({ page }) => {
  test.setTimeout(240_000);
  await initTfNode('wasm');
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'gazebench-e2e-keras3-all-'));
  try {
    const { keras3 } = await writeKeras3Bundles(root);
    await explainEverywhere(page, 'Keras 3', keras3, ['model.json', 'weights.bin']);
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
});

test('graph models: every method on a plain graph, only RISE and LIME on a graph with control flow, equal to the Node library', async ({ page }) => {
  test.setTimeout(300_000);
  await initTfNode('wasm');
  const plain = await saveGraphCnn(graphCnnFixture({ size: GRAPH_SIZE }));
  const cond = await saveGraphCnn(graphCnnFixture({ size: GRAPH_SIZE, controlFlow: 'cond' }));
  try {
    await explainEverywhere(page, 'graph', plain, ['model.json', 'group1-shard1of1.bin']);
    const refused = explainerNames().filter((m) => getExplainer(m).kind !== 'perturbation');
    expect(explainerNames().filter((m) => !refused.includes(m))).toEqual(['rise', 'lime']);
    await explainEverywhere(page, 'graph+cond', cond, ['model.json', 'group1-shard1of1.bin'], refused);
  } finally {
    fs.rmSync(plain, { recursive: true, force: true });
    fs.rmSync(cond, { recursive: true, force: true });
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
