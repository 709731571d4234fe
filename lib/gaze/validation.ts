/**
 * Validation statistics of a calibration, in degrees of visual angle, computed by the server from
 * the raw samples (the page's own figures are never trusted).
 *
 * Definitions (Holmqvist et al. 2011, "Eye Tracking: A comprehensive guide", ch. 2; the measures
 * jsPsych's webgazer-validate plugin reports):
 * - accuracy of a point = angle between its target and the centroid (mean x, mean y) of its
 *   samples; the session figure is the mean over points with samples.
 * - precision of a point = RMS of the angles between successive samples (RMS-S2S); the session
 *   figure is the mean over points with at least two samples.
 * - within radius = share of all samples (pooled) at most `radiusDeg` from their target, percent.
 * - sampling rate = pooled intervals / pooled time: Σ(nᵢ − 1) / Σ(t_last − t_first) · 1000 Hz.
 * Windows: the page drops the first `validationMoveMs` (1 s to move the eyes) itself and sends
 * only the sampling window (~1.5 s); every sample received is used.
 * Pass rule: every point has at least MIN_POINT_SAMPLES samples and accuracy ≤ threshold.
 * Angles use the exact line-of-sight geometry of ./geometry (eye in front of the viewport centre).
 */
import { angularDistanceDeg, eyeOf, type Point, type ViewingGeometry } from './geometry';

/** A point with fewer samples than this counts as missing (the pass rule fails). */
export const MIN_POINT_SAMPLES = 3;

export interface ValidationPointInput {
  target: Point;
  /** [t_ms, x, y] in screen CSS px, time increasing. */
  samples: ReadonlyArray<readonly [number, number, number]>;
}

export interface PointStats {
  samples: number;
  accuracyDeg: number | null;
  precisionDeg: number | null;
}

export interface ValidationStats {
  accuracyDeg: number | null;
  precisionDeg: number | null;
  withinRadiusPct: number;
  samplingRateHz: number | null;
  /** Points with fewer than MIN_POINT_SAMPLES samples. */
  missingPoints: number;
  points: PointStats[];
}

function mean(values: number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export function validationStats(points: readonly ValidationPointInput[], geometry: ViewingGeometry, radiusDeg: number): ValidationStats {
  const { centre, distancePx } = eyeOf(geometry);
  const angle = (a: Point, b: Point) => angularDistanceDeg(a, b, centre, distancePx);
  let total = 0;
  let within = 0;
  let intervals = 0;
  let spanMs = 0;
  const perPoint = points.map((p): PointStats => {
    const n = p.samples.length;
    if (n === 0) return { samples: 0, accuracyDeg: null, precisionDeg: null };
    let sx = 0;
    let sy = 0;
    let s2s = 0;
    for (let i = 0; i < n; i++) {
      const [, x, y] = p.samples[i] as readonly [number, number, number];
      sx += x;
      sy += y;
      total++;
      if (angle({ x, y }, p.target) <= radiusDeg) within++;
      if (i > 0) {
        const [, px, py] = p.samples[i - 1] as readonly [number, number, number];
        s2s += angle({ x, y }, { x: px, y: py }) ** 2;
      }
    }
    intervals += n - 1;
    spanMs += (p.samples[n - 1] as readonly [number, number, number])[0] - (p.samples[0] as readonly [number, number, number])[0];
    return {
      samples: n,
      accuracyDeg: angle({ x: sx / n, y: sy / n }, p.target),
      precisionDeg: n >= 2 ? Math.sqrt(s2s / (n - 1)) : null,
    };
  });
  return {
    accuracyDeg: mean(perPoint.flatMap((p) => (p.accuracyDeg === null ? [] : [p.accuracyDeg]))),
    precisionDeg: mean(perPoint.flatMap((p) => (p.precisionDeg === null ? [] : [p.precisionDeg]))),
    withinRadiusPct: total === 0 ? 0 : (100 * within) / total,
    samplingRateHz: spanMs > 0 ? (1000 * intervals) / spanMs : null,
    missingPoints: perPoint.filter((p) => p.samples < MIN_POINT_SAMPLES).length,
    points: perPoint,
  };
}

export function validationPassed(stats: ValidationStats, thresholdDeg: number): boolean {
  return stats.missingPoints === 0 && stats.accuracyDeg !== null && stats.accuracyDeg <= thresholdDeg;
}
