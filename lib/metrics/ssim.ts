/**
 * Structural similarity (SSIM) between a saliency map and a fixation density map.
 *
 * Paper: Wang, Bovik, Sheikh & Simoncelli (2004), "Image quality assessment: from error visibility
 * to structural similarity", IEEE TIP 13(4); as a saliency metric e.g. Jiang et al. (2015),
 * "SALICON", CVPR. Symbols follow the paper: μ (local mean), σ² (local variance), σxy, C1, C2.
 * Reference: scikit-image 0.19 `metrics.structural_similarity(a, b, data_range=1)` after both maps
 * are min-max scaled to [0, 1] (a constant map becomes zeros):
 * - `ssim`: 7×7 uniform window (scipy `uniform_filter`), K1 = 0.01, K2 = 0.03, sample covariance
 *   (σ² scaled by NP/(NP−1), NP = 49), mean of the SSIM map with the 3-pixel border cropped.
 * - `ssimGaussian`: `gaussian_weights=True, sigma=1.5, use_sample_covariance=False` — the setting
 *   scikit-image documents as reproducing Wang et al.: Gaussian weights with truncate 3.5, i.e.
 *   radius ⌊3.5·1.5 + 0.5⌋ = 5 (11 taps), 5-pixel border cropped.
 * - `ssimDetailed`: the full SSIM map too, with scikit-image's 'reflect' padding at the border.
 * Speed: the cropped mean only reads windows that lie entirely inside the map, so `ssim` and
 * `ssimGaussian` skip padding. `ssim` keeps running box sums of the five local moments (Σa, Σb,
 * Σa², Σb², Σab) per column and updates them with one sliding horizontal sum per row (O(1) per
 * pixel, no full-size temporaries); `ssimGaussian` is separable over a ring of 11 rows. Values are
 * validated through the min/max/sum pass (non-finite sums), float64 throughout.
 * Unlike MSE-style metrics SSIM is symmetric; because of the min-max step it is invariant to
 * a·x + b with a > 0 applied to either map.
 */
import { uniformFilter } from '../imaging/box-filter';
import { gaussianFilter, gaussianKernel1d, gaussianRadius } from '../imaging/gaussian';
import { type MapStats, checkShapes, checkStatsFinite, minMaxValues, pairStats } from '../imaging/normalize';
import { MetricError } from './errors';
import type { Grid, NumericArray } from './types';
import { checkPair } from './validate';

/** Stabilisers of Wang et al. (2004), C1 = (K1·L)², C2 = (K2·L)², L = data range = 1. */
export const SSIM_K1 = 0.01;
export const SSIM_K2 = 0.03;
/** scikit-image's Gaussian SSIM window: σ = 1.5, truncate = 3.5. */
export const SSIM_GAUSSIAN_SIGMA = 1.5;
export const SSIM_GAUSSIAN_TRUNCATE = 3.5;
export const SSIM_UNIFORM_WINDOW = 7;

export interface SsimOptions {
  /** Gaussian instead of uniform weights (default false). */
  gaussianWeights?: boolean;
  /** Gaussian σ (default 1.5). */
  sigma?: number;
  /** Uniform window side, odd (default 7); with Gaussian weights it is 2⌊3.5σ + 0.5⌋ + 1. */
  winSize?: number;
  /** Scale variances by NP/(NP − 1) (default true, scikit-image's default). */
  useSampleCovariance?: boolean;
  k1?: number;
  k2?: number;
}

export interface SsimResult {
  mssim: number;
  map: Grid<Float64Array>;
}

interface Settings {
  gaussian: boolean;
  sigma: number;
  win: number;
  covNorm: number;
  c1: number;
  c2: number;
}

function settings(metric: string, a: Grid, b: Grid, options: SsimOptions): Settings {
  checkShapes(metric, a, 'saliency', b, 'density');
  const gaussian = options.gaussianWeights ?? false;
  const sigma = options.sigma ?? SSIM_GAUSSIAN_SIGMA;
  if (!Number.isFinite(sigma) || sigma <= 0) throw new MetricError(metric, 'sigma', `must be positive, got ${sigma}`);
  const win = gaussian ? 2 * gaussianRadius(sigma, SSIM_GAUSSIAN_TRUNCATE) + 1 : (options.winSize ?? SSIM_UNIFORM_WINDOW);
  if (!Number.isInteger(win) || win < 3 || win % 2 === 0) throw new MetricError(metric, 'winSize', `must be an odd integer >= 3, got ${win}`);
  if (a.width < win || a.height < win) {
    throw new MetricError(metric, 'saliency', `map ${a.width}x${a.height} is smaller than the ${win}x${win} window`);
  }
  const k1 = options.k1 ?? SSIM_K1;
  const k2 = options.k2 ?? SSIM_K2;
  if (!(k1 > 0) || !(k2 > 0)) throw new MetricError(metric, 'k1', `K1 and K2 must be positive, got ${k1}, ${k2}`);
  const np = win * win;
  const covNorm = (options.useSampleCovariance ?? true) ? np / (np - 1) : 1;
  return { gaussian, sigma, win, covNorm, c1: k1 * k1, c2: k2 * k2 };
}

/** SSIM at one pixel from its five local weighted means. */
function ssimAt(ux: number, uy: number, uxx: number, uyy: number, uxy: number, s: Settings): number {
  const vx = s.covNorm * (uxx - ux * ux);
  const vy = s.covNorm * (uyy - uy * uy);
  const vxy = s.covNorm * (uxy - ux * uy);
  return ((2 * ux * uy + s.c1) * (2 * vxy + s.c2)) / ((ux * ux + uy * uy + s.c1) * (vx + vy + s.c2));
}

/** Min-max scaling x ↦ (x − min)·k of a map (k = 0 for a constant map, which becomes zeros). */
interface Scaling {
  min: number;
  k: number;
}

function scaling(stats: MapStats): Scaling {
  return { min: stats.min, k: stats.max > stats.min ? 1 / (stats.max - stats.min) : 0 };
}

/**
 * Mean SSIM with a uniform w×w window over the windows inside the map, by running box sums. For
 * each output row the vertical window gains source row `enter` and loses row `leave`; the
 * horizontal sum of their difference slides along in registers, so the only stored state is the
 * five column sums per column (acc). Loads and stores dominate in V8, so nothing else is written.
 */
function meanSsimBox(a: NumericArray, b: NumericArray, sa: Scaling, sb: Scaling, width: number, height: number, w: number, s: Settings): number {
  const vw = width - w + 1;
  const acc = new Float64Array(5 * vw);
  const { min: ma, k: ka } = sa;
  const { min: mb, k: kb } = sb;
  const inv2 = 1 / (w * w);
  const { covNorm, c1, c2 } = s;
  let total = 0;
  for (let enter = 0; enter < height; enter++) {
    // Row `enter` joins the vertical window and row `enter − w` (if any) leaves it; one running
    // horizontal sum of their difference (d·) updates the column sums.
    const e0 = enter * width;
    const l0 = (enter - w) * width;
    const hasLeave = enter >= w;
    let dx = 0, dy = 0, dxx = 0, dyy = 0, dxy = 0;
    for (let c = 0; c < width; c++) {
      const x = ((a[e0 + c] as number) - ma) * ka;
      const y = ((b[e0 + c] as number) - mb) * kb;
      dx += x; dy += y; dxx += x * x; dyy += y * y; dxy += x * y;
      if (hasLeave) {
        const u = ((a[l0 + c] as number) - ma) * ka;
        const v = ((b[l0 + c] as number) - mb) * kb;
        dx -= u; dy -= v; dxx -= u * u; dyy -= v * v; dxy -= u * v;
      }
      const first = c - w + 1; // window [first, c] is complete
      if (first < 0) continue;
      const j = 5 * first;
      const sx = (acc[j] as number) + dx;
      const sy = (acc[j + 1] as number) + dy;
      const sxx = (acc[j + 2] as number) + dxx;
      const syy = (acc[j + 3] as number) + dyy;
      const sxy = (acc[j + 4] as number) + dxy;
      acc[j] = sx;
      acc[j + 1] = sy;
      acc[j + 2] = sxx;
      acc[j + 3] = syy;
      acc[j + 4] = sxy;
      if (enter >= w - 1) {
        const ux = sx * inv2;
        const uy = sy * inv2;
        const vx = covNorm * (sxx * inv2 - ux * ux);
        const vy = covNorm * (syy * inv2 - uy * uy);
        const vxy = covNorm * (sxy * inv2 - ux * uy);
        total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
      }
      // Slide: drop column `first`.
      const x0 = ((a[e0 + first] as number) - ma) * ka;
      const y0 = ((b[e0 + first] as number) - mb) * kb;
      dx -= x0; dy -= y0; dxx -= x0 * x0; dyy -= y0 * y0; dxy -= x0 * y0;
      if (hasLeave) {
        const u0 = ((a[l0 + first] as number) - ma) * ka;
        const v0 = ((b[l0 + first] as number) - mb) * kb;
        dx += u0; dy += v0; dxx += u0 * u0; dyy += v0 * v0; dxy += u0 * v0;
      }
    }
  }
  return total / (vw * (height - w + 1));
}

/**
 * Mean SSIM with Gaussian weights over the windows inside the map. Each source row's five
 * horizontally weighted moments go into a ring of the last w rows; each output pixel then sums
 * its w ring rows with the vertical weights in registers.
 */
function meanSsimGaussian(a: NumericArray, b: NumericArray, sa: Scaling, sb: Scaling, width: number, height: number, taps: Float64Array, s: Settings): number {
  const w = taps.length;
  const vw = width - w + 1;
  const stride = 5 * vw;
  const ring = new Float64Array(w * stride);
  const xr = new Float64Array(width);
  const yr = new Float64Array(width);
  const { covNorm, c1, c2 } = s;
  let total = 0;
  for (let row = 0; row < height; row++) {
    const i0 = row * width;
    for (let c = 0; c < width; c++) {
      xr[c] = ((a[i0 + c] as number) - sa.min) * sa.k;
      yr[c] = ((b[i0 + c] as number) - sb.min) * sb.k;
    }
    const slot = (row % w) * stride;
    for (let c = 0; c < vw; c++) {
      let sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
      for (let k = 0; k < w; k++) {
        const t = taps[k] as number;
        const x = xr[c + k] as number;
        const y = yr[c + k] as number;
        const tx = t * x;
        const ty = t * y;
        sx += tx; sy += ty; sxx += tx * x; syy += ty * y; sxy += tx * y;
      }
      const j = slot + 5 * c;
      ring[j] = sx;
      ring[j + 1] = sy;
      ring[j + 2] = sxx;
      ring[j + 3] = syy;
      ring[j + 4] = sxy;
    }
    if (row < w - 1) continue;
    // Output row centred on row − r; tap k reads source row row − w + 1 + k.
    for (let j = 0; j < stride; j += 5) {
      let ux = 0, uy = 0, uxx = 0, uyy = 0, uxy = 0;
      for (let k = 0; k < w; k++) {
        const t = taps[k] as number;
        const o = ((row - w + 1 + k) % w) * stride + j;
        ux += t * (ring[o] as number);
        uy += t * (ring[o + 1] as number);
        uxx += t * (ring[o + 2] as number);
        uyy += t * (ring[o + 3] as number);
        uxy += t * (ring[o + 4] as number);
      }
      const vx = covNorm * (uxx - ux * ux);
      const vy = covNorm * (uyy - uy * uy);
      const vxy = covNorm * (uxy - ux * uy);
      total += ((2 * ux * uy + c1) * (2 * vxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2));
    }
  }
  return total / (vw * (height - w + 1));
}

function meanSsim(metric: string, a: Grid, b: Grid, options: SsimOptions): number {
  const s = settings(metric, a, b, options);
  const [statsA, statsB] = pairStats(a.data, b.data);
  checkStatsFinite(metric, 'saliency', a, statsA);
  checkStatsFinite(metric, 'density', b, statsB);
  if (!s.gaussian) return meanSsimBox(a.data, b.data, scaling(statsA), scaling(statsB), a.width, a.height, s.win, s);
  const taps = gaussianKernel1d(s.sigma, SSIM_GAUSSIAN_TRUNCATE);
  return meanSsimGaussian(a.data, b.data, scaling(statsA), scaling(statsB), a.width, a.height, taps, s);
}

/** scikit-image SSIM, 7×7 uniform window, sample covariance (see header). */
export function ssim(saliency: Grid, density: Grid): number {
  return meanSsim('ssim', saliency, density, {});
}

/** Gaussian-weighted SSIM of Wang et al. 2004 (σ 1.5, population covariance). */
export function ssimGaussian(saliency: Grid, density: Grid): number {
  return meanSsim('ssimGaussian', saliency, density, { gaussianWeights: true, useSampleCovariance: false });
}

/** Mean SSIM and the full SSIM map (reflect padding at the border, as scikit-image `full=True`). */
export function ssimDetailed(saliency: Grid, density: Grid, options: SsimOptions = {}): SsimResult {
  const s = settings('ssimDetailed', saliency, density, options);
  checkPair('ssimDetailed', saliency, 'saliency', density, 'density');
  const { width, height } = saliency;
  const n = width * height;
  const x = minMaxValues(saliency.data);
  const y = minMaxValues(density.data);
  const xx = new Float64Array(n);
  const yy = new Float64Array(n);
  const xy = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xx[i] = (x[i] as number) * (x[i] as number);
    yy[i] = (y[i] as number) * (y[i] as number);
    xy[i] = (x[i] as number) * (y[i] as number);
  }
  const filter = (data: Float64Array): Float64Array =>
    (s.gaussian
      ? gaussianFilter({ width, height, data }, s.sigma, { mode: 'reflect', truncate: SSIM_GAUSSIAN_TRUNCATE })
      : uniformFilter({ width, height, data }, s.win, 'reflect')
    ).data;
  const [ux, uy, uxx, uyy, uxy] = [x, y, xx, yy, xy].map(filter) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
  const map = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    map[i] = ssimAt(ux[i] as number, uy[i] as number, uxx[i] as number, uyy[i] as number, uxy[i] as number, s);
  }
  const pad = (s.win - 1) / 2;
  let total = 0;
  for (let row = pad; row < height - pad; row++) for (let c = pad; c < width - pad; c++) total += map[row * width + c] as number;
  return { mssim: total / ((width - 2 * pad) * (height - 2 * pad)), map: { width, height, data: map } };
}
