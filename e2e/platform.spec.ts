import { expect, test } from '@playwright/test';

const CLASSES = ['circle', 'square', 'triangle', 'star', 'cross'];

test('health answers with the embedded PostgreSQL and all migrations applied', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(body.status).toBe('ok');
  expect(body.db).toBe('embedded');
  expect(body.migrations.applied).toBe(body.migrations.committed);
  expect(body.migrations.applied).toBeGreaterThan(0);
  expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
});

test('public datasets API lists the demo dataset with its image count', async ({ request }) => {
  const res = await request.get('/api/v1/datasets');
  expect(res.status()).toBe(200);
  const { datasets } = await res.json();
  const demo = datasets.find((d: { slug: string }) => d.slug === 'demo-shapes');
  expect(demo).toBeTruthy();
  expect(demo.imageCount).toBeGreaterThanOrEqual(60);
  expect(demo.demo).toBe(true);
});

test('home page explains the platform and links the demo dataset', async ({ page }) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toContainText('saliency maps look where people look');
  const link = page.getByRole('link', { name: 'Demo shapes' });
  await expect(link).toBeVisible();
  await expect(page.getByTestId('image-count').first()).toContainText('80 images');
  await link.click();
  await expect(page).toHaveURL(/\/datasets\/demo-shapes$/);
});

test('dataset page shows an image grid with class labels', async ({ page }) => {
  await page.goto('/datasets/demo-shapes');
  await expect(page.getByTestId('dataset-image-count')).toHaveText('80');
  const labels = await page.getByTestId('class-label').allTextContents();
  expect(labels).toHaveLength(80);
  expect(new Set(labels)).toEqual(new Set(CLASSES));
  for (const c of CLASSES) expect(labels.filter((l) => l === c)).toHaveLength(16);
  // The thumbnails really decode (224×224 PNGs from the blob store).
  const firstImg = page.getByRole('list', { name: 'Images' }).locator('img').first();
  await firstImg.scrollIntoViewIfNeeded();
  await expect.poll(() => firstImg.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(224);
});

test('image page shows the image, simulated fixations, the density heatmap and isolines', async ({ page, request }) => {
  await page.goto('/datasets/demo-shapes');
  const firstLink = page.getByRole('list', { name: 'Images' }).getByRole('link').first();
  const expectedClass = (await firstLink.getByTestId('class-label').textContent())?.trim();
  await firstLink.click();
  await expect(page).toHaveURL(/\/images\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId('image-class')).toHaveText(expectedClass ?? '');
  await expect(page.getByTestId('modality-label')).toHaveText('gaze data: simulated');
  await expect(page.getByTestId('gaze-summary')).toContainText('12 simulated observers');
  expect(await page.getByTestId('fixation').count()).toBeGreaterThan(30);
  const isolinePaths = await page.getByTestId('isoline').evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''));
  expect(isolinePaths.length).toBe(3);
  for (const d of isolinePaths) expect(d.length).toBeGreaterThan(10);

  // The heatmap is a real PNG of the density map, served as the "simulated" modality.
  const href = await page.getByTestId('density-heatmap').getAttribute('href');
  expect(href).toContain('modality=simulated');
  const png = await request.get(href ?? '');
  expect(png.status()).toBe(200);
  expect(png.headers()['content-type']).toBe('image/png');
  expect(png.headers()['x-gazebench-modality']).toBe('simulated');
  const bytes = await png.body();
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');

  // The density JSON sums to 1 and peaks near the fixations.
  const id = page.url().split('/').pop();
  const json = await (await request.get(`/api/v1/images/${id}/density?format=json`)).json();
  expect(json.width * json.height).toBe(json.data.length);
  const sum = json.data.reduce((a: number, b: number) => a + b, 0);
  expect(Math.abs(sum - 1)).toBeLessThan(1e-9);
});

test('bad input gets a clear 4xx', async ({ request, page }) => {
  const bad = await request.get('/api/v1/images/not-a-uuid/file');
  expect(bad.status()).toBe(400);
  expect(await bad.json()).toMatchObject({ error: 'invalid_request', field: 'id' });
  const missing = await request.get('/api/v1/images/00000000-0000-4000-8000-000000000000/file');
  expect(missing.status()).toBe(404);
  const badModality = await request.get('/api/v1/images/00000000-0000-4000-8000-000000000000/density?modality=telepathy');
  expect(badModality.status()).toBe(400);
  expect((await badModality.json()).field).toBe('modality');
  // Paths that are not percent-encoded UTF-8 are a 400 naming the parameter, not Next's 500.
  for (const [url, field] of [['/api/v1/datasets/%ZZ', 'id'], ['/api/v1/datasets/%C0%AE%C0%AE', 'id'], ['/api/v1/images/x/%FF', 'file'], ['/api/v1/%E0%A4', 'path']] as const) {
    const r = await request.get(url);
    expect(r.status(), url).toBe(400);
    expect(await r.json(), url).toMatchObject({ error: 'invalid_request', field });
  }
  expect((await request.get('/datasets/%ZZ')).status()).toBe(400);
  // A NUL in a path parameter is refused by the text rule.
  const nul = await request.get('/api/v1/datasets/a%00b');
  expect(nul.status()).toBe(400);
  const res = await page.goto('/datasets/no-such-dataset');
  expect(res?.status()).toBe(404);
});
