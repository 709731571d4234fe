/**
 * What the /explain page draws and saves for one explanation: pure functions over typed arrays
 * (no TF.js, no DOM), so the page bundle stays small and the output is testable in Node.
 *
 * - Display maps are min-max scaled (a constant map → zeros, lib/imaging `minMaxValues`) and
 *   resized bilinearly (half-pixel centres, lib/imaging `resizeBilinear`) from the model's input
 *   resolution to the displayed image size, so a non-square image is shown unsquashed.
 * - Heatmap: matplotlib 'jet' bytes (lib/imaging `applyColormap`), as the seed labs' grids.
 * - Overlay: the heatmap at OVERLAY_OPACITY over the image (Porter–Duff over, `blendOver`).
 * - Isolines: marching squares at ISOLINE_FRACTIONS of the scaled map (lib/imaging `isolines`),
 *   as SVG path data that the page strokes with Path2D.
 * - JSON: the CLI's per-image file (`<stem>.<method>.json`, issue 4): {method, params, classIndex,
 *   score, width, height, data} with data the input-resolution map min-max scaled to [0, 1],
 *   `raw` at feature resolution for CAM methods, plus `unscaled` (the map as computed) and the
 *   backend, so that browser and Node results can be compared exactly.
 */
import { applyColormap, blendOver } from '@/lib/imaging/colormap';
import { isolines, isolineSvgPath } from '@/lib/imaging/isolines';
import { minMaxValues } from '@/lib/imaging/normalize';
import { resizeBilinear } from '@/lib/imaging/resize';
import type { Grid } from '@/lib/metrics/types';
import type { Preprocessing } from '@/lib/models/bundle-core';
import { inputMapInImageFrame } from '@/lib/models/preprocess';
import type { ExplanationMessage, MapMessage } from './protocol';

export const OVERLAY_OPACITY = 0.5;
export const ISOLINE_FRACTIONS = [0.25, 0.5, 0.75] as const;
/** Longest side of a displayed cell panel, px. */
export const MAX_PANEL_SIDE = 224;

export interface Rgba {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray;
}

/** Panel size for an image: its aspect ratio, longest side MAX_PANEL_SIDE (never enlarged past it). */
export function panelSize(width: number, height: number, maxSide = MAX_PANEL_SIDE): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/**
 * The map min-max scaled to [0, 1] and put on a width × height panel of the image: resized to it,
 * or for `preset` "teachable-machine" (the model saw the centre crop) laid on the crop's place,
 * 0 elsewhere (lib/models/preprocess.ts `inputMapInImageFrame`).
 */
export function displayMap(map: Grid, width: number, height: number, preset: Preprocessing = 'unit'): Grid<Float64Array> {
  const scaled = { width: map.width, height: map.height, data: minMaxValues(map.data) };
  if (map.width === width && map.height === height) return scaled;
  if (preset === 'teachable-machine') return { width, height, data: minMaxValues(inputMapInImageFrame(scaled, preset, width, height).data) };
  return { width, height, data: minMaxValues(resizeBilinear(scaled, width, height).data) };
}

export function heatmapRgba(scaled: Grid): Rgba {
  return { width: scaled.width, height: scaled.height, data: applyColormap(scaled, 'jet') };
}

/** Heatmap over `base` (RGBA of the same size). */
export function overlayRgba(base: Rgba, scaled: Grid): Rgba {
  if (base.width !== scaled.width || base.height !== scaled.height) {
    throw new Error(`overlayRgba: image ${base.width}x${base.height} and map ${scaled.width}x${scaled.height} differ`);
  }
  return { width: base.width, height: base.height, data: blendOver(base.data, applyColormap(scaled, 'jet'), OVERLAY_OPACITY) };
}

/** SVG path data of the isolines of the scaled map, one per ISOLINE_FRACTIONS entry. */
export function isolinePaths(scaled: Grid): { fraction: number; d: string }[] {
  return isolines(scaled, ISOLINE_FRACTIONS).map((line, i) => ({ fraction: ISOLINE_FRACTIONS[i] as number, d: isolineSvgPath(line.segments) }));
}

function scaledArray(map: MapMessage): number[] {
  return Array.from(minMaxValues(map.data));
}

/** The explanation as the CLI writes it, plus the unscaled map and the backend. */
export function explanationJson(explanation: ExplanationMessage, backend: string): Record<string, unknown> {
  const { map, raw } = explanation;
  return {
    method: explanation.method,
    params: explanation.params,
    classIndex: explanation.classIndex,
    score: explanation.score,
    width: map.width,
    height: map.height,
    data: scaledArray(map),
    ...(raw !== undefined ? { raw: { width: raw.width, height: raw.height, data: scaledArray(raw) } } : {}),
    ...(explanation.layer !== undefined ? { layer: explanation.layer } : {}),
    unscaled: { width: map.width, height: map.height, data: Array.from(map.data) },
    backend,
  };
}

/** Seconds left, from the fraction done and the seconds elapsed; null until something is done. */
export function etaSeconds(fractionDone: number, elapsedSeconds: number): number | null {
  if (!(fractionDone > 0) || !(elapsedSeconds >= 0)) return null;
  if (fractionDone >= 1) return 0;
  return (elapsedSeconds / fractionDone) * (1 - fractionDone);
}

export function formatEta(seconds: number | null): string {
  if (seconds === null) return 'estimating…';
  const total = Math.ceil(seconds);
  if (total < 60) return `${total} s left`;
  return `${Math.floor(total / 60)} min ${total % 60} s left`;
}
