import { describe, expect, it } from 'vitest';
import { angularDistanceDeg } from './geometry';
import { MIN_POINT_SAMPLES, validationPassed, validationStats, type ValidationPointInput } from './validation';

// 1920×1080 viewport, 4 px/mm, 600 mm → the eye is 2400 px from the screen, in front of (960, 540).
const geometry = { pxPerMm: 4, viewingDistanceMm: 600, viewport: { width: 1920, height: 1080 } };
const D = 2400;
const C = { x: 960, y: 540 };
const deg = (rad: number) => (rad * 180) / Math.PI;
/** Screen x at `angle` degrees right of the centre. */
const xAt = (angle: number) => C.x + D * Math.tan((angle * Math.PI) / 180);

function samplesAt(points: Array<[number, number]>, hz = 30, t0 = 1000): Array<[number, number, number]> {
  return points.map(([x, y], i) => [t0 + (i * 1000) / hz, x, y]);
}

describe('validationStats', () => {
  it('samples on the target: accuracy 0°, precision 0°, 100 % within, 30 Hz', () => {
    const pts: ValidationPointInput[] = [C, { x: 200, y: 100 }, { x: 1700, y: 900 }].map((target) => ({
      target,
      samples: samplesAt(Array.from({ length: 45 }, () => [target.x, target.y])),
    }));
    const s = validationStats(pts, geometry, 4);
    expect(s.accuracyDeg).toBeCloseTo(0, 9);
    expect(s.precisionDeg).toBeCloseTo(0, 9);
    expect(s.withinRadiusPct).toBe(100);
    expect(s.samplingRateHz).toBeCloseTo(30, 9);
    expect(s.missingPoints).toBe(0);
    expect(validationPassed(s, 4)).toBe(true);
  });

  it('hand-checked: samples alternating ±0.5° around the centre target → centroid on target (accuracy 0), precision 1°', () => {
    const left = C.x - D * Math.tan(Math.PI / 360);
    const right = C.x + D * Math.tan(Math.PI / 360);
    const samples = samplesAt(Array.from({ length: 10 }, (_, i) => [i % 2 ? right : left, C.y]));
    const s = validationStats([{ target: C, samples }], geometry, 0.4);
    expect(s.accuracyDeg).toBeCloseTo(0, 9);
    expect(s.precisionDeg).toBeCloseTo(1, 9);
    expect(s.withinRadiusPct).toBe(0); // every sample is 0.5° away, outside 0.4°
  });

  it('a constant offset of 3° is an accuracy of 3° and precision 0; the mean is over points', () => {
    const pts: ValidationPointInput[] = [
      { target: C, samples: samplesAt(Array.from({ length: 20 }, () => [xAt(3), C.y])) },
      { target: C, samples: samplesAt(Array.from({ length: 20 }, () => [xAt(1), C.y])) },
    ];
    const s = validationStats(pts, geometry, 2);
    expect(s.points.map((p) => p.accuracyDeg)).toEqual([expect.closeTo(3, 9), expect.closeTo(1, 9)]);
    expect(s.accuracyDeg).toBeCloseTo(2, 9);
    expect(s.precisionDeg).toBeCloseTo(0, 9);
    expect(s.withinRadiusPct).toBe(50);
    expect(validationPassed(s, 2)).toBe(true);
    expect(validationPassed(s, 1.99)).toBe(false);
  });

  it('off-centre targets use the exact angle, not pixels / ppd', () => {
    const target = { x: xAt(20), y: C.y };
    const gaze = { x: xAt(22), y: C.y };
    const s = validationStats([{ target, samples: samplesAt(Array.from({ length: 5 }, () => [gaze.x, gaze.y])) }], geometry, 4);
    expect(s.accuracyDeg).toBeCloseTo(2, 9);
    const linear = (gaze.x - target.x) / (2 * D * Math.tan(Math.PI / 360));
    expect(linear).toBeGreaterThan(2.2); // pixels / central ppd overstates it by > 10 % at 20°
    expect(angularDistanceDeg(gaze, target, C, D)).toBeCloseTo(deg(Math.atan(gaze.x / D - C.x / D) - Math.atan(target.x / D - C.x / D)), 9);
  });

  it('a point with fewer than MIN_POINT_SAMPLES samples fails the pass rule even when accurate', () => {
    const pts: ValidationPointInput[] = [
      { target: C, samples: samplesAt(Array.from({ length: 20 }, () => [C.x, C.y])) },
      { target: C, samples: samplesAt(Array.from({ length: MIN_POINT_SAMPLES - 1 }, () => [C.x, C.y])) },
      { target: C, samples: [] },
    ];
    const s = validationStats(pts, geometry, 4);
    expect(s.missingPoints).toBe(2);
    expect(s.accuracyDeg).toBeCloseTo(0, 9);
    expect(validationPassed(s, 4)).toBe(false);
  });

  it('no samples at all: nulls, 0 % within, not passed', () => {
    const s = validationStats([{ target: C, samples: [] }], geometry, 4);
    expect([s.accuracyDeg, s.precisionDeg, s.samplingRateHz, s.withinRadiusPct]).toEqual([null, null, null, 0]);
    expect(validationPassed(s, 4)).toBe(false);
  });

  it('sampling rate pools intervals over time: 15 Hz and 30 Hz points of equal span → 22.5 Hz', () => {
    const a = samplesAt(Array.from({ length: 16 }, () => [C.x, C.y]), 15); // 15 intervals over 1 s
    const b = samplesAt(Array.from({ length: 31 }, () => [C.x, C.y]), 30); // 30 intervals over 1 s
    expect(validationStats([{ target: C, samples: a }, { target: C, samples: b }], geometry, 4).samplingRateHz).toBeCloseTo(22.5, 9);
  });
});
