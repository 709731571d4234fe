/**
 * Test-only: every CAM method written again from its paper / pytorch-grad-cam formula on the
 * naive network of naive-cnn.ts, sharing no code with lib/explainers (see cam-naive.test.ts).
 * Each returns the map at feature resolution after the ReLU, as a [y][x] array.
 */
import { features, headGradient, headScore, probabilities, type NaiveNet, type Output, type Volume } from './naive-cnn';

type Map2 = number[][];

function channel(A: Volume, ch: number): Map2 {
  return Array.from({ length: A.h }, (_, y) => Array.from({ length: A.w }, (_, x) => A.data[(y * A.w + x) * A.c + ch] as number));
}

function weighted(A: Volume, weights: number[]): Map2 {
  const out: Map2 = Array.from({ length: A.h }, () => new Array<number>(A.w).fill(0));
  for (let ch = 0; ch < A.c; ch++) {
    const m = channel(A, ch);
    for (let y = 0; y < A.h; y++) for (let x = 0; x < A.w; x++) (out[y] as number[])[x] = ((out[y] as number[])[x] as number) + (weights[ch] as number) * ((m[y] as number[])[x] as number);
  }
  return relu(out);
}

const relu = (m: Map2): Map2 => m.map((row) => row.map((v) => Math.max(v, 0)));
const sum = (m: Map2): number => m.flat().reduce((a, b) => a + b, 0);

export function naiveGradCam(net: NaiveNet, x: Volume, k: number, output: Output): Map2 {
  const A = features(net, x);
  const G = headGradient(net, A, k, output);
  return weighted(A, Array.from({ length: A.c }, (_, ch) => sum(channel(G, ch)) / (A.h * A.w)));
}

export function naiveGradCamPlusPlus(net: NaiveNet, x: Volume, k: number, output: Output): Map2 {
  const A = features(net, x);
  const G = headGradient(net, A, k, output);
  const weights = Array.from({ length: A.c }, (_, ch) => {
    const a = sum(channel(A, ch));
    return channel(G, ch).flat().reduce((acc, g) => (g === 0 ? acc : acc + (g ** 2 / (2 * g ** 2 + a * g ** 3 + 1e-6)) * Math.max(g, 0)), 0);
  });
  return weighted(A, weights);
}

/** torch UpsamplingBilinear2d (align_corners=True) of one channel to size × size. */
function upsampleAlignCorners(m: Map2, outH: number, outW: number): Map2 {
  const h = m.length;
  const w = (m[0] as number[]).length;
  const sample = (y: number, x: number): number => ((m[y] as number[])[x] as number);
  return Array.from({ length: outH }, (_, oy) =>
    Array.from({ length: outW }, (_, ox) => {
      const sy = outH === 1 ? 0 : (oy * (h - 1)) / (outH - 1);
      const sx = outW === 1 ? 0 : (ox * (w - 1)) / (outW - 1);
      const y0 = Math.floor(sy);
      const x0 = Math.floor(sx);
      const y1 = Math.min(y0 + 1, h - 1);
      const x1 = Math.min(x0 + 1, w - 1);
      const fy = sy - y0;
      const fx = sx - x0;
      return (1 - fy) * ((1 - fx) * sample(y0, x0) + fx * sample(y0, x1)) + fy * ((1 - fx) * sample(y1, x0) + fx * sample(y1, x1));
    }),
  );
}

export function naiveScoreCam(net: NaiveNet, x: Volume, k: number, output: Output): Map2 {
  const A = features(net, x);
  const scores = Array.from({ length: A.c }, (_, ch) => {
    const up = upsampleAlignCorners(channel(A, ch), x.h, x.w);
    const lo = Math.min(...up.flat());
    const hi = Math.max(...up.flat());
    const masked: Volume = { ...x, data: x.data.map((v, i) => v * (((up[Math.floor(i / x.c / x.w)] as number[])[Math.floor(i / x.c) % x.w] as number) - lo) / (hi - lo + 1e-8)) };
    if (output === 'logit') return headScore(net, features(net, masked), k, 'logit');
    return probabilities(net, masked)[k] as number;
  });
  const max = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - max));
  const total = e.reduce((a, b) => a + b, 0);
  return weighted(A, e.map((v) => v / total));
}

export function naiveAblationCam(net: NaiveNet, x: Volume, k: number, output: Output): Map2 {
  const A = features(net, x);
  const S = headScore(net, A, k, output);
  const min = Math.min(...A.data);
  const value = min === 0 ? 0 : min - 1e7;
  const weights = Array.from({ length: A.c }, (_, ch) => {
    const ablated: Volume = { ...A, data: A.data.map((v, i) => (i % A.c === ch ? value : v)) };
    return (S - headScore(net, ablated, k, output)) / S;
  });
  return weighted(A, weights);
}

export function naiveFem(net: NaiveNet, x: Volume, kSigma: number): Map2 {
  const A = features(net, x);
  const out: Map2 = Array.from({ length: A.h }, () => new Array<number>(A.w).fill(0));
  for (let ch = 0; ch < A.c; ch++) {
    const values = channel(A, ch).flat();
    const mu = values.reduce((a, b) => a + b, 0) / values.length;
    const sigma = Math.sqrt(values.reduce((a, v) => a + (v - mu) ** 2, 0) / values.length);
    channel(A, ch).forEach((row, y) => row.forEach((v, xx) => {
      if (v > mu + kSigma * sigma) (out[y] as number[])[xx] = ((out[y] as number[])[xx] as number) + mu;
    }));
  }
  return relu(out);
}

/** Cyclic Jacobi eigen-decomposition of a symmetric matrix: eigenvector of the largest eigenvalue. */
function jacobiTopEigenvector(S: number[][]): number[] {
  const n = S.length;
  const a = S.map((row) => [...row]);
  const v = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += ((a[p] as number[])[q] as number) ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = (a[p] as number[])[q] as number;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (((a[q] as number[])[q] as number) - ((a[p] as number[])[p] as number)) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < n; r++) {
          const arp = (a[r] as number[])[p] as number;
          const arq = (a[r] as number[])[q] as number;
          (a[r] as number[])[p] = c * arp - s * arq;
          (a[r] as number[])[q] = s * arp + c * arq;
        }
        for (let r = 0; r < n; r++) {
          const apr = (a[p] as number[])[r] as number;
          const aqr = (a[q] as number[])[r] as number;
          (a[p] as number[])[r] = c * apr - s * aqr;
          (a[q] as number[])[r] = s * apr + c * aqr;
        }
        for (let r = 0; r < n; r++) {
          const vrp = (v[r] as number[])[p] as number;
          const vrq = (v[r] as number[])[q] as number;
          (v[r] as number[])[p] = c * vrp - s * vrq;
          (v[r] as number[])[q] = s * vrp + c * vrq;
        }
      }
    }
  }
  let best = 0;
  for (let i = 1; i < n; i++) if (((a[i] as number[])[i] as number) > ((a[best] as number[])[best] as number)) best = i;
  return v.map((row) => row[best] as number);
}

export function naiveEigenCam(net: NaiveNet, x: Volume): Map2 {
  const A = features(net, x);
  const P = A.h * A.w;
  const cols = Array.from({ length: A.c }, (_, ch) => {
    const values = channel(A, ch).flat();
    const mu = values.reduce((a, b) => a + b, 0) / P;
    return values.map((v) => v - mu);
  });
  const gram = cols.map((ci) => cols.map((cj) => ci.reduce((acc, v, p) => acc + v * (cj[p] as number), 0)));
  const v1 = jacobiTopEigenvector(gram);
  let projection = Array.from({ length: P }, (_, p) => cols.reduce((acc, col, ch) => acc + (col[p] as number) * (v1[ch] as number), 0));
  if (Math.abs(Math.min(...projection)) > Math.abs(Math.max(...projection))) projection = projection.map((v) => -v);
  return relu(Array.from({ length: A.h }, (_, y) => projection.slice(y * A.w, (y + 1) * A.w)));
}

/** Bilinear resize with half-pixel centres and clamped edges (cv2.resize INTER_LINEAR). */
export function naiveResizeHalfPixel(m: Map2, outH: number, outW: number): Map2 {
  const h = m.length;
  const w = (m[0] as number[]).length;
  const coord = (i: number, inSize: number, outSize: number): [number, number, number] => {
    const c = Math.min(Math.max((i + 0.5) * (inSize / outSize) - 0.5, 0), inSize - 1);
    const lo = Math.floor(c);
    return [lo, Math.min(lo + 1, inSize - 1), c - lo];
  };
  return Array.from({ length: outH }, (_, oy) => {
    const [y0, y1, fy] = coord(oy, h, outH);
    return Array.from({ length: outW }, (_, ox) => {
      const [x0, x1, fx] = coord(ox, w, outW);
      const r0 = m[y0] as number[];
      const r1 = m[y1] as number[];
      return (1 - fy) * ((1 - fx) * (r0[x0] as number) + fx * (r0[x1] as number)) + fy * ((1 - fx) * (r1[x0] as number) + fx * (r1[x1] as number));
    });
  });
}
