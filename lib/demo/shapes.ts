/**
 * Demo dataset: synthetic 224×224 RGB images holding exactly one shape
 * (circle, square, triangle, star, cross) on a textured background.
 *
 * No paper: a toy stimulus set in the spirit of the "shapes on clutter" sets
 * used to sanity-check saliency methods (e.g. Adebayo et al. 2018, NeurIPS,
 * "Sanity checks for saliency maps"), made so that the right answer for an
 * explanation is known: the object's pixel mask is returned with the image.
 *
 * Conventions:
 * - Everything is derived from `createRandom(mixSeed(seed, index))`
 *   (lib/random.ts); no clock, no Math.random. The same (seed, index, label)
 *   gives byte-identical images in every V8 run (Node, Chromium). Math.sin,
 *   exp and log are not required to be correctly rounded by ECMAScript, so
 *   another engine might round a rare pixel differently.
 * - `radius` is the nominal size R (object "diameter" 2R in 40–120 px). Each
 *   class is scaled to a similar visual extent: circle radius R, square
 *   half-side 0.8R, triangle and star circumradius R (star inner 0.45R), cross
 *   arms of half-length 0.95R and half-width 0.32R. Rotation ±15° about
 *   `center`: the centroid, except for the triangle, whose unrotated box is
 *   centred there (0.25R above its centroid, still well inside it).
 * - Coverage is 4×4 supersampled on edge pixels (anti-aliased edges); `mask`
 *   is 1 where the coverage is ≥ 1/2; `bbox` is the tight inclusive box of it.
 * - The two background colours differ by 50–120 (RGB Euclidean distance); the
 *   object colour is at least MIN_CONTRAST = 140 from every mix of them, so
 *   the shape stands out from any texture.
 * - A small uniform pixel noise (±PIXEL_NOISE) is added everywhere so that no
 *   region is perfectly flat.
 */
import { createRandom, type Random } from '@/lib/random';

export const SHAPE_CLASSES = ['circle', 'square', 'triangle', 'star', 'cross'] as const;
export type ShapeClass = (typeof SHAPE_CLASSES)[number];

export const SHAPE_SIZE = 224;
export const DEMO_DATASET_SEED = 2026;
export const DEMO_IMAGES_PER_CLASS = 16;
export const BACKGROUND_KINDS = ['noise', 'stripes', 'checker', 'gradient', 'blotches'] as const;
export type BackgroundKind = (typeof BACKGROUND_KINDS)[number];

/** Object diameter range in pixels. */
const MIN_DIAMETER = 40;
const MAX_DIAMETER = 120;
const MAX_ROTATION_RAD = (15 * Math.PI) / 180;
/** Minimum RGB distance (0–441) between the object colour and every background colour. */
const MIN_CONTRAST = 140;
/**
 * RGB distance range between the two background colours: enough for a
 * visible texture, less than the object's contrast so that the object, not
 * the texture, is the salient thing (as for a person looking at the image).
 */
const BACKGROUND_CONTRAST: [number, number] = [50, 120];
const PIXEL_NOISE = 6;
/** Supersampling factor per axis for edge coverage. */
const SUPERSAMPLE = 4;
/** Largest extent of any class relative to R (square corner 0.8·√2 ≈ 1.13). */
const MAX_EXTENT = 1.15;

export interface ShapeImage {
  width: 224;
  height: 224;
  /** RGBA, 4 bytes per pixel, row-major, alpha 255. */
  rgba: Uint8Array;
  label: ShapeClass;
  labelIndex: number;
  background: BackgroundKind;
  center: { x: number; y: number };
  radius: number;
  /** Tight inclusive pixel box of the mask. */
  bbox: { x0: number; y0: number; x1: number; y1: number };
  /** 1 = object pixel (coverage ≥ 1/2), row-major. */
  mask: Uint8Array;
}

type Rgb = [number, number, number];

/** Mixes seed and index into one 32-bit seed (murmur3 finaliser). */
export function mixSeed(seed: number, index: number): number {
  let h = Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul((index >>> 0) + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function randomColour(rng: Random): Rgb {
  return [rng.int(256), rng.int(256), rng.int(256)];
}

function distance(a: Rgb, b: Rgb): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/** Background intensity t ∈ [0, 1] per pixel; colour = mix(c1, c2, t). */
function backgroundField(kind: BackgroundKind, rng: Random): Float64Array {
  const n = SHAPE_SIZE;
  const t = new Float64Array(n * n);
  if (kind === 'noise') {
    // Value noise: random lattice values, smoothstep-interpolated.
    const cells = 3 + rng.int(8);
    const lattice = Array.from({ length: (cells + 1) * (cells + 1) }, () => rng.next());
    const at = (i: number, j: number) => lattice[j * (cells + 1) + i] as number;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const gx = (x / n) * cells;
        const gy = (y / n) * cells;
        const i = Math.floor(gx);
        const j = Math.floor(gy);
        const fx = gx - i;
        const fy = gy - j;
        const sx = fx * fx * (3 - 2 * fx);
        const sy = fy * fy * (3 - 2 * fy);
        const top = at(i, j) * (1 - sx) + at(i + 1, j) * sx;
        const bottom = at(i, j + 1) * (1 - sx) + at(i + 1, j + 1) * sx;
        t[y * n + x] = top * (1 - sy) + bottom * sy;
      }
    }
  } else if (kind === 'stripes' || kind === 'checker' || kind === 'gradient') {
    const angle = rng.next() * Math.PI;
    const c = Math.cos(angle);
    const s = Math.sin(angle);
    const period = kind === 'gradient' ? 0 : 10 + rng.int(30);
    const soft = rng.next() < 0.5;
    // Range of u over the image corners, for the gradient's normalisation.
    const corners = [0, n * c, n * s, n * (c + s)];
    const uMin = Math.min(...corners);
    const uSpan = Math.max(...corners) - uMin;
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        const u = x * c + y * s;
        const v = -x * s + y * c;
        let value: number;
        if (kind === 'gradient') {
          value = (u - uMin) / uSpan;
        } else if (kind === 'stripes') {
          const phase = (2 * Math.PI * u) / period;
          value = soft ? 0.5 + 0.5 * Math.sin(phase) : Math.sin(phase) >= 0 ? 1 : 0;
        } else {
          value = (Math.floor(u / period) + Math.floor(v / period)) & 1;
        }
        t[y * n + x] = value;
      }
    }
  } else {
    // Blotches: soft elliptical blobs of random intensity over a base level
    // (soft-edged so that they never look like one of the shape classes).
    t.fill(rng.next() * 0.5);
    const count = 6 + rng.int(10);
    for (let k = 0; k < count; k++) {
      const cx = rng.next() * n;
      const cy = rng.next() * n;
      const a = 12 + rng.next() * 40;
      const b = a * (0.35 + rng.next() * 0.65);
      const angle = rng.next() * Math.PI;
      const c = Math.cos(angle);
      const s = Math.sin(angle);
      const level = rng.next();
      const reach = 2 * a;
      for (let y = Math.max(0, Math.floor(cy - reach)); y <= Math.min(n - 1, Math.ceil(cy + reach)); y++) {
        for (let x = Math.max(0, Math.floor(cx - reach)); x <= Math.min(n - 1, Math.ceil(cx + reach)); x++) {
          const u = ((x - cx) * c + (y - cy) * s) / a;
          const v = (-(x - cx) * s + (y - cy) * c) / b;
          const w = Math.exp(-2 * (u * u + v * v));
          const i = y * n + x;
          t[i] = (t[i] as number) * (1 - w) + level * w;
        }
      }
    }
  }
  return t;
}

/** Polygon vertices in shape-local units (R = 1), before rotation. */
function polygon(label: ShapeClass): Array<[number, number]> {
  switch (label) {
    case 'square':
      return [[-0.8, -0.8], [0.8, -0.8], [0.8, 0.8], [-0.8, 0.8]];
    case 'triangle':
      return [0, 1, 2].map((k) => {
        const a = -Math.PI / 2 + (2 * Math.PI * k) / 3;
        return [Math.cos(a), Math.sin(a) + 0.25] as [number, number];
      });
    case 'star':
      return Array.from({ length: 10 }, (_, k) => {
        const a = -Math.PI / 2 + (Math.PI * k) / 5;
        const r = k % 2 === 0 ? 1 : 0.45;
        return [r * Math.cos(a), r * Math.sin(a)] as [number, number];
      });
    case 'cross': {
      const l = 0.95;
      const w = 0.32;
      return [[-w, -l], [w, -l], [w, -w], [l, -w], [l, w], [w, w], [w, l], [-w, l], [-w, w], [-l, w], [-l, -w], [-w, -w]];
    }
    case 'circle':
      return [];
  }
}

/** Even-odd point-in-polygon test. */
function insidePolygon(px: number, py: number, poly: ReadonlyArray<[number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i] as [number, number];
    const [xj, yj] = poly[j] as [number, number];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Distance from colour c to the segment c1–c2 (all background colours). */
function distanceToSegment(c: Rgb, c1: Rgb, c2: Rgb): number {
  const d = [0, 1, 2].map((k) => (c2[k] as number) - (c1[k] as number));
  const len2 = d.reduce((acc, v) => acc + v * v, 0);
  const dot = [0, 1, 2].reduce((acc, k) => acc + ((c[k] as number) - (c1[k] as number)) * (d[k] as number), 0);
  const t = len2 === 0 ? 0 : Math.min(1, Math.max(0, dot / len2));
  return distance(c, [0, 1, 2].map((k) => (c1[k] as number) + t * (d[k] as number)) as Rgb);
}

/** A random colour at least MIN_CONTRAST from every background colour (else the farthest tried). */
function pickObjectColour(rng: Random, c1: Rgb, c2: Rgb): Rgb {
  let best: Rgb = [0, 0, 0];
  let bestDistance = -1;
  for (let attempt = 0; attempt < 64; attempt++) {
    const c = randomColour(rng);
    const d = distanceToSegment(c, c1, c2);
    if (d >= MIN_CONTRAST) return c;
    if (d > bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** Second background colour: c1 moved by BACKGROUND_CONTRAST in a random direction. */
function secondBackgroundColour(rng: Random, c1: Rgb): Rgb {
  const direction = [rng.normal(), rng.normal(), rng.normal()];
  const norm = Math.hypot(...direction) || 1;
  const length = BACKGROUND_CONTRAST[0] + rng.next() * (BACKGROUND_CONTRAST[1] - BACKGROUND_CONTRAST[0]);
  return direction.map((v, k) => Math.max(0, Math.min(255, Math.round((c1[k] as number) + (v / norm) * length)))) as Rgb;
}

/**
 * One demo image. Deterministic in (seed, index, label); without `label` the
 * class is drawn from the seeded generator.
 */
export function generateShapeImage(seed: number, index: number, label?: ShapeClass): ShapeImage {
  const rng = createRandom(mixSeed(seed, index));
  const labelIndex = label === undefined ? rng.int(SHAPE_CLASSES.length) : SHAPE_CLASSES.indexOf(label);
  if (labelIndex < 0) throw new Error(`generateShapeImage: unknown label ${String(label)}`);
  const shape = SHAPE_CLASSES[labelIndex] as ShapeClass;
  const n = SHAPE_SIZE;

  const background = BACKGROUND_KINDS[rng.int(BACKGROUND_KINDS.length)] as BackgroundKind;
  const c1 = randomColour(rng);
  const c2 = secondBackgroundColour(rng, c1);
  const field = backgroundField(background, rng);
  const objectColour = pickObjectColour(rng, c1, c2);

  const radius = (MIN_DIAMETER + rng.next() * (MAX_DIAMETER - MIN_DIAMETER)) / 2;
  const margin = MAX_EXTENT * radius + 2;
  const center = { x: margin + rng.next() * (n - 2 * margin), y: margin + rng.next() * (n - 2 * margin) };
  const rotation = (rng.next() * 2 - 1) * MAX_ROTATION_RAD;
  const cos = Math.cos(rotation);
  const sin = Math.sin(rotation);
  const poly = polygon(shape);
  const insideLocal = (u: number, v: number) => (shape === 'circle' ? u * u + v * v <= 1 : insidePolygon(u, v, poly));

  const coverage = new Float64Array(n * n);
  const mask = new Uint8Array(n * n);
  const bbox = { x0: n, y0: n, x1: -1, y1: -1 };
  const x0 = Math.max(0, Math.floor(center.x - margin));
  const x1 = Math.min(n - 1, Math.ceil(center.x + margin));
  const y0 = Math.max(0, Math.floor(center.y - margin));
  const y1 = Math.min(n - 1, Math.ceil(center.y + margin));
  // Inside test at pixel corners first; only pixels whose four corners
  // disagree (the edge) are supersampled.
  const inside = (px: number, py: number) => {
    const dx = px - center.x;
    const dy = py - center.y;
    // Rotate into the shape's frame (inverse rotation), units of R.
    return insideLocal((dx * cos + dy * sin) / radius, (-dx * sin + dy * cos) / radius);
  };
  const cornersWide = x1 - x0 + 2;
  const corner = new Uint8Array(cornersWide * (y1 - y0 + 2));
  for (let y = y0; y <= y1 + 1; y++) {
    for (let x = x0; x <= x1 + 1; x++) corner[(y - y0) * cornersWide + (x - x0)] = inside(x, y) ? 1 : 0;
  }
  const samples = SUPERSAMPLE * SUPERSAMPLE;
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const c = (y - y0) * cornersWide + (x - x0);
      const corners = (corner[c] as number) + (corner[c + 1] as number) + (corner[c + cornersWide] as number) + (corner[c + cornersWide + 1] as number);
      let hits = corners === 4 ? samples : 0;
      if (corners !== 0 && corners !== 4) {
        for (let sy = 0; sy < SUPERSAMPLE; sy++) {
          for (let sx = 0; sx < SUPERSAMPLE; sx++) {
            if (inside(x + (sx + 0.5) / SUPERSAMPLE, y + (sy + 0.5) / SUPERSAMPLE)) hits++;
          }
        }
      }
      const i = y * n + x;
      coverage[i] = hits / samples;
      if (hits * 2 >= samples) {
        mask[i] = 1;
        if (x < bbox.x0) bbox.x0 = x;
        if (y < bbox.y0) bbox.y0 = y;
        if (x > bbox.x1) bbox.x1 = x;
        if (y > bbox.y1) bbox.y1 = y;
      }
    }
  }

  const rgba = new Uint8Array(n * n * 4);
  for (let i = 0; i < n * n; i++) {
    const t = field[i] as number;
    const a = coverage[i] as number;
    const noise = (rng.next() * 2 - 1) * PIXEL_NOISE;
    for (let k = 0; k < 3; k++) {
      const bg = (c1[k] as number) * (1 - t) + (c2[k] as number) * t;
      const value = bg * (1 - a) + (objectColour[k] as number) * a + noise;
      rgba[i * 4 + k] = Math.max(0, Math.min(255, Math.round(value)));
    }
    rgba[i * 4 + 3] = 255;
  }

  return { width: 224, height: 224, rgba, label: shape, labelIndex, background, center, radius, bbox, mask };
}

/**
 * The demo dataset: 80 images, 16 per class, class-major (images 0–15 are
 * circles, 16–31 squares, …), seed DEMO_DATASET_SEED, image i generated as
 * generateShapeImage(DEMO_DATASET_SEED, i, class of i).
 */
export function demoDataset(): ShapeImage[] {
  const images: ShapeImage[] = [];
  for (let c = 0; c < SHAPE_CLASSES.length; c++) {
    for (let k = 0; k < DEMO_IMAGES_PER_CLASS; k++) {
      const i = c * DEMO_IMAGES_PER_CLASS + k;
      images.push(generateShapeImage(DEMO_DATASET_SEED, i, SHAPE_CLASSES[c]));
    }
  }
  return images;
}

/** File name of image i of demoDataset() (its position there): `circle-000.png`, …, `cross-079.png`. */
export function demoImageName(img: Pick<ShapeImage, 'label'>, i: number): string {
  return `${img.label}-${String(i).padStart(3, '0')}.png`;
}
