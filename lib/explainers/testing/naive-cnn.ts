/**
 * Test-only: an independent second implementation of a tiny CNN and of every CAM method, in plain
 * TypeScript over float64 arrays (no TF.js, no code shared with lib/explainers or lib/imaging),
 * written for clarity with explicit loops, to check the TF.js path (cam-naive.test.ts).
 *
 * Network (NHWC, one image):
 *   x [8, 8, 3] → conv1 3×3 'same' stride 1, 3→4, ReLU → conv2 3×3 'same' stride 2, 4→5, ReLU = A [4, 4, 5]
 *   → conv3 1×1, 5→5, linear → u = conv3(A) + A → r = ReLU(u) → g = mean over positions
 *   → z = g·Wd + bd (3 logits) → softmax.
 * 'same' padding as TensorFlow: total = max((out − 1)·stride + k − in, 0), top/left = ⌊total/2⌋.
 * Backward: the chain rule written out for dS/dA (see `headGradient`).
 */
export interface Volume {
  h: number;
  w: number;
  c: number;
  /** HWC, index (y·w + x)·c + ch. */
  data: Float64Array;
}

export interface Conv {
  k: number;
  stride: number;
  cin: number;
  cout: number;
  /** Kernel [k, k, cin, cout] (TF layout), flattened. */
  kernel: Float64Array;
  bias: Float64Array;
}

export interface NaiveNet {
  conv1: Conv;
  conv2: Conv;
  conv3: Conv;
  /** Dense kernel [5, 3] and bias [3]. */
  dense: { kernel: Float64Array; bias: Float64Array; units: number };
}

const at = (v: Volume, y: number, x: number, ch: number): number => v.data[(y * v.w + x) * v.c + ch] as number;

export function conv2dSame(input: Volume, conv: Conv, relu: boolean): Volume {
  const outH = Math.ceil(input.h / conv.stride);
  const outW = Math.ceil(input.w / conv.stride);
  const padTop = Math.floor(Math.max((outH - 1) * conv.stride + conv.k - input.h, 0) / 2);
  const padLeft = Math.floor(Math.max((outW - 1) * conv.stride + conv.k - input.w, 0) / 2);
  const out: Volume = { h: outH, w: outW, c: conv.cout, data: new Float64Array(outH * outW * conv.cout) };
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      for (let o = 0; o < conv.cout; o++) {
        let s = conv.bias[o] as number;
        for (let ky = 0; ky < conv.k; ky++) {
          for (let kx = 0; kx < conv.k; kx++) {
            const iy = oy * conv.stride + ky - padTop;
            const ix = ox * conv.stride + kx - padLeft;
            if (iy < 0 || ix < 0 || iy >= input.h || ix >= input.w) continue;
            for (let i = 0; i < conv.cin; i++) s += at(input, iy, ix, i) * (conv.kernel[((ky * conv.k + kx) * conv.cin + i) * conv.cout + o] as number);
          }
        }
        out.data[(oy * outW + ox) * conv.cout + o] = relu ? Math.max(s, 0) : s;
      }
    }
  }
  return out;
}

export function features(net: NaiveNet, x: Volume): Volume {
  return conv2dSame(conv2dSame(x, net.conv1, true), net.conv2, true);
}

/** Intermediate values of the head for one activation volume A. */
function headForward(net: NaiveNet, A: Volume): { u: Float64Array; g: Float64Array; z: Float64Array } {
  const v = conv2dSame(A, net.conv3, false);
  const u = v.data.map((value, i) => value + (A.data[i] as number));
  const P = A.h * A.w;
  const g = new Float64Array(A.c);
  for (let p = 0; p < P; p++) for (let ch = 0; ch < A.c; ch++) g[ch] = (g[ch] as number) + Math.max(u[p * A.c + ch] as number, 0) / P;
  const z = new Float64Array(net.dense.units);
  for (let j = 0; j < net.dense.units; j++) {
    let s = net.dense.bias[j] as number;
    for (let ch = 0; ch < A.c; ch++) s += (g[ch] as number) * (net.dense.kernel[ch * net.dense.units + j] as number);
    z[j] = s;
  }
  return { u, g, z };
}

export function softmax(z: Float64Array): Float64Array {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

export type Output = 'logit' | 'probability';

/** Target score S of class k given A. */
export function headScore(net: NaiveNet, A: Volume, k: number, output: Output): number {
  const { z } = headForward(net, A);
  return output === 'logit' ? (z[k] as number) : (softmax(z)[k] as number);
}

/** Softmax probabilities of the whole network on x. */
export function probabilities(net: NaiveNet, x: Volume): Float64Array {
  return softmax(headForward(net, features(net, x)).z);
}

/**
 * dS/dA: dS/dz (e_k, or p_k(e_k − p)) → dS/dg_c = Σ_j dS/dz_j·Wd[c, j] → dS/dr(p, c) = dS/dg_c / P
 * → dS/du = dS/dr·[u > 0] → dS/dA(p, c) = dS/du(p, c) + Σ_o dS/du(p, o)·W3[c, o].
 */
export function headGradient(net: NaiveNet, A: Volume, k: number, output: Output): Volume {
  const { u, z } = headForward(net, A);
  const units = net.dense.units;
  const dz = new Float64Array(units);
  if (output === 'logit') dz[k] = 1;
  else {
    const p = softmax(z);
    for (let j = 0; j < units; j++) dz[j] = (p[k] as number) * ((j === k ? 1 : 0) - (p[j] as number));
  }
  const P = A.h * A.w;
  const C = A.c;
  const dg = new Float64Array(C);
  for (let ch = 0; ch < C; ch++) for (let j = 0; j < units; j++) dg[ch] = (dg[ch] as number) + (dz[j] as number) * (net.dense.kernel[ch * units + j] as number);
  const du = new Float64Array(P * C);
  for (let p = 0; p < P; p++) for (let ch = 0; ch < C; ch++) du[p * C + ch] = (u[p * C + ch] as number) > 0 ? (dg[ch] as number) / P : 0;
  const dA = new Float64Array(P * C);
  for (let p = 0; p < P; p++) {
    for (let ch = 0; ch < C; ch++) {
      let s = du[p * C + ch] as number;
      for (let o = 0; o < C; o++) s += (du[p * C + o] as number) * (net.conv3.kernel[ch * C + o] as number);
      dA[p * C + ch] = s;
    }
  }
  return { h: A.h, w: A.w, c: C, data: dA };
}
