/**
 * Colour images for segmentation (LIME superpixels): an RGB image type and sRGB → CIE L*a*b*.
 *
 * `rgbToLab` matches scikit-image `color.rgb2lab(rgb)` (0.19–0.25, `colorconv.py`) with its
 * defaults, illuminant D65 and the 2° observer:
 *   1. sRGB companding undone: v > 0.04045 ? ((v + 0.055) / 1.055)^2.4 : v / 12.92
 *   2. XYZ = M · rgb with skimage's `xyz_from_rgb` (the sRGB/ITU-R BT.709 matrix to 6 digits)
 *   3. divided by the D65/2° white (0.95047, 1, 1.08883); f(t) = t > 0.008856 ? t^(1/3) : 7.787 t + 16/116
 *   4. L = 116 f(Y) − 16, a = 500 (f(X) − f(Y)), b = 200 (f(Y) − f(Z)).
 * Input values are RGB in [0, 1] (skimage's `img_as_float` of a uint8 image = value / 255).
 * The constants 0.008856 and 7.787 are skimage's (not the exact CIE 216/24389 and 841/108).
 */
import { MetricError } from '../metrics/errors';

/** An RGB image, row-major, 3 interleaved channels: index (y·width + x)·3 + c. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array | Float64Array;
}

/** skimage `xyz_from_rgb`. */
const XYZ_FROM_RGB = [
  [0.412453, 0.35758, 0.180423],
  [0.212671, 0.71516, 0.072169],
  [0.019334, 0.119193, 0.950227],
] as const;
/** skimage `_illuminants['D65']['2']`. */
const D65_WHITE = [0.95047, 1, 1.08883] as const;
/** skimage's linear-segment threshold and slope of the L*a*b* transfer function. */
const LAB_EPSILON = 0.008856;
const LAB_KAPPA = 7.787;
/** skimage's sRGB companding threshold. */
const SRGB_THRESHOLD = 0.04045;

export function checkRgbImage(fn: string, argument: string, image: RgbImage): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new MetricError(fn, argument, `size must be positive integers, got ${width}x${height}`);
  }
  if (data.length !== width * height * 3) {
    throw new MetricError(fn, argument, `data has ${data.length} values, expected ${width}x${height}x3 = ${width * height * 3}`);
  }
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i] as number)) throw new MetricError(fn, argument, `non-finite value at index ${i}`);
  }
}

function linearise(v: number): number {
  return v > SRGB_THRESHOLD ? Math.pow((v + 0.055) / 1.055, 2.4) : v / 12.92;
}

function labTransfer(t: number): number {
  return t > LAB_EPSILON ? Math.cbrt(t) : LAB_KAPPA * t + 16 / 116;
}

/** One sRGB colour in [0, 1] → [L, a, b]. */
export function rgbPixelToLab(r: number, g: number, b: number): [number, number, number] {
  const lin = [linearise(r), linearise(g), linearise(b)];
  const f = XYZ_FROM_RGB.map((row, i) => {
    const xyz = row[0] * (lin[0] as number) + row[1] * (lin[1] as number) + row[2] * (lin[2] as number);
    return labTransfer(xyz / (D65_WHITE[i] as number));
  }) as [number, number, number];
  return [116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])];
}

/** The image in CIE L*a*b* (same layout, float64). */
export function rgbToLab(image: RgbImage): RgbImage {
  checkRgbImage('rgbToLab', 'image', image);
  const { data } = image;
  const out = new Float64Array(data.length);
  for (let i = 0; i < data.length; i += 3) {
    const [l, a, b] = rgbPixelToLab(data[i] as number, data[i + 1] as number, data[i + 2] as number);
    out[i] = l;
    out[i + 1] = a;
    out[i + 2] = b;
  }
  return { width: image.width, height: image.height, data: out };
}
