/**
 * A researcher manages a study in the browser only (issue 7, "Studies"): sign up, create a dataset
 * from a zip (as e2e/workspace.spec.ts does), create a study from it in the form (a bad field first,
 * shown next to its field), open it, visit its participant link and see the consent step, review a
 * participant's session as it appears, pause it and see the participant page turn people away, then
 * find it under "Your studies".
 */
import { expect, test } from '@playwright/test';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { encodePng } from '../lib/io/png';
import { makeZip } from '../lib/io/zip-writer.test-util';

const PER_CLASS = 2;

function shapesZip(): Buffer {
  const entries = SHAPE_CLASSES.flatMap((label, c) =>
    Array.from({ length: PER_CLASS }, (_, i) => {
      const img = generateShapeImage(7000 + c * 10 + i, c * 10 + i, label);
      return { name: `${label}_${i + 1}.png`, data: encodePng({ width: img.width, height: img.height, data: img.rgba }) };
    }),
  );
  return makeZip(entries);
}

test('a researcher creates, opens and pauses a study, and its link follows', async ({ page, browser }) => {
  test.setTimeout(120_000);
  const stamp = Date.now().toString(36);
  await page.goto('/signup');
  await page.getByLabel('Email').fill(`e2e-study-${stamp}@example.org`);
  await page.getByLabel('Password').fill('a long e2e password');
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/workspace$/);
  await expect(page.getByText('No studies yet.')).toBeVisible();

  // A dataset of 10 images.
  await page.getByRole('link', { name: 'New dataset' }).click();
  await page.getByLabel('Name', { exact: true }).fill(`Study shapes ${stamp}`);
  await page.getByRole('button', { name: 'Create dataset' }).click();
  await expect(page).toHaveURL(/\/workspace\/datasets\/study-shapes-/);
  await page.getByLabel('Image files or zip').setInputFiles({ name: 'shapes.zip', mimeType: 'application/zip', buffer: shapesZip() });
  await page.getByRole('button', { name: 'Upload' }).click();
  await expect(page.getByTestId('upload-result')).toHaveText(`${SHAPE_CLASSES.length * PER_CLASS} images added.`, { timeout: 30_000 });

  // The study form: more images per participant than the dataset has is refused next to its field.
  await page.goto('/workspace');
  await page.getByRole('link', { name: 'New study' }).click();
  await expect(page).toHaveURL(/\/workspace\/studies\/new$/);
  await page.getByLabel('Study name').fill('Where do people look?');
  await page.getByLabel('Consent text').fill('E2E consent: I agree to look at shapes.');
  await page.getByLabel('Images per participant').fill('50');
  await page.getByRole('button', { name: 'Create study' }).click();
  await expect(page.getByTestId('error-config.imagesPerParticipant')).toContainText('fewer than the 50 per participant');
  await expect(page).toHaveURL(/\/workspace\/studies\/new$/);

  await page.getByLabel('Images per participant').fill('4');
  await page.getByLabel('Calibration points').selectOption('13');
  await page.getByLabel('Modality').selectOption('both');
  await page.getByLabel('Completion code').fill('E2E-DONE');
  await page.getByRole('button', { name: 'Create study' }).click();
  await expect(page).toHaveURL(/\/workspace\/studies\/[a-z0-9]{12}$/);
  const slug = new URL(page.url()).pathname.split('/').at(-1) ?? '';
  await expect(page.getByTestId('study-name')).toHaveText('Where do people look?');
  await expect(page.getByTestId('study-status')).toHaveText('draft');
  await expect(page.getByText('13 points (click)')).toBeVisible();
  const origin = new URL(page.url()).origin;
  await expect(page.getByTestId('study-link')).toHaveText(`${origin}/s/${slug}`);
  await expect(page.getByTestId('prolific-link')).toHaveText(`${origin}/s/${slug}?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}`);
  await expect(page.getByText('workerId', { exact: true })).toBeVisible();
  await expect(page.getByTestId('progress-started')).toHaveText('0');
  await expect(page.getByTestId('no-sessions')).toBeVisible();

  // A draft's link is not live.
  const participant = await (await browser.newContext()).newPage();
  await participant.goto(`/s/${slug}`);
  await expect(participant.getByTestId('unavailable-message')).toHaveText('This study link is not valid.');

  // Open: the participant sees the consent step with our text.
  await page.getByRole('button', { name: 'Open' }).click();
  await expect(page.getByTestId('study-status')).toHaveText('open');
  await participant.goto(`/s/${slug}?PROLIFIC_PID=e2e${stamp}&STUDY_ID=s1&SESSION_ID=x1`);
  await expect(participant.getByTestId('consent-text')).toHaveText('E2E consent: I agree to look at shapes.');
  await expect(participant.getByTestId('consent-checkbox')).toBeVisible();

  // A participant starts (through the participant API) and ends without viewing anything: the
  // session appears in the live progress and the review table without a reload, and the
  // researcher overrides the automatic decision.
  const started = await participant.request.post(`/api/v1/studies/${slug}/sessions`, { data: { modality: 'webcam' } });
  expect(started.status()).toBe(201);
  const { sessionId, token } = (await started.json()) as { sessionId: string; token: string };
  expect((await participant.request.post(`/api/v1/sessions/${sessionId}/complete`, { headers: { 'X-Session-Token': token } })).status()).toBe(200);
  await expect(page.getByTestId('progress-started')).toHaveText('1', { timeout: 15_000 });
  const row = page.getByTestId('session-row');
  await expect(row).toHaveCount(1, { timeout: 15_000 });
  await expect(row.getByTestId('session-status')).toHaveText(/^(rejected|ended)$/);
  await row.getByRole('button', { name: 'Accept' }).click();
  await expect(row.getByTestId('session-status')).toHaveText('accepted');
  await expect(page.getByTestId('progress-accepted')).toHaveText('1', { timeout: 15_000 });

  // Pause: the participant page says the study is not taking participants.
  await page.getByRole('button', { name: 'Pause' }).click();
  await expect(page.getByTestId('study-status')).toHaveText('paused');
  await expect(page.getByRole('button', { name: 'Open' })).toBeVisible();
  await participant.reload();
  await expect(participant.getByTestId('unavailable-message')).toContainText('not taking participants');
  await expect(participant.getByTestId('consent-text')).toHaveCount(0);

  // The workspace lists it.
  await page.goto('/workspace');
  const item = page.getByRole('list', { name: 'Your studies' }).getByRole('listitem');
  await expect(item).toHaveCount(1);
  await expect(item).toContainText('Where do people look?');
  await expect(item).toContainText('paused');
  await expect(item).toContainText('1 started · 1 accepted');

  // Someone else cannot see it, from the page or the API.
  const stranger = await (await browser.newContext()).newPage();
  expect((await stranger.goto(`/workspace/studies/${slug}`))?.url()).toContain('/signin');
  await participant.context().close();
  await stranger.context().close();
});
