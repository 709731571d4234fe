/**
 * Issue 16: on the run creator, the methods the selected model cannot run are disabled with the
 * reason (a graph model with control flow: RISE and LIME only), and the API refuses them too.
 */
import { expect, test } from '@playwright/test';
import { graphCnnFixture } from '../lib/models/testing/graph-model.test-util';
import { signUp } from './workspace-steps';

test('the run creator disables the methods a control-flow graph model refuses, with the reason', async ({ page }) => {
  test.setTimeout(180_000);
  await signUp(page);
  const session = (await (await page.request.get('/api/v1/auth/session')).json()) as { csrfToken: string };
  const headers = { 'x-csrf-token': session.csrfToken };
  const fixture = graphCnnFixture({ controlFlow: 'cond' });
  const bundle = new FormData();
  bundle.append('files', new Blob([JSON.stringify(fixture.modelJson)]), 'model.json');
  bundle.append('files', new Blob([new Uint8Array(fixture.weightData)]), 'group1-shard1of1.bin');
  const staged = await page.request.post('/api/v1/models/uploads', { headers, multipart: bundle });
  expect(staged.status(), await staged.text()).toBe(201);
  const { uploadId } = (await staged.json()) as { uploadId: string };
  const slug = `cond-${Date.now().toString(36)}`;
  const saved = await page.request.post('/api/v1/models', { headers, data: { uploadId, slug, name: `Cond ${slug}`, labels: ['a', 'b', 'c'] } });
  expect(saved.status(), await saved.text()).toBe(201);

  await page.goto(`/workspace/runs/new?model=${slug}`);
  await expect(page.getByLabel('gradcam', { exact: true })).toBeDisabled({ timeout: 60_000 });
  await expect(page.getByLabel('gradient', { exact: true })).toBeDisabled();
  await expect(page.getByLabel('rise', { exact: true })).toBeEnabled();
  await expect(page.getByText(/Not available for this model: .*dynamic op Switch/).first()).toBeVisible();
});
