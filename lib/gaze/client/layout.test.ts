import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { keepsAspect, screenToImage } from '@/lib/gaze/geometry';
import { createRandom } from '@/lib/random';
import { calibrationPoints, fitImageRect, fixationCrossPosition, imageToScreen, shuffled, validationPoints } from './layout';

const VIEW = { width: 1280, height: 720 };

describe('calibration and validation points', () => {
  it('9 points are the 3×3 grid at 10/50/90 %, 13 add the quadrant centres, in shuffled order', () => {
    const nine = calibrationPoints(9, VIEW, createRandom(1));
    const key = (p: { x: number; y: number }) => `${p.x},${p.y}`;
    expect(new Set(nine.map(key))).toEqual(new Set([128, 640, 1152].flatMap((x) => [72, 360, 648].map((y) => `${x},${y}`))));
    const thirteen = calibrationPoints(13, VIEW, createRandom(1));
    expect(thirteen).toHaveLength(13);
    expect(new Set(thirteen.map(key)).size).toBe(13);
    expect(thirteen.map(key)).toContain('384,216');
    // Randomised: different seeds give different orders, the same seed the same order.
    expect(calibrationPoints(9, VIEW, createRandom(1))).toEqual(nine);
    expect(calibrationPoints(9, VIEW, createRandom(2))).not.toEqual(nine);
  });

  it('validation takes the centre and the 25/75 % corners first, 5–9 points, inside the window', () => {
    const five = validationPoints(5, VIEW, createRandom(3));
    expect(five.map((p) => `${p.x},${p.y}`).sort()).toEqual(['320,180', '320,540', '640,360', '960,180', '960,540']);
    for (const n of [5, 6, 7, 8, 9]) {
      const pts = validationPoints(n, VIEW, createRandom(n));
      expect(pts).toHaveLength(n);
      for (const p of pts) {
        expect(p.x).toBeGreaterThan(0);
        expect(p.x).toBeLessThan(VIEW.width);
        expect(p.y).toBeGreaterThan(0);
        expect(p.y).toBeLessThan(VIEW.height);
      }
    }
    expect(() => validationPoints(10, VIEW, createRandom(1))).toThrow(RangeError);
  });

  it('shuffled is a permutation and leaves its input alone', () => {
    const input = [1, 2, 3, 4, 5, 6];
    const out = shuffled(input, createRandom(9));
    expect(input).toEqual([1, 2, 3, 4, 5, 6]);
    expect([...out].sort()).toEqual(input);
  });
});

describe('fitImageRect', () => {
  it('fits a 224² image into 1280×720 with a 24-px margin: 672² centred', () => {
    expect(fitImageRect({ width: 224, height: 224 }, VIEW)).toEqual({ x: 304, y: 24, width: 672, height: 672 });
  });

  it('never upscales beyond maxScale and handles wide images', () => {
    expect(fitImageRect({ width: 100, height: 50 }, { width: 3000, height: 3000 }, 0, 4)).toEqual({ x: 1300, y: 1400, width: 400, height: 200 });
    expect(fitImageRect({ width: 1600, height: 400 }, VIEW, 40)).toEqual({ x: 40, y: 210, width: 1200, height: 300 });
  });

  it('property: inside the viewport, aspect kept, integer, and screen→image→screen round-trips', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 16, max: 4000 }),
        fc.integer({ min: 16, max: 4000 }),
        fc.integer({ min: 320, max: 4000 }),
        fc.integer({ min: 240, max: 3000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (w, h, vw, vh, fx, fy) => {
          const image = { width: w, height: h };
          const r = fitImageRect(image, { width: vw, height: vh });
          expect(r.x).toBeGreaterThanOrEqual(0);
          expect(r.y).toBeGreaterThanOrEqual(0);
          expect(r.x + r.width).toBeLessThanOrEqual(vw);
          expect(r.y + r.height).toBeLessThanOrEqual(vh);
          expect([r.x, r.y, r.width, r.height].every(Number.isInteger)).toBe(true);
          // Flooring to whole px changes the scale by < 1 px over the image.
          expect(Math.abs(r.width / w - r.height / h)).toBeLessThanOrEqual(Math.max(1 / w, 1 / h) + 1e-12);
          if (r.width >= 20 && r.height >= 20) expect(keepsAspect(r, image)).toBe(true);
          const p = { x: fx * w, y: fy * h };
          const back = screenToImage(imageToScreen(p, image, r), r, image);
          expect(back.x).toBeCloseTo(p.x, 6);
          expect(back.y).toBeCloseTo(p.y, 6);
        },
      ),
    );
  });
});

describe('fixationCrossPosition', () => {
  const rect = { x: 100, y: 50, width: 400, height: 300 };
  it('centre mode is the rectangle centre', () => {
    expect(fixationCrossPosition('centre', rect, createRandom(1))).toEqual({ x: 300, y: 200 });
  });
  it('random mode stays in the middle 60 % of the image', () => {
    const r = createRandom(5);
    for (let i = 0; i < 200; i++) {
      const p = fixationCrossPosition('random', rect, r);
      expect(p.x).toBeGreaterThanOrEqual(180);
      expect(p.x).toBeLessThanOrEqual(420);
      expect(p.y).toBeGreaterThanOrEqual(110);
      expect(p.y).toBeLessThanOrEqual(290);
    }
  });
});
