/**
 * Simulated observers for the demo dataset: fixations that look like
 * webcam eye tracking on an image with one object. They are SIMULATED, not
 * people, and are stored with modality `simulated`.
 *
 * Model (per image, per observer):
 * 1. True targets. A share OBJECT_SHARE (80 %) of fixations land on the
 *    object: of these, OBJECT_CENTRE_SHARE (30 %) near its centre
 *    (Gaussian, sd 0.2·radius, the "centre of gravity" preference reported by
 *    Nuthmann & Henderson 2010, J. Vision), the rest uniform over the object
 *    (its mask when given, else the ellipse inscribed in its bbox). The other
 *    20 % follow the central bias (Tatler 2007, J. Vision): a Gaussian
 *    around the image centre with sd 0.25·width and 0.25·height, redrawn
 *    until inside the image.
 * 2. Webcam error, in degrees of visual angle, per axis:
 *    a per-observer systematic offset N(0, σs²) (calibration drift, the same
 *    for all of that observer's fixations) plus per-fixation noise N(0, σn²).
 *    With σ² = σs² + σn² the radial error has a Rayleigh distribution of
 *    mean σ·√(π/2); σ is set so that this mean equals `noiseDeg` (default
 *    DEMO_NOISE_DEG = 4°, typical of WebGazer: Papoutsaki et al. 2016,
 *    IJCAI; Semmelmann & Weigelt 2018, Behav. Res. Methods), and σs² takes
 *    SYSTEMATIC_VARIANCE_SHARE (40 %) of σ². At 4°: σs ≈ 2.0°, σn ≈ 2.5°.
 * 3. Timing: durations from a gamma distribution (shape 4), rescaled so that
 *    durations plus SACCADE_MS (40 ms) gaps fill VIEWING_MS (3 s), clamped to
 *    150–600 ms (so with few or many fixations the total is only about 3 s);
 *    startMs accumulates duration + gap, integer milliseconds.
 * 4. A fixation whose measured position falls outside the image is DROPPED
 *    (as a real pipeline drops off-image gaze); its time still passes, so
 *    an observer may return fewer fixations than drawn.
 *
 * Screen geometry of the demo: DEMO_PIXELS_PER_DEGREE = 10 image pixels per
 * degree — the 224-px image is shown at 4× (896 px) on a screen with 40 px
 * per degree (about 60 cm from a 24" 1920-px monitor), so 1° = 40 screen px
 * = 10 image px and the image spans 22.4°.
 */
import { createRandom, type Random } from '@/lib/random';
import { mixSeed } from './shapes';

export const DEMO_PIXELS_PER_DEGREE = 10;
export const DEMO_OBSERVERS = 12;
export const DEMO_NOISE_DEG = 4;

const OBJECT_SHARE = 0.8;
const OBJECT_CENTRE_SHARE = 0.3;
const OBJECT_CENTRE_SD = 0.2;
const CENTRE_BIAS_SD = 0.25;
const SYSTEMATIC_VARIANCE_SHARE = 0.4;
const VIEWING_MS = 3000;
const SACCADE_MS = 40;
const MIN_DURATION_MS = 150;
const MAX_DURATION_MS = 600;
const GAMMA_SHAPE = 4;
const MAX_REDRAWS = 1000;
/** Salt separating the fixation stream from the per-observer offset stream. */
const FIXATION_STREAM = 0x6669_7861;

export interface ObserverImage {
  width: number;
  height: number;
  center: { x: number; y: number };
  radius: number;
  bbox: { x0: number; y0: number; x1: number; y1: number };
  /** Optional object mask (1 = object), row-major width×height. */
  mask?: Uint8Array;
}

export interface SimulateOptions {
  observers: number;
  /** Fixations drawn per observer, or an inclusive [min, max] range. */
  fixationsPerObserver: number | [number, number];
  pixelsPerDegree: number;
  seed: number;
  /** Mean radial webcam error in degrees (default DEMO_NOISE_DEG). */
  noiseDeg?: number;
  /**
   * Seed of the per-observer systematic offsets (default `seed`). Pass the
   * same value for every image of a session so that observer k keeps the
   * same calibration error across images.
   */
  observerSeed?: number;
}

export interface SimulatedFixation {
  x: number;
  y: number;
  startMs: number;
  durationMs: number;
}

export interface SimulatedObserver {
  observer: number;
  fixations: SimulatedFixation[];
}

export interface DetailedFixation extends SimulatedFixation {
  /** Where the observer truly looked (before webcam error). */
  target: { x: number; y: number };
  onObject: boolean;
  /** False when the measured position fell outside the image (dropped). */
  kept: boolean;
}

export interface DetailedObserver {
  observer: number;
  /** Systematic offset in degrees. */
  offsetDeg: { x: number; y: number };
  fixations: DetailedFixation[];
}

function checkOptions(image: ObserverImage, options: SimulateOptions): void {
  const bad = (argument: string, reason: string) => new Error(`simulateObservers: ${argument} ${reason}`);
  if (!Number.isInteger(image.width) || !Number.isInteger(image.height) || image.width <= 0 || image.height <= 0) {
    throw bad('image', `size must be positive integers, got ${image.width}x${image.height}`);
  }
  const { x0, y0, x1, y1 } = image.bbox;
  if (![x0, y0, x1, y1].every(Number.isFinite) || x0 < 0 || y0 < 0 || x1 >= image.width || y1 >= image.height || x1 < x0 || y1 < y0) {
    throw bad('image.bbox', `must lie inside the ${image.width}x${image.height} image, got (${x0},${y0})-(${x1},${y1})`);
  }
  if (!Number.isFinite(image.radius) || image.radius <= 0) throw bad('image.radius', `must be > 0, got ${image.radius}`);
  if (image.mask !== undefined && image.mask.length !== image.width * image.height) {
    throw bad('image.mask', `has ${image.mask.length} values, expected ${image.width * image.height}`);
  }
  if (!Number.isInteger(options.observers) || options.observers <= 0) {
    throw bad('observers', `must be a positive integer, got ${options.observers}`);
  }
  const [lo, hi] = Array.isArray(options.fixationsPerObserver)
    ? options.fixationsPerObserver
    : [options.fixationsPerObserver, options.fixationsPerObserver];
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi < lo) {
    throw bad('fixationsPerObserver', `must be a positive integer or [min, max] with 1 <= min <= max, got ${String(options.fixationsPerObserver)}`);
  }
  if (!Number.isFinite(options.pixelsPerDegree) || options.pixelsPerDegree <= 0) {
    throw bad('pixelsPerDegree', `must be > 0, got ${options.pixelsPerDegree}`);
  }
  const noise = options.noiseDeg ?? DEMO_NOISE_DEG;
  if (!Number.isFinite(noise) || noise < 0) throw bad('noiseDeg', `must be >= 0, got ${noise}`);
}

/** A point uniformly on the object (mask if given, else the bbox's inscribed ellipse). */
function pointOnObject(image: ObserverImage, rng: Random): { x: number; y: number } {
  const { x0, y0, x1, y1 } = image.bbox;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  for (let k = 0; k < MAX_REDRAWS; k++) {
    const x = x0 + rng.next() * w;
    const y = y0 + rng.next() * h;
    if (image.mask !== undefined) {
      if (image.mask[Math.floor(y) * image.width + Math.floor(x)] === 1) return { x, y };
    } else {
      const u = (x - (x0 + w / 2)) / (w / 2);
      const v = (y - (y0 + h / 2)) / (h / 2);
      if (u * u + v * v <= 1) return { x, y };
    }
  }
  return { x: image.center.x, y: image.center.y };
}

/** A point from a Gaussian around (cx, cy), redrawn until inside the image. */
function gaussianInside(image: ObserverImage, rng: Random, cx: number, cy: number, sx: number, sy: number) {
  for (let k = 0; k < MAX_REDRAWS; k++) {
    const x = cx + rng.normal() * sx;
    const y = cy + rng.normal() * sy;
    if (x >= 0 && y >= 0 && x < image.width && y < image.height) return { x, y };
  }
  return { x: Math.min(image.width - 1, Math.max(0, cx)), y: Math.min(image.height - 1, Math.max(0, cy)) };
}

function gammaSample(rng: Random, shape: number): number {
  let sum = 0;
  for (let k = 0; k < shape; k++) sum -= Math.log(1 - rng.next());
  return sum;
}

/**
 * Scales gamma draws so that durations plus saccade gaps fill VIEWING_MS,
 * clamped to [MIN_DURATION_MS, MAX_DURATION_MS]; what clamping takes off or
 * adds is redistributed over the unclamped fixations (a few rounds suffice).
 */
function fixationDurations(raw: number[]): number[] {
  const budget = Math.max(0, VIEWING_MS - raw.length * SACCADE_MS);
  const out = raw.slice();
  const fixed = new Array<boolean>(raw.length).fill(false);
  for (let round = 0; round < 4; round++) {
    const fixedSum = out.reduce((a, v, i) => a + (fixed[i] ? v : 0), 0);
    const freeRaw = raw.reduce((a, v, i) => a + (fixed[i] ? 0 : v), 0);
    if (freeRaw === 0) break;
    const scale = Math.max(0, budget - fixedSum) / freeRaw;
    for (let i = 0; i < raw.length; i++) {
      if (fixed[i]) continue;
      const v = (raw[i] as number) * scale;
      out[i] = Math.min(MAX_DURATION_MS, Math.max(MIN_DURATION_MS, v));
      if (out[i] !== v) fixed[i] = true;
    }
  }
  return out.map(Math.round);
}

/** Like simulateObservers, with true targets, offsets and dropped fixations. */
export function simulateObserversDetailed(image: ObserverImage, options: SimulateOptions): DetailedObserver[] {
  checkOptions(image, options);
  const ppd = options.pixelsPerDegree;
  const sigma = (options.noiseDeg ?? DEMO_NOISE_DEG) / Math.sqrt(Math.PI / 2);
  const sigmaSystematic = sigma * Math.sqrt(SYSTEMATIC_VARIANCE_SHARE);
  const sigmaFixation = sigma * Math.sqrt(1 - SYSTEMATIC_VARIANCE_SHARE);
  const [lo, hi] = Array.isArray(options.fixationsPerObserver)
    ? options.fixationsPerObserver
    : [options.fixationsPerObserver, options.fixationsPerObserver];
  const rng = createRandom(mixSeed(options.seed, FIXATION_STREAM));
  const result: DetailedObserver[] = [];
  for (let observer = 0; observer < options.observers; observer++) {
    const offsetRng = createRandom(mixSeed(options.observerSeed ?? options.seed, observer));
    const offsetDeg = { x: offsetRng.normal() * sigmaSystematic, y: offsetRng.normal() * sigmaSystematic };
    const count = lo + rng.int(hi - lo + 1);
    const durations = fixationDurations(Array.from({ length: count }, () => gammaSample(rng, GAMMA_SHAPE)));
    let clock = 0;
    const fixations: DetailedFixation[] = [];
    for (let k = 0; k < count; k++) {
      const durationMs = durations[k] as number;
      const onObject = rng.next() < OBJECT_SHARE;
      let target: { x: number; y: number };
      if (!onObject) {
        target = gaussianInside(image, rng, image.width / 2, image.height / 2, CENTRE_BIAS_SD * image.width, CENTRE_BIAS_SD * image.height);
      } else if (rng.next() < OBJECT_CENTRE_SHARE) {
        const sd = OBJECT_CENTRE_SD * image.radius;
        target = gaussianInside(image, rng, image.center.x, image.center.y, sd, sd);
      } else {
        target = pointOnObject(image, rng);
      }
      const x = target.x + (offsetDeg.x + rng.normal() * sigmaFixation) * ppd;
      const y = target.y + (offsetDeg.y + rng.normal() * sigmaFixation) * ppd;
      const kept = x >= 0 && y >= 0 && x < image.width && y < image.height;
      fixations.push({ x, y, startMs: clock, durationMs, target, onObject, kept });
      clock += durationMs + SACCADE_MS;
    }
    result.push({ observer, offsetDeg, fixations });
  }
  return result;
}

/**
 * Simulated observers' fixations on one image, in image pixels. Observers
 * are numbered 0..observers-1; fixations outside the image are dropped.
 */
export function simulateObservers(image: ObserverImage, options: SimulateOptions): SimulatedObserver[] {
  return simulateObserversDetailed(image, options).map(({ observer, fixations }) => ({
    observer,
    fixations: fixations.filter((f) => f.kept).map(({ x, y, startMs, durationMs }) => ({ x, y, startMs, durationMs })),
  }));
}
