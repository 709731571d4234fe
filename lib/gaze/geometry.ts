/**
 * Screen geometry for webcam gaze: the virtual chinrest and the screen → image mapping.
 *
 * Virtual chinrest: Q. Li, S. J. Joo, J. D. Yeatman & K. Reinecke (2020), "Controlling for
 * participants' viewing distance in large-scale, psychophysical online experiments using a virtual
 * chinrest", Scientific Reports 10:904.
 * 1. Card matching: the participant resizes an on-screen card to a real ID-1 card (ISO/IEC 7810,
 *    85.60 mm wide) → CSS px per mm = card width in px / 85.60.
 * 2. Blind spot: with the left eye closed the right eye fixates a cross while a dot moves left;
 *    the dot vanishes at the blind spot, 13.5° from fixation (the paper's average) → viewing
 *    distance d = (distance cross–dot in px / px per mm) / tan(13.5°).
 *
 * Pixels per degree (exact, not the small-angle d·π/180): the number of pixels subtending 1° centred
 * on the line of sight, ppd = px/mm · 2·d·tan(0.5°). It differs from the small-angle figure by
 * 0.003 %; it is the figure at the screen centre — 10° off-centre one degree spans ~3 % more pixels,
 * which the per-trial linear conversion ignores (state: accepted for webcam accuracy of ~4°).
 * Angular distances for validation use the exact angle between the two lines of sight from an eye
 * straight in front of the viewport centre at distance d.
 *
 * Screen → image: the image is shown in a known CSS-pixel rectangle; image pixel = (screen − rect
 * origin) · image size / rect size, per axis. Image pixels per degree of a trial = screen ppd ·
 * image width / rect width (a 224-px image shown 896 px wide at 40 px/° → 10 image px/°).
 */

export const CARD_WIDTH_MM = 85.6;
export const BLIND_SPOT_ANGLE_DEG = 13.5;

/** Plausible screen pixels per degree: outside this the chinrest measurement was surely wrong. */
export const MIN_SCREEN_PPD = 8;
export const MAX_SCREEN_PPD = 300;

const RAD = Math.PI / 180;

export interface Point {
  x: number;
  y: number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Size {
  width: number;
  height: number;
}

function positive(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive finite number, got ${value}`);
}

/** CSS px per mm from the card-matching step. */
export function pxPerMmFromCard(cardWidthPx: number, cardWidthMm = CARD_WIDTH_MM): number {
  positive('cardWidthPx', cardWidthPx);
  return cardWidthPx / cardWidthMm;
}

/** Viewing distance (mm) from the blind-spot step: `blindSpotPx` = distance cross–dot when it vanished. */
export function viewingDistanceMm(blindSpotPx: number, pxPerMm: number, angleDeg = BLIND_SPOT_ANGLE_DEG): number {
  positive('blindSpotPx', blindSpotPx);
  positive('pxPerMm', pxPerMm);
  return blindSpotPx / pxPerMm / Math.tan(angleDeg * RAD);
}

/** Screen (CSS) pixels subtending 1° centred on the line of sight: px/mm · 2d·tan(0.5°). */
export function pixelsPerDegree(pxPerMm: number, distanceMm: number): number {
  positive('pxPerMm', pxPerMm);
  positive('distanceMm', distanceMm);
  return pxPerMm * 2 * distanceMm * Math.tan(0.5 * RAD);
}

/** Exact angle (degrees) between the lines of sight to screen points a and b, eye in front of `centre`. */
export function angularDistanceDeg(a: Point, b: Point, centre: Point, distancePx: number): number {
  const ax = a.x - centre.x;
  const ay = a.y - centre.y;
  const bx = b.x - centre.x;
  const by = b.y - centre.y;
  const d2 = distancePx * distancePx;
  const dot = ax * bx + ay * by + d2;
  // atan2(|a×b|, a·b) stays accurate for tiny angles, where acos(dot/|a||b|) loses digits.
  const cx = ay * distancePx - distancePx * by;
  const cy = distancePx * bx - ax * distancePx;
  const cz = ax * by - ay * bx;
  return Math.atan2(Math.hypot(cx, cy, cz), dot) / RAD;
}

/** An eye in front of the viewport centre: what angularDistanceDeg needs, from the chinrest figures. */
export interface ViewingGeometry {
  pxPerMm: number;
  viewingDistanceMm: number;
  viewport: Size;
}

export function eyeOf(g: ViewingGeometry): { centre: Point; distancePx: number } {
  return { centre: { x: g.viewport.width / 2, y: g.viewport.height / 2 }, distancePx: g.viewingDistanceMm * g.pxPerMm };
}

export interface MappedPoint extends Point {
  /** The point lies outside the image (kept, flagged). */
  offImage: boolean;
}

/** Screen CSS px → image pixels through the on-screen rectangle of the image. */
export function screenToImage(p: Point, rect: Rect, image: Size): MappedPoint {
  const x = ((p.x - rect.x) * image.width) / rect.width;
  const y = ((p.y - rect.y) * image.height) / rect.height;
  return { x, y, offImage: !(x >= 0 && y >= 0 && x < image.width && y < image.height) };
}

/** Image pixels per degree for a trial: screen ppd divided by the displayed scale (rect width / image width). */
export function imagePixelsPerDegree(screenPpd: number, rect: Size, image: Size): number {
  positive('screenPpd', screenPpd);
  positive('rect.width', rect.width);
  return (screenPpd * image.width) / rect.width;
}

/** The displayed scale per axis agrees within `tolerance` (the image was not stretched). */
export function keepsAspect(rect: Size, image: Size, tolerance = 0.05): boolean {
  const sx = rect.width / image.width;
  const sy = rect.height / image.height;
  return Math.abs(sx - sy) <= tolerance * Math.max(sx, sy);
}
