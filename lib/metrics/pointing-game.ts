/**
 * Pointing game: does the saliency map's maximum fall on the object?
 *
 * Paper: Zhang, Lin, Brandt, Shen & Sclaroff (2016), "Top-down neural attention by excitation
 * backprop", ECCV (IJCV 2018 version): a hit when the maximum point lies on the annotated object
 * or within 15 pixels of it; accuracy = hits / (hits + misses) over images.
 * Reference: TorchRay `benchmark/pointing_game.py` (facebookresearch/TorchRay), which dilates the
 * object mask by a disc of radius `tolerance` and takes the first arg-max of the map.
 * Conventions:
 *  - the maximum point is the FIRST maximum in row-major order (numpy `argmax`), pixel (x, y);
 *  - distance is Euclidean in pixels from that pixel to the nearest object pixel; hit when
 *    distance <= tolerancePx (default 15);
 *  - the object is a binary mask (non-zero = object) of the map's size, or a bounding box of
 *    whole pixels {x, y, width, height} covering x..x+width-1, y..y+height-1.
 */
import { MetricError } from './errors';
import { checkGrid, checkPair } from './validate';
import type { Grid, Point } from './types';

export interface BoundingBox {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PointingGameOptions {
  /** Tolerance in pixels (Zhang et al.: 15). */
  readonly tolerancePx?: number;
}

export interface PointingGameResult {
  readonly hit: boolean;
  readonly point: Point;
  /** Distance in pixels from the point to the nearest object pixel (0 when on the object). */
  readonly distance: number;
}

function isBox(target: Grid | BoundingBox): target is BoundingBox {
  return !('data' in target);
}

function distanceToMask(mask: Grid, point: Point): number {
  const { width, data } = mask;
  let best = Infinity;
  for (let i = 0; i < data.length; i++) {
    if ((data[i] as number) === 0) continue;
    const d = Math.hypot((i % width) - point.x, Math.floor(i / width) - point.y);
    if (d < best) best = d;
  }
  return best;
}

export function pointingGameDetail(
  saliency: Grid,
  target: Grid | BoundingBox,
  options: PointingGameOptions = {},
): PointingGameResult {
  const tolerancePx = options.tolerancePx ?? 15;
  if (!(tolerancePx >= 0 && Number.isFinite(tolerancePx))) {
    throw new MetricError('pointingGame', 'tolerancePx', `must be finite and >= 0, got ${tolerancePx}`);
  }
  if (isBox(target)) {
    checkGrid('pointingGame', 'saliency', saliency);
    const { x, y, width, height } = target;
    if (![x, y, width, height].every(Number.isInteger) || width <= 0 || height <= 0) {
      throw new MetricError('pointingGame', 'box', `must be integers with positive size, got ${x},${y} ${width}x${height}`);
    }
  } else {
    checkPair('pointingGame', saliency, 'saliency', target, 'mask');
    if (!target.data.some((v) => v !== 0)) throw new MetricError('pointingGame', 'mask', 'mask has no non-zero pixel');
  }
  const { data, width } = saliency;
  let best = 0;
  for (let i = 1; i < data.length; i++) if ((data[i] as number) > (data[best] as number)) best = i;
  const point = { x: best % width, y: Math.floor(best / width) };

  let distance: number;
  if (isBox(target)) {
    const dx = Math.max(target.x - point.x, 0, point.x - (target.x + target.width - 1));
    const dy = Math.max(target.y - point.y, 0, point.y - (target.y + target.height - 1));
    distance = Math.hypot(dx, dy);
  } else {
    distance = distanceToMask(target, point);
  }
  return { hit: distance <= tolerancePx, point, distance };
}

/** True when the map's maximum lies within `tolerancePx` of the object. */
export function pointingGame(saliency: Grid, target: Grid | BoundingBox, options: PointingGameOptions = {}): boolean {
  return pointingGameDetail(saliency, target, options).hit;
}
