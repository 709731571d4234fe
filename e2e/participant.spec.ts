/**
 * The participant flow at /s/demo-study in Chromium with a fake camera (issue 5, e2e tests):
 * (a) the real WebGazer path up to "camera on, face model loaded" with zero requests to other
 *     origins, then withdrawal (session deleted, camera tracks stopped);
 * (b) the whole flow with the test-only synthetic gaze source (e2e build only) looking at known
 *     image places, including a reload mid-trials: stored fixations land there and the images'
 *     webcam density maps get a new version;
 * (c) over every request of that session, bodies are small JSON of numbers and short strings:
 *     no image or video data leaves the browser;
 * (d) the mouse alternative: same session switched to 'mouse', cursor dwell becomes fixations.
 */
import { expect, test, type APIRequestContext, type Page, type Request } from '@playwright/test';
import type { SyntheticGazeScript } from '@/lib/gaze/client/synthetic-source';
import type { StartSessionResponse, Trial } from '@/lib/studies/contract';
import { acceptConsent, calibrateAndValidate, passDeviceCheck, walkToCamera } from './participant-steps';

const STUDY_URL = '/s/demo-study';
const TOKEN_HEADER = 'X-Session-Token';
/** Where the synthetic observer looks on every image, as fractions of width and height. */
const TARGETS = [
  { x: 0.25, y: 0.3 },
  { x: 0.7, y: 0.7 },
];
const SCRIPT: SyntheticGazeScript = { imageTargets: TARGETS, dwellMs: 1500, noisePx: 4, rateHz: 30, seed: 7 };

type ImageTrial = Extract<Trial, { kind: 'image' }>;

/** Records every stream the page gets from getUserMedia, to check later that all tracks ended. */
async function watchCameraStreams(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const w = window as unknown as { __streams: MediaStream[] };
    w.__streams = [];
    const md = navigator.mediaDevices;
    const original = md.getUserMedia.bind(md);
    md.getUserMedia = async (c?: MediaStreamConstraints) => {
      const s = await original(c);
      w.__streams.push(s);
      return s;
    };
  });
}

async function liveTracks(page: Page): Promise<{ streams: number; live: number }> {
  return page.evaluate(() => {
    const streams = (window as unknown as { __streams: MediaStream[] }).__streams;
    return { streams: streams.length, live: streams.flatMap((s) => s.getTracks()).filter((t) => t.readyState === 'live').length };
  });
}

function captureSessionStart(page: Page): () => StartSessionResponse {
  let started: StartSessionResponse | null = null;
  page.on('response', async (res) => {
    if (res.request().method() === 'POST' && /\/api\/v1\/studies\/[^/]+\/sessions$/.test(res.url()) && res.status() === 201) {
      started = (await res.json()) as StartSessionResponse;
    }
  });
  return () => {
    if (!started) throw new Error('no session was started');
    return started;
  };
}

async function densityVersion(request: APIRequestContext, imageId: string, modality: string): Promise<number> {
  const res = await request.get(`/api/v1/images/${imageId}/density?format=json&modality=${modality}`);
  if (res.status() === 404) return 0;
  expect(res.status()).toBe(200);
  return ((await res.json()) as { version: number }).version;
}

test('(a) WebGazer path: camera on and face model loaded from our origin only; withdrawal deletes the session and stops the camera', async ({
  page,
  baseURL,
  request,
}) => {
  test.setTimeout(5 * 60_000);
  const origin = new URL(baseURL ?? '').origin;
  const foreign: string[] = [];
  const urls: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.protocol === 'data:' || u.protocol === 'blob:') return;
    urls.push(r.url());
    if (u.origin !== origin) foreign.push(r.url());
  });
  page.on('websocket', (ws) => foreign.push(ws.url()));
  await watchCameraStreams(page);
  const session = captureSessionStart(page);

  await walkToCamera(page, STUDY_URL);
  const status = page.getByTestId('camera-status');
  await expect(status).toHaveAttribute('data-camera-live', 'true', { timeout: 120_000 });
  await expect(status).toHaveAttribute('data-face-model-loaded', 'true', { timeout: 180_000 });
  await expect(status).toHaveText('Camera on · face model loaded');
  // The fake camera shows no face: the feedback stays red and the step does not let one go on.
  await expect(page.getByTestId('face-box')).toHaveAttribute('data-face-state', 'none', { timeout: 30_000 });
  await expect(page.getByTestId('camera-continue')).toBeDisabled();

  // WebGazer, TF.js and MediaPipe came from here: the face model's files were fetched from /mediapipe.
  expect(urls.some((u) => u.startsWith(`${origin}/mediapipe/face_mesh/`) && u.endsWith('.wasm'))).toBe(true);
  expect(urls.some((u) => u.startsWith(`${origin}/mediapipe/face_mesh/`) && u.endsWith('.data'))).toBe(true);
  expect(foreign).toEqual([]);
  expect((await liveTracks(page)).live).toBeGreaterThan(0);

  // Withdraw: session deleted on the server, camera tracks stopped, WebGazer's DOM gone, nothing stored.
  const { sessionId, token } = session();
  await page.getByTestId('withdraw').click();
  await page.getByTestId('withdraw-confirm').click();
  // The server deletes the session's data in one transaction; on a loaded 2-core machine that can take seconds.
  await expect(page.getByTestId('withdrawn-message')).toBeVisible({ timeout: 30_000 });
  const tracks = await liveTracks(page);
  expect(tracks.streams).toBeGreaterThan(0);
  expect(tracks.live).toBe(0);
  await expect(page.locator('#webgazerVideoContainer')).toHaveCount(0);
  const gone = await request.get(`/api/v1/sessions/${sessionId}`, { headers: { [TOKEN_HEADER]: token } });
  expect([403, 404]).toContain(gone.status());
  expect(
    await page.evaluate(async () => ({ local: localStorage.length, session: sessionStorage.length, dbs: (await indexedDB.databases()).map((d) => d.name) })),
  ).toEqual({ local: 0, session: 0, dbs: [] });
  expect(foreign).toEqual([]);
});

test('(b, c) whole flow with synthetic gaze and a reload: fixations land where it looked, density maps update, only numbers leave the browser', async ({
  page,
  baseURL,
  request,
}) => {
  test.setTimeout(8 * 60_000);
  const origin = new URL(baseURL ?? '').origin;
  const sent: Request[] = [];
  page.on('request', (r) => sent.push(r));
  await page.addInitScript((script) => {
    (window as unknown as { __gazebenchTestGaze: unknown }).__gazebenchTestGaze = script;
  }, SCRIPT);
  await watchCameraStreams(page);
  const session = captureSessionStart(page);
  let completedTrials = 0;
  page.on('response', (res) => {
    if (res.request().method() === 'POST' && /\/trials\/[^/]+\/complete$/.test(res.url()) && res.status() === 200) completedTrials++;
  });

  await walkToCamera(page, STUDY_URL);
  const { sessionId, trials } = session();
  const imageTrials = trials.filter((t): t is ImageTrial => t.kind === 'image');
  expect(imageTrials.length).toBeGreaterThanOrEqual(8);
  const before = new Map<string, number>();
  for (const t of imageTrials) before.set(t.imageId, await densityVersion(request, t.imageId, 'webcam'));

  await expect(page.getByTestId('face-box')).toHaveAttribute('data-face-state', 'centred');
  await page.getByTestId('camera-continue').click();
  await calibrateAndValidate(page);

  // Reload in the middle of the trials: the page resumes at the next unfinished trial.
  await expect.poll(() => completedTrials, { timeout: 90_000 }).toBeGreaterThanOrEqual(2);
  await page.reload();
  await page.getByTestId('resume-continue').click();
  await page.getByTestId('camera-continue').click();
  await calibrateAndValidate(page);

  const end = page.getByTestId('end-message');
  await expect(end).toBeVisible({ timeout: 4 * 60_000 });
  await expect(end).toHaveAttribute('data-decision', 'accepted');
  await expect(page.getByTestId('completion-code')).toHaveText('GAZEBENCH-DEMO');

  // Nothing left behind: camera off, no storage, no upload database.
  expect((await liveTracks(page)).live).toBe(0);
  const leftovers = await page.evaluate(async () => ({
    local: localStorage.length,
    session: sessionStorage.length,
    dbs: (await indexedDB.databases()).map((d) => d.name),
  }));
  expect(leftovers).toEqual({ local: 0, session: 0, dbs: [] });

  // (b) Every image trial: fixations at the two scripted places (image pixels), and a new density map version.
  for (const t of imageTrials) {
    const res = await request.get(`/api/v1/images/${t.imageId}/fixations?modality=webcam`);
    expect(res.status()).toBe(200);
    const { fixations } = (await res.json()) as { fixations: Array<{ x: number; y: number; durationMs: number }> };
    const radius = 0.05 * t.width;
    const near = (f: { x: number; y: number }, p: { x: number; y: number }) => Math.hypot(f.x - p.x * t.width, f.y - p.y * t.height) <= radius;
    expect(fixations.length, `image ${t.imageId}`).toBeGreaterThanOrEqual(TARGETS.length);
    for (const p of TARGETS) expect(fixations.some((f) => near(f, p) && f.durationMs >= 1000), `image ${t.imageId} target ${p.x},${p.y}`).toBe(true);
    for (const f of fixations) expect(TARGETS.some((p) => near(f, p)), `stray fixation ${f.x},${f.y}`).toBe(true);
  }
  for (const t of imageTrials) {
    await expect
      .poll(() => densityVersion(request, t.imageId, 'webcam'), { timeout: 90_000, message: `density map of ${t.imageId}` })
      .toBeGreaterThan(before.get(t.imageId) ?? 0);
  }

  // (c) Every request of the session: bodies only to our API, JSON of numbers and short strings.
  const withBody = sent.filter((r) => r.postDataBuffer() !== null);
  expect(withBody.length).toBeGreaterThan(20);
  const samplesPosts = withBody.filter((r) => r.url().endsWith(`/api/v1/sessions/${sessionId}/samples`));
  expect(samplesPosts.length).toBeGreaterThan(imageTrials.length);
  for (const r of sent) {
    const u = new URL(r.url());
    if (u.protocol === 'blob:' || u.protocol === 'data:') continue;
    expect(u.origin).toBe(origin);
  }
  for (const r of withBody) {
    const body = r.postDataBuffer() as Buffer;
    expect(new URL(r.url()).pathname, r.url()).toMatch(/^\/api\/v1\//);
    expect(r.headers()['content-type'], r.url()).toBe('application/json');
    expect(body.length, r.url()).toBeLessThanOrEqual(64 * 1024);
    checkJsonOfNumbers(JSON.parse(body.toString('utf8')), r.url());
  }
});

/** Numbers, booleans and short plain strings (ids, enums) only: no data: URL, no base64 blob. */
function checkJsonOfNumbers(value: unknown, where: string): void {
  if (value === null || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    expect(Number.isFinite(value), where).toBe(true);
    return;
  }
  if (typeof value === 'string') {
    expect(value.length, `${where}: string of ${value.length} chars`).toBeLessThanOrEqual(64);
    expect(value, where).toMatch(/^[A-Za-z0-9_.-]*$/);
    return;
  }
  if (Array.isArray(value)) {
    for (const v of value) checkJsonOfNumbers(v, where);
    return;
  }
  expect(typeof value, where).toBe('object');
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    expect(k.length, where).toBeLessThanOrEqual(32);
    checkJsonOfNumbers(v, `${where} .${k}`);
  }
}

test('(d) mouse alternative: the session switches to mouse before any trial; cursor dwell is stored as mouse fixations', async ({ page, request }) => {
  test.setTimeout(6 * 60_000);
  await page.addInitScript((script) => {
    (window as unknown as { __gazebenchTestGaze: unknown }).__gazebenchTestGaze = script;
  }, SCRIPT);
  const session = captureSessionStart(page);
  await walkToCamera(page, STUDY_URL);
  await page.getByTestId('camera-use-mouse').click();
  await page.getByTestId('trials-start').click();
  const { sessionId, token, trials } = session();
  const state = await request.get(`/api/v1/sessions/${sessionId}`, { headers: { [TOKEN_HEADER]: token } });
  expect(((await state.json()) as { modality: string }).modality).toBe('mouse');

  // Act like a participant: rest the cursor at 60 % / 40 % of every image, on the sentinel target
  // of attention checks, and on the dot of drift checks. Each element can vanish between the look
  // and the move (the flow runs on its own clock), so a look that finds nothing just tries again.
  const end = page.getByTestId('end-message');
  const boxOf = (testId: string) => page.getByTestId(testId).boundingBox({ timeout: 250 }).catch(() => null);
  const deadline = Date.now() + 5 * 60_000;
  while (!(await end.isVisible())) {
    expect(Date.now(), 'the mouse session reaches its end message').toBeLessThan(deadline);
    const drift = await boxOf('drift-point');
    const target = drift ? null : await boxOf('attention-target');
    const image = drift || target ? null : await boxOf('trial-image');
    if (drift) await page.mouse.move(drift.x + drift.width / 2, drift.y + drift.height / 2, { steps: 3 });
    else if (target) await page.mouse.move(target.x + target.width / 2, target.y + target.height / 2, { steps: 3 });
    else if (image) await page.mouse.move(image.x + 0.6 * image.width, image.y + 0.4 * image.height, { steps: 3 });
    await page.waitForTimeout(100);
  }
  await expect(end).toHaveAttribute('data-decision', 'accepted');
  for (const t of trials.filter((x): x is ImageTrial => x.kind === 'image')) {
    const res = await request.get(`/api/v1/images/${t.imageId}/fixations?modality=mouse`);
    const { fixations } = (await res.json()) as { fixations: Array<{ x: number; y: number }> };
    expect(fixations.some((f) => Math.hypot(f.x - 0.6 * t.width, f.y - 0.4 * t.height) <= 0.05 * t.width), `image ${t.imageId}`).toBe(true);
  }
});

test('(e) study link: an unknown study and an MTurk preview start nothing; Prolific IDs start one session only', async ({ browser, page, baseURL }) => {
  await page.goto('/s/no-such-study');
  await expect(page.getByTestId('unavailable-message')).toHaveText('This study link is not valid.');

  await page.goto(`${STUDY_URL}?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE&hitId=H1`);
  await expect(page.getByTestId('mturk-preview')).toBeVisible();
  await expect(page.getByTestId('consent-checkbox')).toHaveCount(0);

  const link = `${STUDY_URL}?PROLIFIC_PID=e2e${Date.now()}&STUDY_ID=study1&SESSION_ID=sess1`;
  const bodies: unknown[] = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/api/v1/studies/demo-study/sessions')) bodies.push(JSON.parse(r.postData() ?? 'null'));
  });
  await page.goto(link);
  await acceptConsent(page);
  await passDeviceCheck(page);
  await expect(page.getByTestId('chinrest-card')).toBeVisible();
  expect(bodies).toEqual([{ modality: 'webcam', externalIds: { provider: 'prolific', participantId: expect.stringMatching(/^e2e/), studyId: 'study1', sessionId: 'sess1' } }]);

  // The same participant again, in a fresh browser context (no sessionStorage): refused.
  const other = await browser.newContext({ baseURL });
  const again = await other.newPage();
  await again.goto(link);
  await acceptConsent(again);
  await passDeviceCheck(again);
  await expect(again.getByTestId('unavailable-message')).toContainText('already taken part');
  await other.close();
});
