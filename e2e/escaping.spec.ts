/**
 * Escaping (issue 17): names and texts that carry HTML/JS are stored through the API — dataset
 * name and description, image class labels, model card and labels, study name and consent text,
 * run name — and every page that shows them is opened in Chromium. On each page: the literal text
 * is visible, no element of a payload exists (no img[src=x], no svg[onload], no inline on*
 * attribute, no script whose text is a payload's, no javascript: link), window.__xss stays
 * undefined and no dialog opens. A javascript: redirect URL is refused by the API (400 naming it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { generateShapeImage, SHAPE_CLASSES } from '../lib/demo/shapes';
import { encodePng } from '../lib/io/png';
import { makeZip } from '../lib/io/zip-writer.test-util';
import { signUp } from './workspace-steps';

const P_IMG = '<img src=x onerror="window.__xss=1">';
const P_SCRIPT = '<script>window.__xss=1</script>';
const P_SVG = '"><svg onload=window.__xss=1>';
const P_JS = 'javascript:window.__xss=1';
const PAYLOAD_SCRIPTS = ['window.__xss=1'];

const bundleDir = fileURLToPath(new URL('../public/models/demo-shapes', import.meta.url));
const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

const DATASET = { name: `DS ${P_IMG}`, description: `About ${P_SCRIPT} and ${P_JS}`, slug: `xss-${tag}` };
const LABELS = [P_SVG, `${P_IMG} label`];
const MODEL = { name: `Model ${P_SVG}`, architecture: `Arch ${P_SCRIPT}`, trainingData: `Data ${P_IMG}`, license: P_JS, slug: `xss-model-${tag}` };
const MODEL_LABELS = [`c0 ${P_IMG}`, `c1 ${P_SCRIPT}`, `c2 ${P_SVG}`, `c3 ${P_JS}`, 'c4'];
const STUDY = { name: `Study ${P_SCRIPT}`, consentText: `Consent ${P_IMG}\nSecond line ${P_SVG}\n${P_JS}`, slug: `xss-study-${tag}` };
const RUN_NAME = `Run ${P_IMG} ${P_SVG}`;

async function csrfOf(request: APIRequestContext): Promise<string> {
  const res = await request.get('/api/v1/auth/session');
  expect(res.status()).toBe(200);
  const body = (await res.json()) as { csrfToken?: string };
  expect(body.csrfToken).toBeTruthy();
  return body.csrfToken ?? '';
}

/** The page holds none of the payloads' elements, and none of them ran. */
async function expectInert(page: Page, where: string): Promise<void> {
  const found = await page.evaluate((scripts) => {
    const bad: string[] = [];
    for (const el of Array.from(document.querySelectorAll('img[src="x"], svg[onload], a[href^="javascript:" i], iframe, object, embed'))) bad.push(el.outerHTML.slice(0, 160));
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) if (/^on/i.test(attr.name)) bad.push(`${el.tagName} ${attr.name}=${attr.value.slice(0, 80)}`);
    }
    for (const s of Array.from(document.querySelectorAll('script'))) if (scripts.includes((s.textContent ?? '').trim())) bad.push(`script ${s.textContent}`);
    return { bad, xss: (window as unknown as { __xss?: unknown }).__xss };
  }, PAYLOAD_SCRIPTS);
  expect(found.bad, `${where}: payload elements in the DOM`).toEqual([]);
  expect(found.xss, `${where}: window.__xss`).toBeUndefined();
}

async function visit(page: Page, url: string, shown: readonly string[]): Promise<void> {
  await page.goto(url);
  // Not 'networkidle': run pages poll their progress. Hydration has run once the shown texts are visible; give it a moment more.
  await page.waitForLoadState('load');
  await page.waitForTimeout(750);
  for (const text of shown) await expect(page.getByText(text, { exact: false }).first(), `${url} shows ${text}`).toBeVisible();
  await expectInert(page, url);
}

test('names and texts with HTML/JS are shown as text on every page that shows them', async ({ page, browser, baseURL }) => {
  test.setTimeout(240_000);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await page.addInitScript(() => {
    // Anything a payload could call to show itself is recorded too.
    for (const name of ['alert', 'confirm', 'prompt'] as const) {
      (window as unknown as Record<string, unknown>)[name] = () => {
        (window as unknown as { __xss?: unknown }).__xss = `called ${name}`;
      };
    }
  });
  await signUp(page);
  const csrf = await csrfOf(page.request);
  const headers = { 'x-csrf-token': csrf };

  // Dataset (public, so the public pages show it) and four images with payload class labels.
  const ds = await page.request.post('/api/v1/datasets', { headers, data: { ...DATASET, visibility: 'public' } });
  expect(ds.status(), await ds.text()).toBe(201);
  const dataset = (await ds.json()) as { id: string };
  const entries = Array.from({ length: 4 }, (_, i) => {
    const img = generateShapeImage(4200 + i, i, SHAPE_CLASSES[i % SHAPE_CLASSES.length] ?? 'circle');
    return { name: `xss_${i + 1}.png`, data: encodePng({ width: img.width, height: img.height, data: img.rgba }) };
  });
  const form = new FormData();
  form.append('files', new Blob([new Uint8Array(makeZip(entries))]), 'xss.zip');
  form.append('labels', JSON.stringify(Object.fromEntries(entries.map((e, i) => [e.name, LABELS[i % LABELS.length]]))));
  const up = await page.request.post(`/api/v1/datasets/${dataset.id}/images`, { headers, multipart: form });
  expect(up.status(), await up.text()).toBe(201);
  const { added } = (await up.json()) as { added: { id: string; classLabel: string }[] };
  expect(added.map((a) => a.classLabel)).toEqual([LABELS[0], LABELS[1], LABELS[0], LABELS[1]]);

  // Model: the demo bundle staged, saved with payload card fields and labels.
  const bundle = new FormData();
  for (const f of ['model.json', 'weights.bin']) bundle.append('files', new Blob([fs.readFileSync(path.join(bundleDir, f))]), f);
  const staged = await page.request.post('/api/v1/models/uploads', { headers, multipart: bundle });
  expect(staged.status(), await staged.text()).toBe(201);
  const { uploadId } = (await staged.json()) as { uploadId: string };
  const saved = await page.request.post('/api/v1/models', { headers, data: { uploadId, ...MODEL, visibility: 'public', labels: MODEL_LABELS, preprocessing: 'unit', targetLayer: 'last_conv' } });
  expect(saved.status(), await saved.text()).toBe(201);
  const model = (await saved.json()) as { id: string };

  // Study with a payload name and consent text, opened; a javascript: redirect is refused.
  const studyConfig = { imagesPerParticipant: 2, observersPerImage: 1 };
  const badRedirect = await page.request.post('/api/v1/studies', { headers, data: { ...STUDY, slug: `${STUDY.slug}-r`, datasetId: dataset.id, redirectUrl: P_JS, config: studyConfig } });
  expect(badRedirect.status()).toBe(400);
  expect(await badRedirect.json()).toMatchObject({ field: 'redirectUrl' });
  const st = await page.request.post('/api/v1/studies', { headers, data: { ...STUDY, datasetId: dataset.id, config: studyConfig } });
  expect(st.status(), await st.text()).toBe(201);
  const study = (await st.json()) as { id: string; slug: string };
  const opened = await page.request.patch(`/api/v1/studies/${study.id}`, { headers, data: { status: 'open' } });
  expect(opened.status(), await opened.text()).toBe(200);

  // Run with a payload name.
  const rn = await page.request.post('/api/v1/runs', { headers, data: { datasetId: dataset.id, modelId: model.id, explainer: 'gradcam', name: RUN_NAME } });
  expect(rn.status(), await rn.text()).toBe(201);
  const run = (await rn.json()) as { id: string };

  const first = added[0]?.id ?? '';
  await visit(page, '/', [DATASET.name]);
  await visit(page, `/datasets/${DATASET.slug}`, [DATASET.name, DATASET.description, LABELS[0] as string, LABELS[1] as string]);
  await visit(page, `/images/${first}`, [LABELS[0] as string]);
  await visit(page, `/leaderboard/${DATASET.slug}`, [DATASET.name]);
  await visit(page, '/workspace', [DATASET.name, MODEL.name, STUDY.name]);
  await visit(page, `/workspace/datasets/${DATASET.slug}`, [DATASET.name]);
  await visit(page, `/workspace/models/${MODEL.slug}`, [MODEL.name]);
  // The card and labels are in the settings form: as field values, literally.
  const values = (await page.locator('input, textarea').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).join('\n');
  for (const text of [MODEL.architecture, MODEL.trainingData, MODEL.license, ...MODEL_LABELS]) expect(values, `model form holds ${text}`).toContain(text);
  await visit(page, `/workspace/studies/${study.slug}`, [STUDY.name]);
  await visit(page, '/workspace/runs', [RUN_NAME]);
  await visit(page, `/runs/${run.id}`, [RUN_NAME]);
  await visit(page, `/workspace/runs/${run.id}`, []);
  await visit(page, '/workspace/runs/new', []);
  const options = await page.locator('option').allTextContents();
  expect(options.some((o) => o.includes(DATASET.name)), `dataset option among ${JSON.stringify(options)}`).toBe(true);
  expect(options.some((o) => o.includes(MODEL.name)), `model option among ${JSON.stringify(options)}`).toBe(true);
  await expectInert(page, '/workspace/runs/new');
  await visit(page, '/workspace/studies/new', []);
  await visit(page, '/explain', []);
  // The participant's consent page, as a participant (no researcher session).
  const participant = await browser.newPage({ baseURL });
  participant.on('dialog', (d) => {
    dialogs.push(`participant ${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  await visit(participant, `/s/${study.slug}`, [STUDY.name]);
  await expect(participant.getByTestId('consent-text')).toHaveText(STUDY.consentText.replace(/\n/g, ' '));
  await expectInert(participant, `/s/${study.slug}`);
  await participant.close();
  expect(dialogs).toEqual([]);
});
