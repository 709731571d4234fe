/**
 * Researcher steps in the workspace, shared by the e2e specs (and meant for a whole-flow spec):
 * sign up, create a dataset from a zip of generated shape images, create runs from
 * /workspace/runs/new and follow the browser runner, read a run's map status from the API.
 */
import { expect, type Page } from '@playwright/test';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { encodePng } from '../lib/io/png';
import { makeZip } from '../lib/io/zip-writer.test-util';

export const E2E_PASSWORD = 'a long e2e password';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/**
 * Signs a new researcher up (a unique e-mail unless given) and lands on /workspace. Sign-up is
 * limited to 5 per client address per hour (lib/auth/rate-limit.ts), and the suite signs up more
 * researchers than that: each one comes from an address of its own in 10.0.0.0/8, sent as
 * X-Forwarded-For, which the e2e server trusts (GAZEBENCH_TRUST_PROXY=1, scripts/e2e.mjs) as it
 * would behind a reverse proxy.
 */
export async function signUp(page: Page, email = `e2e-${Date.now()}-${Math.random().toString(36).slice(2, 8)}@example.org`): Promise<string> {
  const octet = () => 1 + Math.floor(Math.random() * 254);
  await page.setExtraHTTPHeaders({ 'X-Forwarded-For': `10.${octet()}.${octet()}.${octet()}` });
  await page.goto('/signup');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(E2E_PASSWORD);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/workspace$/);
  return email;
}

/** A zip of `perClass` generated shape images per demo class, named "<class>_<n>.png". */
export function shapesZip(perClass: number, seed = 9000): Buffer {
  const entries = SHAPE_CLASSES.flatMap((label, c) =>
    Array.from({ length: perClass }, (_, i) => {
      const img = generateShapeImage(seed + c * 10 + i, c * 10 + i, label);
      return { name: `${label}_${i + 1}.png`, data: encodePng({ width: img.width, height: img.height, data: img.rgba }) };
    }),
  );
  return makeZip(entries);
}

/** Creates a dataset in the workspace and uploads a zip into it; returns its slug. */
export async function createDatasetFromZip(page: Page, name: string, zip: Buffer, expectedImages: number): Promise<string> {
  await page.goto('/workspace/datasets/new');
  await page.getByLabel('Name', { exact: true }).fill(name);
  const slug = await page.getByLabel('Slug (URL name)').inputValue();
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page).toHaveURL(new RegExp(`/workspace/datasets/${slug}$`));
  await page.getByLabel('Image files or zip').setInputFiles({ name: 'images.zip', mimeType: 'application/zip', buffer: zip });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByTestId('upload-result')).toHaveText(`${expectedImages} images added.`, { timeout: 60_000 });
  await expect(page.getByTestId('workspace-image-count')).toHaveText(String(expectedImages), { timeout: 15_000 });
  return slug;
}

export interface RunChoice {
  /** Option label prefixes of the dataset and model selects, e.g. "E2E shapes (" and "Demo shapes CNN (". */
  readonly dataset: string;
  readonly model: string;
  /** Explainers to tick, with parameter field texts to set (others keep their defaults). */
  readonly methods: readonly { readonly name: string; readonly params?: Readonly<Record<string, string>> }[];
  readonly seed?: number;
  /** Server-side evaluations to tick (default: the form's, insertion and deletion) and pixels per step. */
  readonly evaluate?: readonly ('insertion' | 'deletion' | 'road')[];
  readonly evaluationStep?: number;
}

/**
 * Creates one run per explainer at /workspace/runs/new and lands on the browser runner of the
 * first (which starts by itself); returns the run ids in the order of `methods`.
 */
export async function createBrowserRuns(page: Page, choice: RunChoice): Promise<string[]> {
  await page.goto('/workspace/runs/new');
  const select = async (label: string, prefix: string) => {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
    const options = await page.getByLabel(label, { exact: true }).locator('option').allTextContents();
    const option = options.find((o) => o.startsWith(prefix));
    if (option === undefined) throw new Error(`no ${label} option starting with '${prefix}' among ${JSON.stringify(options)}`);
    await page.getByLabel(label, { exact: true }).selectOption({ label: option });
  };
  await select('Dataset', choice.dataset);
  await select('Model', choice.model);
  // The method list comes from the explainer worker; gradcam is ticked by default.
  await expect(page.getByRole('checkbox', { name: 'gradcam', exact: true })).toBeEnabled({ timeout: 60_000 });
  const wanted = new Set(choice.methods.map((m) => m.name));
  for (const box of await page.getByRole('group', { name: 'Methods' }).getByRole('checkbox').all()) {
    const name = (await box.getAttribute('aria-label')) ?? '';
    if (!name.includes(' ') && (await box.isChecked()) !== wanted.has(name)) await box.setChecked(wanted.has(name));
  }
  for (const m of choice.methods) {
    for (const [key, text] of Object.entries(m.params ?? {})) await page.getByLabel(`${m.name} ${key}`, { exact: true }).fill(text);
  }
  if (choice.seed !== undefined) await page.getByLabel('Seed', { exact: true }).fill(String(choice.seed));
  if (choice.evaluate !== undefined) {
    for (const [key, label] of [['insertion', 'Insertion AUC'], ['deletion', 'Deletion AUC'], ['road', 'ROAD']] as const) {
      await page.getByRole('checkbox', { name: label, exact: true }).setChecked(choice.evaluate.includes(key));
    }
  }
  if (choice.evaluationStep !== undefined) await page.getByLabel('Pixels per step', { exact: true }).fill(String(choice.evaluationStep));
  await page.getByRole('button', { name: 'Create and run in this browser' }).click();
  await expect(page).toHaveURL(new RegExp(`/workspace/runs/${UUID}`));
  const url = new URL(page.url());
  const first = url.pathname.split('/').pop() ?? '';
  const queue = (url.searchParams.get('queue') ?? '').split(',').filter(Boolean);
  return [first, ...queue];
}

/** Waits until the runner on the page has uploaded every map of its run. */
export async function waitForRunnerDone(page: Page, timeout = 120_000): Promise<void> {
  await expect(page.getByTestId('runner-phase')).toHaveAttribute('data-phase', 'done', { timeout });
}

export interface RunImageStatus {
  readonly total: number;
  readonly withMap: number;
  readonly images: readonly { id: string; name: string; hasMap: boolean }[];
}

/** A run's map status from GET /api/v1/runs/{id}/images, with the page's session. */
export async function runMapStatus(page: Page, runId: string): Promise<RunImageStatus> {
  const res = await page.request.get(`/api/v1/runs/${runId}/images`);
  expect(res.status()).toBe(200);
  return (await res.json()) as RunImageStatus;
}

/**
 * Uploads the TF.js bundle in `bundleDir` at /workspace/models/new: stages it, runs the test
 * prediction on `testDataset` (its option label), saves it under `name`/`slug` and lands on its page.
 */
export async function uploadModel(page: Page, bundleDir: string, testDataset: string, name: string, slug: string): Promise<void> {
  await page.goto('/workspace/models/new');
  await page.getByLabel('Model files').setInputFiles(['model.json', 'weights.bin', 'gazebench.json'].map((f) => `${bundleDir}/${f}`));
  await expect(page.getByTestId('staged-summary')).toContainText('classes');
  await page.getByLabel('Test dataset').selectOption({ label: testDataset });
  await page.getByRole('button', { name: 'Run test prediction' }).click();
  await expect(page.getByTestId('predictions')).toContainText(testDataset.replace(/ \(\d+\)$/, ''), { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Save model' })).toBeEnabled({ timeout: 60_000 });
  await page.getByLabel('Model name').fill(name);
  await page.getByLabel('Model slug').fill(slug);
  await page.getByRole('button', { name: 'Save model' }).click();
  await expect(page).toHaveURL(new RegExp(`/workspace/models/${slug}$`), { timeout: 60_000 });
}
