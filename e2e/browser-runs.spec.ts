/**
 * Runs computed in the researcher's browser (issue 7, "Runs"): a new researcher creates a dataset,
 * picks the public demo model and two explainers (Grad-CAM, and RISE with a small N), and the
 * explainer Web Worker computes every map, uploading each as it is made. The Grad-CAM run is paused
 * part-way (its third upload is held until Pause is pressed, so the pause lands at a known image),
 * the page is reloaded, and Resume continues with exactly the images still without a map; the queue
 * then moves on to the RISE run. Checked through the API: every image has a map, none was sent
 * twice, the runs are scored to completion, and the run page shows them.
 */
import { expect, test, type Request } from '@playwright/test';
import { SHAPE_CLASSES } from '../lib/demo/shapes';
import { createBrowserRuns, createDatasetFromZip, runMapStatus, shapesZip, signUp, waitForRunnerDone } from './workspace-steps';

const PER_CLASS = 1;
const IMAGES = SHAPE_CLASSES.length * PER_CLASS;
/** The upload held back so that Pause lands after exactly this many maps. */
const HELD_UPLOAD = 3;

test('a researcher runs Grad-CAM and RISE over a dataset in the browser, pausing, reloading and resuming', async ({ page }) => {
  test.setTimeout(300_000);
  const t0 = Date.now();
  await signUp(page);
  const slug = await createDatasetFromZip(page, 'Browser run shapes', shapesZip(PER_CLASS, 7000), IMAGES);

  // Every map upload, in order, with its answer.
  const uploads: { runId: string; imageId: string; status: number }[] = [];
  page.on('requestfinished', (req: Request) => {
    const m = /\/api\/v1\/runs\/([^/]+)\/maps\?image=([^&]+)/.exec(req.url());
    if (m && req.method() === 'POST') void req.response().then((r) => uploads.push({ runId: m[1] ?? '', imageId: decodeURIComponent(m[2] ?? ''), status: r?.status() ?? 0 }));
  });
  let seen = 0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const held = { now: false };
  await page.route(/\/api\/v1\/runs\/[^/]+\/maps\?image=/, async (route) => {
    if (++seen === HELD_UPLOAD) {
      held.now = true;
      await gate;
    }
    await route.continue();
  });

  const [gradcamId = '', riseId = ''] = await createBrowserRuns(page, {
    dataset: 'Browser run shapes (',
    model: 'Demo shapes CNN (',
    methods: [{ name: 'gradcam' }, { name: 'rise', params: { N: '40' } }],
    seed: 3,
    // No server-side evaluation here (the whole-flow spec covers it): the runs complete at once.
    evaluate: [],
  });
  expect(riseId).not.toBe('');
  await expect(page.getByTestId('runner-title')).toContainText('× gradcam on Browser run shapes');
  await expect(page.getByTestId('backend')).toHaveAttribute('data-backend', 'wasm', { timeout: 60_000 });

  // The third map is computed and on its way; pause, then let the upload through.
  await expect.poll(() => held.now, { timeout: 90_000 }).toBe(true);
  await page.getByRole('button', { name: 'Pause' }).click();
  release();
  await expect(page.getByTestId('runner-phase')).toHaveAttribute('data-phase', 'paused');
  await expect(page.getByTestId('runner-progress')).toHaveText(`${HELD_UPLOAD} of ${IMAGES} maps uploaded`);
  const paused = await runMapStatus(page, gradcamId);
  expect(paused.withMap).toBe(HELD_UPLOAD);
  expect(paused.images.map((i) => i.hasMap)).toEqual(Array.from({ length: IMAGES }, (_, i) => i < HELD_UPLOAD));
  await page.unroute(/\/api\/v1\/runs\/[^/]+\/maps\?image=/);

  // Reload: the runner does not start by itself, shows where the run stands and resumes there.
  await page.reload();
  expect(new URL(page.url()).searchParams.get('autostart')).toBeNull();
  await expect(page.getByTestId('runner-progress')).toHaveText(`${HELD_UPLOAD} of ${IMAGES} maps uploaded`);
  await expect(page.getByRole('button', { name: 'Resume' })).toBeEnabled({ timeout: 60_000 });
  await expect(page.getByTestId('runner-phase')).toHaveAttribute('data-phase', 'ready');
  const before = uploads.length;
  await page.getByRole('button', { name: 'Resume' }).click();

  // Grad-CAM finishes, and the queue moves on to the RISE run, which starts by itself.
  await expect(page).toHaveURL(new RegExp(`/workspace/runs/${riseId}`), { timeout: 120_000 });
  await waitForRunnerDone(page);
  await expect(page.getByTestId('runner-progress')).toHaveText(`All ${IMAGES} maps uploaded`);

  const resumed = uploads.slice(before).filter((u) => u.runId === gradcamId);
  expect(resumed.map((u) => u.imageId)).toEqual(paused.images.filter((i) => !i.hasMap).map((i) => i.id));
  expect(uploads.every((u) => u.status === 201), JSON.stringify(uploads)).toBe(true);
  for (const id of [gradcamId, riseId]) {
    const status = await runMapStatus(page, id);
    expect(status.total).toBe(IMAGES);
    expect(status.withMap).toBe(IMAGES);
    expect(uploads.filter((u) => u.runId === id)).toHaveLength(IMAGES);
  }

  // The run records what the browser computed with.
  const rise = (await (await page.request.get(`/api/v1/runs/${riseId}`)).json()) as { params: Record<string, unknown>; target: unknown; progress: { mapsReceived: number } };
  expect(rise.params).toMatchObject({ N: 40, seed: 3 });
  expect(rise.target).toEqual({ output: 'probability', class: 'predicted' });

  // Results link to the leaderboard and the run page, which shows the run.
  const done = page.getByTestId('runner-done');
  await expect(done.getByRole('link', { name: 'Leaderboard' })).toHaveAttribute('href', `/leaderboard/${slug}`);
  await done.getByRole('link', { name: 'Open the run page' }).click();
  await expect(page).toHaveURL(new RegExp(`/runs/${riseId}$`));
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Demo shapes CNN × rise');
  await expect(page.getByTestId('run-progress')).toContainText(`Maps received: ${IMAGES} / ${IMAGES} images`);

  // The workspace lists both runs with every map.
  await page.goto('/workspace');
  const rows = page.getByTestId('run-row');
  await expect(rows).toHaveCount(2);
  for (const method of ['gradcam', 'rise']) await expect(rows.filter({ hasText: `× ${method} on Browser run shapes` })).toContainText(`${IMAGES} of ${IMAGES} maps`);

  // Without ground truth for the new dataset there is nothing to score: the job worker marks both
  // runs complete (after the seeded demo runs it is scoring).
  for (const id of [gradcamId, riseId]) {
    await expect.poll(async () => ((await (await page.request.get(`/api/v1/runs/${id}`)).json()) as { status: string }).status, { timeout: 90_000 }).toBe('complete');
  }
});
