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
 *  - teachable-machine: what @teachablemachine/image 0.8.5 does at inference (`predict`,
 *                     src/custom-mobilenet.ts lines 257–262): `cropTo` (src/utils/canvas.ts lines
 *                     42–72) scales the image so its shorter side is the input size, rounding the
 *                     scaled width and height *up* (`Math.ceil`), and draws it onto a size×size
 *                     canvas at offset −⌊(scaled − size)/2⌋ (`~~(dx / 2)`), i.e. a centre crop;
 *                     the canvas holds 0–255 bytes; then `capture` (src/utils/tf.ts line 38)
 *                     computes `x.toFloat().div(127).sub(1)` in float32 — x/127 − 1, range
 *                     [−1, 1.0079], *not* Keras's x/127.5 − 1 ("inception", which stays Keras's).
 *                     Here: the same scaled size and offset (the same float expressions), our
 *                     bilinear resize onto that grid, values rounded to bytes as the canvas stores
 *                     them, then x/127 − 1 in float32 (Math.fround at each step, as tfjs does).
 *                     An image already at the input size is exactly TM's input; a resized one
 *                     differs only by the browser's drawImage filter (not specified by the HTML
 *                     standard). The model input then covers the centre crop only (see
 *                     `teachableMachineCrop`); `inputMapInImageFrame` puts a map made at the
 *                     input size back where the crop came from (the scoring worker uses it).
 * Output: Float32Array, HWC (index (y·w + x)·3 + c), 3 channels.
 */
import { resizeBilinear } from '@/lib/imaging/resize';
import type { Grid } from '@/lib/metrics/types';
import type { Preprocessing } from './bundle-core';

/** torchvision ImageNet statistics (RGB, on x/255). */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const;
/** Keras caffe-mode ImageNet means, in B, G, R order, on 0–255 values. */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;

const CHANNELS = 3;
/** Teachable Machine's divisor: `div(tf.scalar(127))` in @teachablemachine/image src/utils/tf.ts line 38. */
export const TEACHABLE_MACHINE_DIVISOR = 127;

/** Where Teachable Machine's `cropTo` draws a width×height image for an outW×outH input: the scaled size and the crop offset in it. */
export interface CropFrame {
  readonly scaledWidth: number;
  readonly scaledHeight: number;
  readonly x0: number;
  readonly y0: number;
}

/**
 * Teachable Machine's centre crop (src/utils/canvas.ts `cropTo`, lines 55–63, same expressions):
 * scale = size / min(width, height), scaled sizes rounded up, offsets ⌊(scaled − size)/2⌋. TM's
 * input is square; for a non-square input the larger of the two scales ("cover") is used.
 */
export function teachableMachineCrop(width: number, height: number, outW: number, outH: number): CropFrame {
  const scale = outW === outH ? outW / Math.min(width, height) : Math.max(outW / width, outH / height);
  const scaledWidth = Math.ceil(width * scale);
  const scaledHeight = Math.ceil(height * scale);
  return { scaledWidth, scaledHeight, x0: Math.trunc((scaledWidth - outW) / 2), y0: Math.trunc((scaledHeight - outH) / 2) };
}

/**
 * A map made at the model input size (outW×outH) in the frame of the width×height image it
 * explains. "teachable-machine": the input is the centre crop of the scaled image, so the map is
 * pasted at the crop's place in the scaled frame, zeros elsewhere (the model never saw those
 * pixels), and the frame is resized to the image (bilinear, half-pixel centres). Other presets:
 * the input is the whole image, and the map is resized to it. A map already at the image size is
 * returned as it is.
 */
export function inputMapInImageFrame(map: Grid, preset: Preprocessing, width: number, height: number): Grid {
  if (map.width === width && map.height === height) return map;
  if (preset !== 'teachable-machine') return resizeBilinear(map, width, height);
  const f = teachableMachineCrop(width, height, map.width, map.height);
  const frame = new Float64Array(f.scaledWidth * f.scaledHeight);
  for (let y = 0; y < map.height; y++) {
    for (let x = 0; x < map.width; x++) frame[(y + f.y0) * f.scaledWidth + x + f.x0] = map.data[y * map.width + x] as number;
  }
  return resizeBilinear({ width: f.scaledWidth, height: f.scaledHeight, data: frame }, width, height);
}

/**
 * The inverse of `inputMapInImageFrame`: a map at the width×height image's size in the frame of
 * the outW×outH model input. "teachable-machine": resized to the scaled frame and cut at the
 * centre crop (the pixels the model sees); other presets: resized to the input. A map already at
 * the input size is returned as it is (it is taken to be made at the input).
 */
export function imageMapInInputFrame(map: Grid, preset: Preprocessing, outW: number, outH: number): Grid {
  if (map.width === outW && map.height === outH) return map;
  if (preset !== 'teachable-machine') return resizeBilinear(map, outW, outH);
  const f = teachableMachineCrop(map.width, map.height, outW, outH);
  const scaled = f.scaledWidth === map.width && f.scaledHeight === map.height ? map.data : resizeBilinear(map, f.scaledWidth, f.scaledHeight).data;
  const out = new Float64Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) out[y * outW + x] = scaled[(y + f.y0) * f.scaledWidth + x + f.x0] as number;
  }
  return { width: outW, height: outH, data: out };
}

/**
 * One 0–255 channel plane of a width×height image as the outW×outH model input holds it before
 * normalisation: Teachable Machine's scale + centre crop (bytes) for "teachable-machine", a
 * bilinear resize otherwise. What perturbation methods that work in pixel space (LIME's
 * segmentation) must see, so that their segments are the pixels the model sees.
 */
export function inputPlane(plane: Float64Array, width: number, height: number, preset: Preprocessing, outW: number, outH: number): Float64Array {
  if (preset === 'teachable-machine') return teachableMachinePlane(plane, width, height, outW, outH);
  return width === outW && height === outH ? plane : resizeBilinear({ width, height, data: plane }, outW, outH).data;
}

/** One channel plane resized and cropped as Teachable Machine's canvas holds it (bytes). */
function teachableMachinePlane(plane: Float64Array, width: number, height: number, outW: number, outH: number): Float64Array {
  const f = teachableMachineCrop(width, height, outW, outH);
  if (f.scaledWidth === width && f.scaledHeight === height && f.x0 === 0 && f.y0 === 0) return plane;
  const scaled = resizeBilinear({ width, height, data: plane }, f.scaledWidth, f.scaledHeight).data;
  const out = new Float64Array(outW * outH);
  for (let y = 0; y < outH; y++) {
    for (let x = 0; x < outW; x++) out[y * outW + x] = Math.min(255, Math.max(0, Math.round(scaled[(y + f.y0) * f.scaledWidth + x + f.x0] as number)));
  }
  return out;
}

/** Maps one resized 0–255 value of RGB channel `c` to output channel and value. */
function normaliser(preset: Preprocessing): { channel: (c: number) => number; value: (x: number, c: number) => number } {
  switch (preset) {
    case 'unit':
      return { channel: (c) => c, value: (x) => x / 255 };
    case 'inception':
      return { channel: (c) => c, value: (x) => x / 127.5 - 1 };
    case 'teachable-machine':
      return { channel: (c) => c, value: (x) => Math.fround(Math.fround(x / TEACHABLE_MACHINE_DIVISOR) - 1) };
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
    const resized =
      preset === 'teachable-machine' ? teachableMachinePlane(plane, width, height, outW, outH)
        : width === outW && height === outH ? plane : resizeBilinear({ width, height, data: plane }, outW, outH).data;
    const o = channel(c);
    for (let i = 0; i < outW * outH; i++) out[i * CHANNELS + o] = value(resized[i] as number, c);
  }
  return out;
}
