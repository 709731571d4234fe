import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  BACKGROUND_KINDS,
  DEMO_IMAGES_PER_CLASS,
  SHAPE_CLASSES,
  demoDataset,
  demoImageName,
  generateShapeImage,
  mixSeed,
  type ShapeImage,
} from './shapes';

const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const dataset = demoDataset();

/** Mean RGB over the pixels where mask === want. */
function meanColour(img: ShapeImage, want: 0 | 1): [number, number, number] {
  const sum = [0, 0, 0];
  let n = 0;
  for (let i = 0; i < img.mask.length; i++) {
    if (img.mask[i] !== want) continue;
    for (let c = 0; c < 3; c++) sum[c] = (sum[c] as number) + (img.rgba[i * 4 + c] as number);
    n++;
  }
  return sum.map((v) => v / n) as [number, number, number];
}

describe('generateShapeImage', () => {
  it('is deterministic: same seed, index and label give identical bytes', () => {
    const a = generateShapeImage(5, 17, 'star');
    const b = generateShapeImage(5, 17, 'star');
    expect(digest(a.rgba)).toBe(digest(b.rgba));
    expect(digest(a.mask)).toBe(digest(b.mask));
    expect(a.center).toEqual(b.center);
  });

  it('gives a different image for a different index or seed', () => {
    const base = digest(generateShapeImage(5, 17, 'star').rgba);
    expect(digest(generateShapeImage(5, 18, 'star').rgba)).not.toBe(base);
    expect(digest(generateShapeImage(6, 17, 'star').rgba)).not.toBe(base);
  });

  it('pins the demo dataset bytes (a change here changes the committed model and seeded data)', () => {
    // Golden values: update them only together with `npm run demo:train`.
    expect(digest(dataset[0]?.rgba as Uint8Array).slice(0, 16)).toMatchInlineSnapshot(`"e4e8480b820be439"`);
    expect(digest(dataset[79]?.rgba as Uint8Array).slice(0, 16)).toMatchInlineSnapshot(`"9ee06f91467dc604"`);
  });

  it('draws the label from the seed when none is given, and uses it when given', () => {
    const labels = new Set(Array.from({ length: 40 }, (_, i) => generateShapeImage(3, i).label));
    expect(labels.size).toBe(SHAPE_CLASSES.length);
    for (const label of SHAPE_CLASSES) {
      const img = generateShapeImage(3, 0, label);
      expect(img.label).toBe(label);
      expect(img.labelIndex).toBe(SHAPE_CLASSES.indexOf(label));
    }
  });

  it('rejects an unknown label', () => {
    expect(() => generateShapeImage(1, 0, 'hexagon' as never)).toThrow(/unknown label hexagon/);
  });

  it('returns opaque 224x224 RGBA and a mask of the same size', () => {
    const img = generateShapeImage(9, 4);
    expect(img.width).toBe(224);
    expect(img.height).toBe(224);
    expect(img.rgba.length).toBe(224 * 224 * 4);
    expect(img.mask.length).toBe(224 * 224);
    for (let i = 3; i < img.rgba.length; i += 4) expect(img.rgba[i]).toBe(255);
  });

  it('mixSeed separates streams (no collision in a grid of seeds and indices)', () => {
    const seen = new Set<number>();
    for (let s = 0; s < 50; s++) for (let i = 0; i < 200; i++) seen.add(mixSeed(s, i));
    expect(seen.size).toBe(50 * 200);
  });
});

describe('demoDataset', () => {
  it('has 80 images, 16 per class, class-major, with unique names', () => {
    expect(dataset).toHaveLength(80);
    SHAPE_CLASSES.forEach((label, c) => {
      const own = dataset.slice(c * DEMO_IMAGES_PER_CLASS, (c + 1) * DEMO_IMAGES_PER_CLASS);
      expect(own.every((img) => img.label === label && img.labelIndex === c)).toBe(true);
    });
    const names = dataset.map((img, i) => demoImageName(img, i));
    expect(new Set(names).size).toBe(80);
    expect(names[0]).toBe('circle-000.png');
    expect(names[16]).toBe('square-016.png');
    expect(names[79]).toBe('cross-079.png');
  });

  it('every mask lies inside the image and its bbox is the tight box of the mask', () => {
    for (const img of dataset) {
      let x0 = Infinity;
      let y0 = Infinity;
      let x1 = -1;
      let y1 = -1;
      let area = 0;
      for (let y = 0; y < img.height; y++) {
        for (let x = 0; x < img.width; x++) {
          if (img.mask[y * img.width + x] !== 1) continue;
          area++;
          x0 = Math.min(x0, x);
          y0 = Math.min(y0, y);
          x1 = Math.max(x1, x);
          y1 = Math.max(y1, y);
        }
      }
      expect(img.bbox).toEqual({ x0, y0, x1, y1 });
      // Not touching the border: the whole object is in view.
      expect(x0).toBeGreaterThan(0);
      expect(y0).toBeGreaterThan(0);
      expect(x1).toBeLessThan(img.width - 1);
      expect(y1).toBeLessThan(img.height - 1);
      // Size: diameter 40-120 px; the object fills a sensible share of its box.
      expect(2 * img.radius).toBeGreaterThanOrEqual(40);
      expect(2 * img.radius).toBeLessThanOrEqual(120);
      expect(area / ((x1 - x0 + 1) * (y1 - y0 + 1))).toBeGreaterThan(0.3);
      // The centre is inside the box.
      expect(img.center.x).toBeGreaterThan(x0);
      expect(img.center.x).toBeLessThan(x1 + 1);
    }
  });

  it('mask area matches the analytic area of each shape (circle πR², square 2.56R²)', () => {
    for (const img of dataset.filter((d) => d.label === 'circle' || d.label === 'square')) {
      const area = img.mask.reduce((a, v) => a + v, 0);
      const expected = img.label === 'circle' ? Math.PI * img.radius ** 2 : (1.6 * img.radius) ** 2;
      expect(Math.abs(area - expected) / expected).toBeLessThan(0.06);
    }
  });

  it('the object stands out: its mean colour is far from the background mean', () => {
    for (const img of dataset) {
      const inside = meanColour(img, 1);
      const outside = meanColour(img, 0);
      expect(Math.hypot(inside[0] - outside[0], inside[1] - outside[1], inside[2] - outside[2])).toBeGreaterThan(100);
    }
  });

  it('uses every background kind, and backgrounds differ in colour and texture', () => {
    const kinds = new Set(dataset.map((img) => img.background));
    expect(kinds.size).toBe(BACKGROUND_KINDS.length);
    const means = dataset.map((img) => meanColour(img, 0).map((v) => Math.round(v / 16)).join(','));
    expect(new Set(means).size).toBeGreaterThan(60);
    // Texture: some backgrounds are smooth (gradients), others busy (stripes).
    const roughness = dataset.map((img) => {
      let sum = 0;
      let n = 0;
      for (let y = 0; y < img.height; y++) {
        for (let x = 1; x < img.width; x++) {
          const i = y * img.width + x;
          if (img.mask[i] || img.mask[i - 1]) continue;
          sum += Math.abs((img.rgba[i * 4] as number) - (img.rgba[(i - 1) * 4] as number));
          n++;
        }
      }
      return sum / n;
    });
    expect(Math.max(...roughness) / Math.min(...roughness)).toBeGreaterThan(3);
  });

  it('generates the 80 images in under 2 s', () => {
    const started = performance.now();
    demoDataset();
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
