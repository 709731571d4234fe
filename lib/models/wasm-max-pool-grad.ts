/**
 * MaxPoolGrad for the TF.js wasm backend, in TypeScript over the backend's buffers. The package's
 * own kernel (tfjs-backend-wasm 4.22, C++) routes dy to the wrong input pixels for some shapes:
 * against the CPU backend and a direct loop, a 3×3 stride-2 pool with dy not all ones differs by
 * up to ~1 (8×8×4 and 8×8×16 'same', 7×7×16 'valid'; 8×8×2 'same' and 9×9×16 'valid' agree), so
 * every gradient through a max pool (VGG16, ResNet50's stem, Xception's entry flow) was wrong on
 * wasm. This is tfjs-backend-cpu's rule (backend_util pool: each window sends its dy to its first
 * maximum in row-major order, padding never wins), as one pass over the windows. Checked in
 * wasm-max-pool-grad.test.ts.
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBuffers {
  readSync(dataId: tf.DataId): tf.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
}

interface MaxPoolGradAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function maxPoolGrad({ inputs, backend, attrs }: Parameters<tf.KernelFunc>[0]): tf.TensorInfo {
  const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
  const a = attrs as unknown as MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], a.filterSize, a.strides, 1, a.pad, a.dimRoundingMode);
  const wasm = backend as unknown as WasmBuffers;
  const x = wasm.readSync(input.dataId) as Float32Array;
  const g = wasm.readSync(dy.dataId) as Float32Array;
  const out = wasm.makeOutput(input.shape, 'float32');
  const dx = wasm.typedArrayFromHeap(out);
  dx.fill(0);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let i = 0; i < outHeight; i++) {
      const y0 = i * strideHeight - top;
      for (let j = 0; j < outWidth; j++) {
        const x0 = j * strideWidth - left;
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let at = -1;
          for (let p = Math.max(0, -y0); p < filterHeight && y0 + p < H; p++) {
            for (let q = Math.max(0, -x0); q < filterWidth && x0 + q < W; q++) {
              const index = ((b * H + y0 + p) * W + x0 + q) * C + c;
              if ((x[index] as number) > best) {
                best = x[index] as number;
                at = index;
              }
            }
          }
          if (at >= 0) dx[at] = (dx[at] as number) + (g[((b * outHeight + i) * outWidth + j) * C + c] as number);
        }
      }
    }
  }
  return out;
}

/** Replaces the package's MaxPoolGrad on 'wasm' (before the backend starts; once). */
export function registerWasmMaxPoolGrad(): void {
  if (tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc === maxPoolGrad) return;
  if (tf.getKernel('MaxPoolGrad', 'wasm') !== undefined) tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad });
}
