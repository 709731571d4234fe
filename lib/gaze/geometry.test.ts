import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  angularDistanceDeg,
  BLIND_SPOT_ANGLE_DEG,
  CARD_WIDTH_MM,
  imagePixelsPerDegree,
  keepsAspect,
  pixelsPerDegree,
  pxPerMmFromCard,
  screenToImage,
  viewingDistanceMm,
} from './geometry';

describe('virtual chinrest arithmetic (Li et al. 2020)', () => {
  it('card: 85.60 mm matched by 323.55 px is 3.7798 px/mm (96 dpi)', () => {
    expect(CARD_WIDTH_MM).toBe(85.6);
    expect(pxPerMmFromCard(323.55)).toBeCloseTo(96 / 25.4, 3);
  });

  it('blind spot: at 600 mm and 4 px/mm the dot vanishes 576.2 px away; the inverse gives 600 mm back', () => {
    const px = 600 * Math.tan((13.5 * Math.PI) / 180) * 4; // 143.98 mm · 4
    expect(px).toBeCloseTo(576.19, 2);
    expect(BLIND_SPOT_ANGLE_DEG).toBe(13.5);
    expect(viewingDistanceMm(px, 4)).toBeCloseTo(600, 9);
  });

  it('pixels per degree: 2d·tan(0.5°)·px/mm — 600 mm at 4 px/mm → 41.8890 px (small-angle 41.8879)', () => {
    const ppd = pixelsPerDegree(4, 600);
    expect(ppd).toBeCloseTo(2 * 600 * Math.tan(Math.PI / 360) * 4, 12);
    expect(ppd).toBeCloseTo(41.889, 4);
    expect(Math.abs(ppd - (600 * Math.PI * 4) / 180) / ppd).toBeLessThan(1e-4);
  });

  it('rejects zero, negative and non-finite inputs', () => {
    expect(() => pxPerMmFromCard(0)).toThrow(RangeError);
    expect(() => viewingDistanceMm(100, Number.NaN)).toThrow(RangeError);
    expect(() => pixelsPerDegree(4, -1)).toThrow(RangeError);
  });
});

describe('angularDistanceDeg (exact lines of sight)', () => {
  const centre = { x: 960, y: 540 };
  const D = 2400; // px

  it('from the centre along an axis it is atan(s/D)', () => {
    expect(angularDistanceDeg(centre, { x: 960 + 300, y: 540 }, centre, D)).toBeCloseTo((Math.atan(300 / D) * 180) / Math.PI, 12);
    expect(angularDistanceDeg(centre, { x: 960, y: 540 - 300 }, centre, D)).toBeCloseTo((Math.atan(300 / D) * 180) / Math.PI, 12);
  });

  it('symmetric about the centre: the angle between ±s is 2·atan(s/D)', () => {
    expect(angularDistanceDeg({ x: 960 - 100, y: 540 }, { x: 960 + 100, y: 540 }, centre, D)).toBeCloseTo((2 * Math.atan(100 / D) * 180) / Math.PI, 12);
  });

  it('near the centre one ppd (2D·tan 0.5°) of pixels is 1°', () => {
    const ppd = 2 * D * Math.tan(Math.PI / 360);
    expect(angularDistanceDeg({ x: 960 - ppd / 2, y: 540 }, { x: 960 + ppd / 2, y: 540 }, centre, D)).toBeCloseTo(1, 12);
  });

  it('property: zero for equal points, symmetric, triangle inequality', () => {
    const pt = fc.record({ x: fc.double({ min: -3000, max: 3000, noNaN: true }), y: fc.double({ min: -3000, max: 3000, noNaN: true }) });
    fc.assert(
      fc.property(pt, pt, pt, (a, b, c) => {
        expect(angularDistanceDeg(a, a, centre, D)).toBeCloseTo(0, 9);
        expect(angularDistanceDeg(a, b, centre, D)).toBeCloseTo(angularDistanceDeg(b, a, centre, D), 9);
        expect(angularDistanceDeg(a, c, centre, D)).toBeLessThanOrEqual(angularDistanceDeg(a, b, centre, D) + angularDistanceDeg(b, c, centre, D) + 1e-9);
      }),
      { seed: 5, numRuns: 200 },
    );
  });
});

describe('screen → image mapping', () => {
  const image = { width: 224, height: 224 };
  const rect = { x: 512, y: 92, width: 896, height: 896 };

  it('maps the rectangle corners and centre to the image corners and centre', () => {
    expect(screenToImage({ x: 512, y: 92 }, rect, image)).toEqual({ x: 0, y: 0, offImage: false });
    expect(screenToImage({ x: 512 + 448, y: 92 + 448 }, rect, image)).toEqual({ x: 112, y: 112, offImage: false });
    expect(screenToImage({ x: 512 + 896, y: 92 + 896 }, rect, image)).toEqual({ x: 224, y: 224, offImage: true });
  });

  it('keeps and flags points off the image', () => {
    expect(screenToImage({ x: 500, y: 100 }, rect, image)).toEqual({ x: -3, y: 2, offImage: true });
  });

  it('property: a screen point inside the rect maps inside the image and back', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.double({ min: 0, max: 0.999, noNaN: true }), (u, v) => {
        const p = screenToImage({ x: rect.x + u * rect.width, y: rect.y + v * rect.height }, rect, image);
        expect(p.offImage).toBe(false);
        expect(rect.x + (p.x * rect.width) / image.width).toBeCloseTo(rect.x + u * rect.width, 6);
      }),
      { seed: 9, numRuns: 200 },
    );
  });

  it('image pixels per degree: 40 screen px/° with a 224-px image shown 896 px wide → 10 image px/°', () => {
    expect(imagePixelsPerDegree(40, rect, image)).toBe(10);
    expect(imagePixelsPerDegree(40, { width: 224, height: 224 }, image)).toBe(40);
  });

  it('keepsAspect tells a stretched image from a fitted one', () => {
    expect(keepsAspect({ width: 896, height: 896 }, image)).toBe(true);
    expect(keepsAspect({ width: 896, height: 600 }, image)).toBe(false);
  });
});
