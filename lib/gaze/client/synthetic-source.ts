/**
 * TEST-ONLY synthetic gaze: looks at whatever the flow shows (calibration and validation points,
 * the fixation cross) and, on images, at scripted image-relative targets, with Gaussian noise.
 * Lets the e2e suite run the whole participant flow and know where the fixations must land.
 *
 * Cannot be enabled in a production build: this module is only reachable through
 *   if (process.env.NEXT_PUBLIC_GAZEBENCH_TEST_GAZE === '1') await import('./synthetic-source')
 * and next.config.ts inlines that variable as '1' only for the e2e build (GAZEBENCH_E2E_BUILD=1,
 * separate distDir .next-e2e), so the branch and this chunk are compiled out of every other build
 * (scripts/check-production-bundle.mjs greps the build for SYNTHETIC_GAZE_MARKER). It also refuses
 * to run on a non-loopback host, and only starts when the page was given a script in
 * `window.__gazebenchTestGaze` (Playwright's addInitScript).
 */
import { createRandom, type Random } from '@/lib/random';
import { SampleListeners, type FaceState, type GazeSample, type GazeSource, type Stimulus } from './gaze-source';

/** Grepped for in built chunks: must appear only in the e2e build. */
export const SYNTHETIC_GAZE_MARKER = 'gazebench-synthetic-gaze-source';

export interface SyntheticGazeScript {
  /** Image-relative targets (fractions of width and height) looked at in turn on every image. */
  imageTargets?: Array<{ x: number; y: number }>;
  /** How long each image target is looked at before the next, ms. */
  dwellMs?: number;
  /** Standard deviation of the Gaussian noise per axis, CSS px. */
  noisePx?: number;
  rateHz?: number;
  seed?: number;
}

declare global {
  interface Window {
    __gazebenchTestGaze?: SyntheticGazeScript;
  }
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export function syntheticScriptRequested(): SyntheticGazeScript | null {
  if (typeof window === 'undefined' || !window.__gazebenchTestGaze) return null;
  if (!LOOPBACK.has(window.location.hostname)) throw new Error('the synthetic gaze source only runs on a loopback host');
  return window.__gazebenchTestGaze;
}

export class SyntheticGazeSource implements GazeSource {
  readonly modality = 'webcam' as const;
  readonly name = SYNTHETIC_GAZE_MARKER;
  private readonly listeners = new SampleListeners();
  private readonly random: Random;
  private stimulus: Stimulus = { kind: 'blank' };
  private stimulusAt = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly script: SyntheticGazeScript) {
    this.random = createRandom(script.seed ?? 1);
  }

  async start(): Promise<void> {
    if (this.timer) return;
    const interval = 1000 / (this.script.rateHz ?? 30);
    this.timer = setInterval(() => this.listeners.emit(this.sample(performance.now())), interval);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  onSample(cb: (sample: GazeSample) => void): () => void {
    return this.listeners.add(cb);
  }

  calibrateAt(): void {}

  faceState(): FaceState {
    return 'centred';
  }

  setStimulus(stimulus: Stimulus): void {
    this.stimulus = stimulus;
    this.stimulusAt = performance.now();
  }

  /** Where the synthetic observer looks at time t, before noise. */
  target(t: number): { x: number; y: number } {
    const s = this.stimulus;
    if (s.kind === 'point') return { x: s.x, y: s.y };
    if (s.kind === 'image') {
      // An attention check: a diligent observer looks at the sentinel target.
      if (s.target) return s.target;
      const targets = this.script.imageTargets?.length ? this.script.imageTargets : [{ x: 0.5, y: 0.5 }];
      const dwell = this.script.dwellMs ?? 1000;
      const i = Math.min(targets.length - 1, Math.floor((t - this.stimulusAt) / dwell));
      const f = targets[i] ?? { x: 0.5, y: 0.5 };
      return { x: s.rect.x + f.x * s.rect.width, y: s.rect.y + f.y * s.rect.height };
    }
    return { x: window.innerWidth / 2, y: window.innerHeight / 2 };
  }

  private sample(t: number): GazeSample {
    const p = this.target(t);
    const sd = this.script.noisePx ?? 6;
    return { t, x: p.x + sd * this.random.normal(), y: p.y + sd * this.random.normal(), faceLost: false };
  }
}
