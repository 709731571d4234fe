/**
 * Issue 7, "done when": a new researcher, in the browser only, signs up, creates a dataset from a
 * zip, uploads a TF.js model, runs Grad-CAM and RISE over the dataset in the browser with progress,
 * launches a study and opens its link as a participant (the test-only synthetic gaze source looks
 * at known places), and sees the results on the dataset's leaderboard: both runs scored against
 * the participant's webcam ground truth (PCC … IG) and without it (insertion, deletion). The
 * browser computes the insertion/deletion curves with each map and the server accepts them after
 * recomputing seeded points (issue 18): every curve number is shown as "verified".
 */
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import type { SyntheticGazeScript } from '@/lib/gaze/client/synthetic-source';
import { SHAPE_CLASSES } from '../lib/demo/shapes';
import { calibrateAndValidate, walkToCamera } from './participant-steps';
import { createBrowserRuns, createDatasetFromZip, runMapStatus, shapesZip, signUp, uploadModel, waitForRunnerDone } from './workspace-steps';

const bundleDir = fileURLToPath(new URL('../public/models/demo-shapes', import.meta.url));
const IMAGES = SHAPE_CLASSES.length;
const COLUMNS = ['cc', 'ssim', 'nss', 'aucJudd', 'aucShuffled', 'sim', 'kld', 'infoGain', 'insertion', 'deletion'];
/** The synthetic observer looks at two places of every image (fractions of width and height). */
const GAZE: SyntheticGazeScript = { imageTargets: [{ x: 0.3, y: 0.35 }, { x: 0.65, y: 0.6 }], dwellMs: 1400, noisePx: 4, rateHz: 30, seed: 11 };

interface Row {
  id: string;
  kind: string;
  cells: Record<string, { n: number; mean: number } | null>;
  provenance?: Record<string, { recomputed: number; verified: number; rejected: number; k: { min: number; max: number } | null }>;
}

test('a new researcher goes from sign-up to a leaderboard in the browser only', async ({ page, browser }) => {
  test.setTimeout(12 * 60_000);
  const stamp = Date.now().toString(36);

  // Sign up, a dataset from a zip, a model with its test prediction.
  await signUp(page, `e2e-flow-${stamp}@example.org`);
  const datasetName = `Flow shapes ${stamp}`;
  const slug = await createDatasetFromZip(page, datasetName, shapesZip(1, 5000), IMAGES);
  await uploadModel(page, bundleDir, `${datasetName} (${IMAGES})`, `Flow CNN ${stamp}`, `flow-cnn-${stamp}`);

  // Grad-CAM and RISE in this browser: progress is shown, the queue runs both, every map arrives.
  const runIds = await createBrowserRuns(page, {
    dataset: `${datasetName} (`,
    model: `Flow CNN ${stamp} (`,
    methods: [{ name: 'gradcam' }, { name: 'rise', params: { N: '100' } }],
    seed: 5,
    // Insertion and deletion on the server, four rows (896 px) per step to keep the test short.
    evaluate: ['insertion', 'deletion'],
    evaluationStep: 896,
  });
  expect(runIds).toHaveLength(2);
  await expect(page.getByTestId('runner-progress')).toHaveText(/of 5 maps uploaded|All 5 maps uploaded/, { timeout: 60_000 });
  await expect(page).toHaveURL(new RegExp(`/workspace/runs/${runIds[1]}`), { timeout: 180_000 });
  await waitForRunnerDone(page, 180_000);
  for (const id of runIds) {
    expect((await runMapStatus(page, id)).withMap).toBe(IMAGES);
    const run = (await (await page.request.get(`/api/v1/runs/${id}`)).json()) as { evaluate: string[] };
    expect(run.evaluate).toEqual(['insertion', 'deletion']);
  }

  // A study on the dataset, every image for each participant; open it.
  await page.goto('/workspace/studies/new');
  await page.getByLabel('Study name').fill(`Flow study ${stamp}`);
  await page.getByRole('combobox', { name: 'Dataset', exact: true }).selectOption({ label: `${datasetName} (${IMAGES} images)` });
  await page.getByLabel('Consent text').fill('Whole-flow consent.');
  await page.getByLabel('Images per participant').fill(String(IMAGES));
  await page.getByLabel('Completion code').fill('FLOW-DONE');
  await page.getByRole('button', { name: 'Create study' }).click();
  await expect(page).toHaveURL(/\/workspace\/studies\/[a-z0-9]{12}$/);
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('study-status')).toHaveText('open');
  const link = (await page.getByTestId('study-link').textContent()) ?? '';
  expect(link).toMatch(/\/s\/[a-z0-9]{12}$/);

  // A participant opens the link (another browser context) and completes the study.
  const context = await browser.newContext();
  const participant = await context.newPage();
  await participant.addInitScript((script) => {
    (window as unknown as { __gazebenchTestGaze: unknown }).__gazebenchTestGaze = script;
  }, GAZE);
  await walkToCamera(participant, new URL(link).pathname);
  await expect(participant.getByTestId('face-box')).toHaveAttribute('data-face-state', 'centred', { timeout: 120_000 });
  await participant.getByTestId('camera-continue').click();
  await calibrateAndValidate(participant);
  const end = participant.getByTestId('end-message');
  await expect(end).toBeVisible({ timeout: 4 * 60_000 });
  await expect(end).toHaveAttribute('data-decision', 'accepted');
  await expect(participant.getByTestId('completion-code')).toHaveText('FLOW-DONE');
  await context.close();

  // The researcher sees the session accepted in the live progress …
  await expect(page.getByTestId('progress-accepted')).toHaveText('1', { timeout: 30_000 });

  // … and both runs on the leaderboard, every column over the five images.
  await expect
    .poll(
      async () => {
        const res = await page.request.get(`/api/v1/datasets/${slug}/leaderboard`, { timeout: 60_000 }).catch(() => null);
        if (!res?.ok()) return 'leaderboard unavailable';
        const rows = ((await res.json()) as { rows: Row[] }).rows.filter((r) => runIds.includes(r.id));
        if (rows.length !== 2) return `${rows.length} of our runs listed`;
        const missing = rows.flatMap((r) => COLUMNS.filter((c) => r.cells[c]?.n !== IMAGES).map((c) => `${r.id.slice(0, 8)}:${c}`));
        return missing.length === 0 ? 'filled' : `waiting for ${missing.join(', ')}`;
      },
      { timeout: 6 * 60_000, intervals: [5000] },
    )
    .toBe('filled');

  // The browser's curves (wasm in Chromium) passed the server's spot check (wasm in Node), every one:
  // 56 steps at 896 px, so all 55 interior points and both endpoints were checked.
  const board = (await (await page.request.get(`/api/v1/datasets/${slug}/leaderboard`)).json()) as { rows: Row[] };
  for (const r of board.rows.filter((x) => runIds.includes(x.id))) {
    for (const c of ['insertion', 'deletion']) expect(r.provenance?.[c], `${r.id} ${c}`).toMatchObject({ recomputed: 0, verified: IMAGES, rejected: 0, k: { min: 55, max: 55 } });
  }

  await page.goto(`/leaderboard/${slug}`);
  const table = page.getByTestId('leaderboard-table');
  await expect(table).toBeVisible();
  const runRows = table.locator('[data-testid="leaderboard-row"][data-kind="run"]');
  await expect(runRows).toHaveCount(2);
  for (const row of await runRows.all()) {
    for (const c of COLUMNS) await expect(row.getByTestId(`cell-${c}`)).toHaveText(/\d/);
    for (const c of ['insertion', 'deletion']) await expect(row.getByTestId(`provenance-${c}`)).toHaveText(`verified ${IMAGES} (k 55, τ 0.001)`);
  }
  await expect(runRows.filter({ hasText: `Flow CNN ${stamp} × gradcam` })).toHaveCount(1);
  await expect(runRows.filter({ hasText: `Flow CNN ${stamp} × rise` })).toHaveCount(1);
});
