/**
 * Pieces of the crash test (crash-safety.test.ts): a real `npm start` process (scripts/start.ts
 * in one node process, so a SIGKILL hits the server itself) and simulated participants that
 * post their gaze batches through the browser client's own UploadQueue (lib/gaze/client:
 * retries with backoff on network errors and 5xx, same seq, so a retry after a lost answer is a
 * duplicate, not a second copy).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { pixelsPerDegree } from '@/lib/gaze/geometry';
import { MemoryBatchStore, UploadQueue, type SendResult } from '@/lib/gaze/client/upload-queue';
import type { PendingBatch } from '@/lib/gaze/client/sample-batcher';
import { createRandom } from '@/lib/random';
import type { StartSessionResponse, Trial } from '@/lib/studies/contract';

const root = path.resolve(__dirname, '../..');
const GEOMETRY = { pxPerMm: 4, viewingDistanceMm: 600, screenPxPerDeg: pixelsPerDegree(4, 600), window: { width: 1920, height: 1080 }, screen: { width: 1920, height: 1080 }, devicePixelRatio: 1 };
const RECT = { x: 512, y: 92, width: 896, height: 896 };
export const SAMPLES_PER_BATCH = 30;

export class ServerProcess {
  child: ChildProcess | undefined;
  output = '';

  constructor(private readonly env: NodeJS.ProcessEnv, readonly base: string) {}

  start(): void {
    this.output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts/start.ts')], { cwd: root, env: this.env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child = child;
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  async waitFor(text: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (!this.running) throw new Error(`server exited before "${text}": ${this.output.slice(-2000)}`);
      if (Date.now() > deadline) throw new Error(`no "${text}" after ${timeoutMs} ms: ${this.output.slice(-2000)}`);
      await sleep(50);
    }
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (!this.running) throw new Error(`server exited: ${this.output.slice(-2000)}`);
      const ok = await fetch(`${this.base}/api/health`).then((r) => r.ok, () => false);
      if (ok) return;
      if (Date.now() > deadline) throw new Error(`server not healthy after ${timeoutMs} ms: ${this.output.slice(-2000)}`);
      await sleep(100);
    }
  }

  async exited(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function api<T>(base: string, method: string, url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetch(`${base}${url}`, { method, headers: { 'Content-Type': 'application/json', ...(token ? { 'X-Session-Token': token } : {}) }, body: JSON.stringify(body) });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${method} ${url} → ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** One participant: a session, one started trial, then batches through the client's upload queue. */
export class Participant {
  /** seq → samples, for every batch the server answered 2xx ({stored} or {duplicate}). */
  readonly acked = new Map<number, number>();
  readonly permanent: string[] = [];
  retries = 0;
  private queue!: UploadQueue;
  private s!: StartSessionResponse;
  private trial!: Trial;
  private seq = 0;
  private readonly shownAt = 100_000;

  constructor(private readonly base: string, private readonly k: number) {}

  get sessionId(): string {
    return this.s.sessionId;
  }

  async setUp(studySlug: string): Promise<void> {
    const { base } = this;
    this.s = await api<StartSessionResponse>(base, 'POST', `/api/v1/studies/${studySlug}/sessions`, { modality: 'webcam' });
    const token = this.s.token;
    await api(base, 'PUT', `/api/v1/sessions/${this.s.sessionId}/geometry`, GEOMETRY, token);
    const r = createRandom(this.k + 1);
    const points = Array.from({ length: 5 }, (_, i) => {
      const target = { x: 300 + i * 300, y: 300 + (i % 2) * 400 };
      return { target, samples: Array.from({ length: 45 }, (_, j) => [1000 + i * 3000 + j * 33, target.x + r.normal() * 10, target.y + r.normal() * 10]) };
    });
    await api(base, 'POST', `/api/v1/sessions/${this.s.sessionId}/validations`, { kind: 'initial', attempt: 1, points }, token);
    this.trial = this.s.trials.find((t) => t.kind === 'image') as Trial;
    await api(base, 'POST', `/api/v1/sessions/${this.s.sessionId}/trials/${this.trial.id}/start`, { rect: RECT, viewport: GEOMETRY.window, shownAt: this.shownAt }, token);
    this.queue = new UploadQueue({
      store: new MemoryBatchStore(),
      send: (batch) => this.send(batch),
      backoff: { baseMs: 200, capMs: 2000 },
      random: createRandom(this.k + 7).next,
      onPermanentError: (batch, result) => this.permanent.push(`seq ${batch.seq}: ${result.status} ${result.detail}`),
    });
  }

  private async send(batch: PendingBatch): Promise<SendResult> {
    try {
      const res = await fetch(`${this.base}/api/v1/sessions/${this.s.sessionId}/samples`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Session-Token': this.s.token },
        body: JSON.stringify(batch),
        signal: AbortSignal.timeout(10_000),
      });
      const text = await res.text();
      if (res.ok) {
        this.acked.set(batch.seq, batch.samples.length);
        return { ok: true };
      }
      this.retries++;
      return { ok: false, status: res.status, detail: text.slice(0, 200) };
    } catch (err) {
      this.retries++;
      return { ok: false, status: null, detail: (err as Error).message };
    }
  }

  /** Queues `n` more 1-s batches, one every `intervalMs` (the page keeps recording while uploads wait). */
  async record(n: number, intervalMs: number): Promise<void> {
    const random = createRandom(this.k * 1000 + this.seq);
    for (let i = 0; i < n; i++) {
      const seq = this.seq++;
      const t0 = this.shownAt + seq * 1000;
      const samples = Array.from({ length: SAMPLES_PER_BATCH }, (_, j) => [t0 + j * 33.3, 700 + random.normal() * 40, 500 + random.normal() * 40, 0] as [number, number, number, number]);
      void this.queue.enqueue({ seq, trialId: this.trial.id, samples });
      await sleep(intervalMs);
    }
  }

  drain(): Promise<void> {
    return this.queue.drain();
  }

  get pending(): number {
    return this.queue.pending;
  }
}
