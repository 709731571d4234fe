/**
 * Image → model input: bilinear resize to the bundle's input size, then a normalisation preset.
 * Pure (no TF.js): the same code runs in the browser worker, the CLI and the scoring worker.
 *
 * Resize: bilinear with half-pixel centres and clamped edges, no antialiasing — lib/imaging
 * `resizeBilinear`, the same sampling as TF.js `tf.image.resizeBilinear(x, size, false, true)`,
 * OpenCV INTER_LINEAR and skimage `resize(order=1, mode='edge', anti_aliasing=False)`. The resize
 * runs on the raw 0–255 values, then the preset is applied (both are affine per pixel, so the
 * order only affects float rounding). Alpha is ignored (not composited).
 *
 * Presets (Keras `imagenet_utils.preprocess_input` modes, torchvision for "imagenet-torch"):
 *  - unit:            x / 255                                       (the demo model)
 *  - inception:       x / 127.5 − 1                                 (Keras mode "tf")
 *  - imagenet-torch:  (x / 255 − mean) / std, RGB, mean [0.485, 0.456, 0.406],
 *                     std [0.229, 0.224, 0.225]                     (Keras mode "torch", torchvision)
 *  - imagenet-caffe:  channels reordered to BGR, minus [103.939, 116.779, 123.68] (B, G, R), no
 *                     scaling                                       (Keras mode "caffe", VGG16/ResNet50)
 * Output: Float32Array, HWC (index (y·w + x)·3 + c), 3 channels.
 */
import { resizeBilinear } from '@/lib/imaging/resize';
import type { Preprocessing } from './bundle-core';

/** torchvision ImageNet statistics (RGB, on x/255). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
/** Keras caffe-mode ImageNet means, in B, G, R order, on 0–255 values. */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

const CHANNELS = 3;

/** Maps one resized 0–255 value of RGB channel `c` to output channel and value. */
function normaliser(preset: Preprocessing): { channel: (c: number) => number; value: (x: number, c: number) => number } {
  switch (preset) {
    case 'unit':
      return { channel: (c) => c, value: (x) => x / 255 };
    case 'inception':
      return { channel: (c) => c, value: (x) => x / 127.5 - 1 };
    case 'imagenet-torch':
      return { channel: (c) => c, value: (x, c) => (x / 255 - (IMAGENET_MEAN[c] as number)) / (IMAGENET_STD[c] as number) };
    case 'imagenet-caffe':
      // Output channel 2 − c holds RGB channel c; BGR channel 2 − c has mean CAFFE_MEAN_BGR[2 − c].
      return { channel: (c) => 2 - c, value: (x, c) => x - (CAFFE_MEAN_BGR[2 - c] as number) };
  }
}

/**
 * RGBA bytes (row-major, 4 per pixel) of a width×height image → HWC float32 model input of
 * `inputSize` = [height, width].
 */
export function preprocess(
  rgba: Uint8Array,
  width: number,
  height: number,
  preset: Preprocessing,
  inputSize: readonly [number, number],
): Float32Array {
  const [outH, outW] = inputSize;
  if (![width, height, outW, outH].every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`preprocess: sizes must be positive integers, got image ${width}x${height}, input ${outW}x${outH}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new Error(`preprocess: rgba has ${rgba.length} bytes, expected ${width}x${height}x4 = ${width * height * 4}`);
  }
  const { channel, value } = normaliser(preset);
  const out = new Float32Array(outW * outH * CHANNELS);
  const plane = new Float64Array(width * height);
  for (let c = 0; c < CHANNELS; c++) {
    for (let i = 0; i < plane.length; i++) plane[i] = rgba[i * 4 + c] as number;
    const resized = width === outW && height === outH ? plane : resizeBilinear({ width, height, data: plane }, outW, outH).data;
    const o = channel(c);
    for (let i = 0; i < outW * outH; i++) out[i * CHANNELS + o] = value(resized[i] as number, c);
  }
  return out;
}
