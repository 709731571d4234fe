/**
 * Screen layout for the participant flow, pure and testable: calibration and validation point
 * positions, randomised order, the image's fitted on-screen rectangle, fixation-cross positions.
 *
 * Point grids follow the jsPsych webgazer-calibrate / webgazer-validate examples (9 points on a
 * 3×3 grid at 10/50/90 % of the window; 13 adds the four centres of the quadrants at 30/70 %),
 * validation uses the centre, the four 25/75 % corners and, beyond 5, the four edge midpoints.
 * Orders are shuffled with a seeded generator (lib/random.ts) so a failing run can be replayed.
 */
import type { Point, Rect, Size } from '@/lib/gaze/geometry';
import type { Random } from '@/lib/random';

/** Viewport fractions of the calibration grid. */
const CAL_9: Point[] = [0.1, 0.5, 0.9].flatMap((y) => [0.1, 0.5, 0.9].map((x) => ({ x, y })));
const CAL_13_EXTRA: Point[] = [
  { x: 0.3, y: 0.3 },
  { x: 0.7, y: 0.3 },
  { x: 0.3, y: 0.7 },
  { x: 0.7, y: 0.7 },
];
/** Validation fractions in the order they are taken when fewer than 9 are asked for. */
const VAL_9: Point[] = [
  { x: 0.5, y: 0.5 },
  { x: 0.25, y: 0.25 },
  { x: 0.75, y: 0.25 },
  { x: 0.25, y: 0.75 },
  { x: 0.75, y: 0.75 },
  { x: 0.5, y: 0.2 },
  { x: 0.5, y: 0.8 },
  { x: 0.2, y: 0.5 },
  { x: 0.8, y: 0.5 },
];

/** Fisher–Yates on a copy. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    const a = out[i] as T;
    out[i] = out[j] as T;
    out[j] = a;
  }
  return out;
}

function toViewport(fractions: Point[], viewport: Size): Point[] {
  return fractions.map((p) => ({ x: Math.round(p.x * viewport.width), y: Math.round(p.y * viewport.height) }));
}

/** Calibration targets in viewport CSS px, shuffled. */
export function calibrationPoints(count: 9 | 13, viewport: Size, random: Random): Point[] {
  const fractions = count === 13 ? [...CAL_9, ...CAL_13_EXTRA] : CAL_9;
  return shuffled(toViewport(fractions, viewport), random);
}

/** Validation targets (5–9) in viewport CSS px, shuffled. */
export function validationPoints(count: number, viewport: Size, random: Random): Point[] {
  if (!Number.isInteger(count) || count < 1 || count > VAL_9.length) throw new RangeError(`validation points must be 1..${VAL_9.length}`);
  return shuffled(toViewport(VAL_9.slice(0, count), viewport), random);
}

/**
 * The largest rectangle with the image's aspect ratio that fits the viewport minus `margin` on
 * every side, centred, never scaled above `maxScale` (upscaling a 224-px image to a whole screen
 * would only blur it). Integer CSS px so the on-screen rectangle is exactly what the server maps
 * through.
 */
export function fitImageRect(
  image: Size,
  viewport: Size,
  margin = 24,
  maxScale = 4,
): Rect {
  if (!(image.width > 0 && image.height > 0)) throw new RangeError('image size must be positive');
  const availW = Math.max(1, viewport.width - 2 * margin);
  const availH = Math.max(1, viewport.height - 2 * margin);
  const scale = Math.min(availW / image.width, availH / image.height, maxScale);
  const width = Math.max(1, Math.floor(image.width * scale));
  const height = Math.max(1, Math.floor(image.height * scale));
  return {
    x: Math.floor((viewport.width - width) / 2),
    y: Math.floor((viewport.height - height) / 2),
    width,
    height,
  };
}

/**
 * Where the fixation cross goes before an image: the centre, or a random point inside the image
 * rectangle's middle 60 % (a random start point reduces the centre bias of first fixations).
 */
export function fixationCrossPosition(mode: 'centre' | 'random', rect: Rect, random: Random): Point {
  if (mode === 'centre') return { x: Math.round(rect.x + rect.width / 2), y: Math.round(rect.y + rect.height / 2) };
  return {
    x: Math.round(rect.x + rect.width * (0.2 + 0.6 * random.next())),
    y: Math.round(rect.y + rect.height * (0.2 + 0.6 * random.next())),
  };
}

/** Image pixel (x, y) → viewport CSS px through the rectangle the image is drawn at. */
export function imageToScreen(p: Point, image: Size, rect: Rect): Point {
  return { x: rect.x + (p.x / image.width) * rect.width, y: rect.y + (p.y / image.height) * rect.height };
}
