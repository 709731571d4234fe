/**
 * Colour maps for heatmaps and overlays, byte for byte as matplotlib's `cmap(t, bytes=True)`.
 *
 * - 'jet': matplotlib's `_jet_data` segment table (the MATLAB jet), sampled into a 256-entry
 *   lookup table exactly as `LinearSegmentedColormap._create_lookup_table` does (x = i·(1/255),
 *   linear interpolation between breakpoints).
 * - 'viridis': matplotlib's 256-entry `_viridis_data` (van der Walt & Smith 2015), stored below as
 *   the bytes matplotlib derives from it.
 * - 'gray': the black-to-white ramp `_gray_data`.
 * Lookup as matplotlib: index = ⌊t·256⌋ (t = 1 → 255), t clamped to [0, 1]; bytes are
 * trunc(255·value) (numpy `astype(uint8)`), which is why, e.g., jet(0) is (0, 0, 127).
 *
 * `applyColormap` min-max scales the grid first (a constant map shows the colour of 0) and writes
 * RGBA; `blendOver` composites a straight-alpha RGBA overlay over a base image (Porter & Duff 1984
 * "over"), with an extra overall opacity.
 */
import { MetricError } from '../metrics/errors';
import type { Grid } from '../metrics/types';
import { checkGrid } from '../metrics/validate';
import { minMaxValues } from './normalize';

export type ColormapName = 'jet' | 'viridis' | 'gray';

export interface ApplyColormapOptions {
  /** Constant alpha in [0, 1], or 'value' for alpha proportional to the scaled value. Default 1. */
  alpha?: number | 'value';
}

const LUT_SIZE = 256;

/** floor(255 * matplotlib `_viridis_data`), RGB hex per entry. */
const VIRIDIS_HEX =
  '44015444025544035745055845065a45085b46095c460b5e460c5f460e61470f62471163471265471466471567471669' +
  '47186a48196b481a6c481c6e481d6f481e70482071482172482273482374472575472676472777472878472a79472b7a' +
  '472c7b462d7c462f7c46307d46317e45327f45347f453580453681443781443982433a83433b83433c84423d84423e85' +
  '4240854141864142864043874044873f45873f47883e48883e49893d4a893d4b893d4c893c4d8a3c4e8a3b508a3b518a' +
  '3a528b3a538b39548b39558b38568b38578c37588c37598c365a8c365b8c355c8c355d8c345e8d345f8d33608d33618d' +
  '32628d32638d31648d31658d31668d30678d30688d2f698d2f6a8d2e6b8e2e6c8e2e6d8e2d6e8e2d6f8e2c708e2c718e' +
  '2c728e2b738e2b748e2a758e2a768e2a778e29788e29798e287a8e287a8e287b8e277c8e277d8e277e8e267f8e26808e' +
  '26818e25828e25838d24848d24858d24868d23878d23888d23898d22898d228a8d228b8d218c8d218d8c218e8c208f8c' +
  '20908c20918c1f928c1f938b1f948b1f958b1f968b1e978a1e988a1e998a1e998a1e9a891e9b891e9c891e9d881e9e88' +
  '1e9f881ea0871fa1871fa2861fa38620a48520a58521a68521a78422a78423a88323a98224aa8225ab8126ac8127ad80' +
  '28ae7f29af7f2ab07e2bb17d2cb17d2eb27c2fb37b30b47a32b57a33b67935b77836b87738b97639b9763bba753dbb74' +
  '3ebc7340bd7242be7144be7045bf6f47c06e49c16d4bc26c4dc26b4fc36951c46853c56755c66657c66559c7645bc862' +
  '5ec96160c96062ca5f64cb5d67cc5c69cc5b6bcd596dce5870ce5672cf5574d05477d05279d1517cd24f7ed24e81d34c' +
  '83d34b86d44988d5478bd5468dd64490d64392d74195d73f97d83e9ad83c9dd93a9fd938a2da37a5da35a7db33aadb32' +
  'addc30afdc2eb2dd2cb5dd2bb7dd29bade27bdde26bfdf24c2df22c5df21c7e01fcae01ecde01dcfe11cd2e11bd4e11a' +
  'd7e219dae218dce218dfe318e1e318e4e318e7e419e9e419ece41aeee51bf1e51cf3e51ef6e61ff8e621fae622fde724';

type Segments = ReadonlyArray<readonly [x: number, value: number]>;

/** matplotlib `_jet_data` (continuous: left and right values are equal at every breakpoint). */
const JET: Record<'red' | 'green' | 'blue', Segments> = {
  red: [[0, 0], [0.35, 0], [0.66, 1], [0.89, 1], [1, 0.5]],
  green: [[0, 0], [0.125, 0], [0.375, 1], [0.64, 1], [0.91, 0], [1, 0]],
  blue: [[0, 0.5], [0.11, 1], [0.34, 1], [0.65, 0], [1, 0]],
};
const GRAY: Segments = [[0, 0], [1, 1]];

/** `_create_lookup_table(256, segments)` to bytes, same float operations in the same order. */
function segmentLut(segments: Segments): Uint8Array {
  const lut = new Uint8Array(LUT_SIZE);
  const step = 1 / (LUT_SIZE - 1);
  const toByte = (v: number): number => Math.trunc(v * 255);
  lut[0] = toByte((segments[0] as readonly [number, number])[1]);
  lut[LUT_SIZE - 1] = toByte((segments[segments.length - 1] as readonly [number, number])[1]);
  for (let i = 1; i < LUT_SIZE - 1; i++) {
    const x = i * step;
    let k = 1;
    while (k < segments.length - 1 && (segments[k] as readonly [number, number])[0] < x) k++;
    const [x0, y0] = segments[k - 1] as readonly [number, number];
    const [x1, y1] = segments[k] as readonly [number, number];
    const distance = (x - x0) / (x1 - x0);
    lut[i] = toByte(distance * (y1 - y0) + y0);
  }
  return lut;
}

function buildLuts(): Record<ColormapName, Uint8Array> {
  const interleave = (r: Uint8Array, g: Uint8Array, b: Uint8Array): Uint8Array => {
    const out = new Uint8Array(3 * LUT_SIZE);
    for (let i = 0; i < LUT_SIZE; i++) {
      out[3 * i] = r[i] as number;
      out[3 * i + 1] = g[i] as number;
      out[3 * i + 2] = b[i] as number;
    }
    return out;
  };
  const viridis = new Uint8Array(3 * LUT_SIZE);
  for (let i = 0; i < viridis.length; i++) viridis[i] = parseInt(VIRIDIS_HEX.slice(2 * i, 2 * i + 2), 16);
  const gray = segmentLut(GRAY);
  return {
    jet: interleave(segmentLut(JET.red), segmentLut(JET.green), segmentLut(JET.blue)),
    viridis,
    gray: interleave(gray, gray, gray),
  };
}

const LUTS = buildLuts();

function lutIndex(t: number): number {
  if (t >= 1) return LUT_SIZE - 1;
  if (t <= 0) return 0;
  return Math.min(LUT_SIZE - 1, Math.floor(t * LUT_SIZE));
}

function checkName(fn: string, name: string): Uint8Array {
  const lut = (LUTS as Record<string, Uint8Array | undefined>)[name];
  if (!lut) throw new MetricError(fn, 'name', `unknown colormap '${name}' (jet, viridis, gray)`);
  return lut;
}

/** RGB bytes of colormap `name` at t in [0, 1] (clamped). */
export function colormapRgb(name: ColormapName, t: number): [number, number, number] {
  const lut = checkName('colormapRgb', name);
  if (Number.isNaN(t)) throw new MetricError('colormapRgb', 't', 'is NaN');
  const i = 3 * lutIndex(t);
  return [lut[i] as number, lut[i + 1] as number, lut[i + 2] as number];
}

/** RGBA image (4 bytes per pixel, row-major) of the min-max scaled grid. */
export function applyColormap(grid: Grid, name: ColormapName, options: ApplyColormapOptions = {}): Uint8ClampedArray {
  checkGrid('applyColormap', 'grid', grid);
  const lut = checkName('applyColormap', name);
  const alpha = options.alpha ?? 1;
  if (alpha !== 'value' && !(typeof alpha === 'number' && alpha >= 0 && alpha <= 1)) {
    throw new MetricError('applyColormap', 'alpha', `must be a number in [0, 1] or 'value', got ${String(alpha)}`);
  }
  const t = minMaxValues(grid.data);
  const out = new Uint8ClampedArray(4 * t.length);
  const constantAlpha = alpha === 'value' ? 0 : Math.round(alpha * 255);
  for (let p = 0; p < t.length; p++) {
    const v = t[p] as number;
    const i = 3 * lutIndex(v);
    out[4 * p] = lut[i] as number;
    out[4 * p + 1] = lut[i + 1] as number;
    out[4 * p + 2] = lut[i + 2] as number;
    out[4 * p + 3] = alpha === 'value' ? Math.round(v * 255) : constantAlpha;
  }
  return out;
}

/**
 * `overlay` over `base` (both straight-alpha RGBA of the same length), the overlay's alpha scaled
 * by `opacity` in [0, 1]: a = αo·opacity, αout = a + αb(1 − a),
 * Cout = (Co·a + Cb·αb(1 − a)) / αout (0 where αout = 0), rounded to bytes.
 */
export function blendOver(base: Uint8Array | Uint8ClampedArray, overlay: Uint8Array | Uint8ClampedArray, opacity: number): Uint8ClampedArray {
  if (base.length % 4 !== 0) throw new MetricError('blendOver', 'base', `length ${base.length} is not a multiple of 4 (RGBA)`);
  if (overlay.length !== base.length) {
    throw new MetricError('blendOver', 'overlay', `length ${overlay.length} does not match base length ${base.length}`);
  }
  if (!(opacity >= 0 && opacity <= 1)) throw new MetricError('blendOver', 'opacity', `must be in [0, 1], got ${opacity}`);
  const out = new Uint8ClampedArray(base.length);
  for (let p = 0; p < base.length; p += 4) {
    const a = ((overlay[p + 3] as number) / 255) * opacity;
    const ab = (base[p + 3] as number) / 255;
    const keep = ab * (1 - a);
    const alphaOut = a + keep;
    if (alphaOut > 0) {
      for (let c = 0; c < 3; c++) {
        out[p + c] = Math.round(((overlay[p + c] as number) * a + (base[p + c] as number) * keep) / alphaOut);
      }
    }
    out[p + 3] = Math.round(alphaOut * 255);
  }
  return out;
}
