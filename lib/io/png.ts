/**
 * PNG encode/decode (pngjs, pure JS) for server and CLI code. Grayscale 8/16-bit
 * and RGB(A) are decoded to RGBA8 or to a float grid of the luminance channel.
 */
import { PNG } from 'pngjs';

export interface RgbaImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, row-major. */
  data: Uint8Array;
}

export function encodePng(image: RgbaImage): Buffer {
  const png = new PNG({ width: image.width, height: image.height });
  png.data = Buffer.from(image.data.buffer, image.data.byteOffset, image.data.byteLength);
  return PNG.sync.write(png);
}

export function decodePng(bytes: Uint8Array): RgbaImage {
  const png = PNG.sync.read(Buffer.from(bytes));
  return { width: png.width, height: png.height, data: new Uint8Array(png.data) };
}

/**
 * Decode a grayscale PNG (8- or 16-bit) to a Float64 grid keeping full depth
 * (values 0..255 or 0..65535). Colour PNGs use the red channel.
 */
export function decodePngGray(bytes: Uint8Array): { width: number; height: number; data: Float64Array } {
  const png = PNG.sync.read(Buffer.from(bytes), { skipRescale: true });
  const { width, height } = png;
  const out = new Float64Array(width * height);
  const src = png.data as unknown as ArrayLike<number>;
  const channels = src.length / (width * height);
  for (let i = 0; i < width * height; i++) out[i] = src[i * channels] ?? 0;
  return { width, height, data: out };
}

/** Width and height from a PNG's IHDR chunk, without decoding pixels (to refuse huge images early). */
export function readPngSize(bytes: Uint8Array): { width: number; height: number } {
  if (bytes.length < 24) throw new Error('PNG is truncated before its IHDR chunk');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/**
 * A 16-bit grayscale PNG (colour type 0, bit depth 16) from values 0..65535, row-major. pngjs
 * takes the samples as a Uint16Array view in the machine's byte order and writes them big-endian.
 */
export function encodePngGray16(width: number, height: number, values: Uint16Array): Buffer {
  if (values.length !== width * height) throw new Error(`png: ${values.length} values for ${width}x${height}`);
  const options = { bitDepth: 16, colorType: 0, inputColorType: 0, inputHasAlpha: false } as const;
  const png = new PNG({ width, height, ...options });
  png.data = Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  return PNG.sync.write(png, options);
}
