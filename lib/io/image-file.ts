/**
 * Reads an image file from disk (or bytes) as RGBA, for the CLI, the explainers and server-side checks.
 *
 * The format is recognised from the file's first bytes, not its name. PNG is decoded with pngjs
 * (lib/io/png.ts; 16-bit channels are scaled to 8 bits, grey and palette images expanded to RGBA).
 * JPEG and WebP are decoded with `sharp` (a declared dependency; prebuilt libvips binaries).
 * EXIF orientation is not applied, as PIL's `Image.open` does not apply it either. Images above
 * MAX_IMAGE_PIXELS are refused before their pixels are decoded (decompression bombs). Anything
 * else is refused with the list of supported formats.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { decodePng, readPngSize } from './png';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, row-major. */
  readonly rgba: Uint8Array;
}

export const SUPPORTED_IMAGE_FORMATS = 'PNG, JPEG, WebP';

/** Largest image accepted, in pixels (≈ 40 megapixels, e.g. 8000×5000). */
export const MAX_IMAGE_PIXELS = 40_000_000;

/** An image file that cannot be read or decoded; the message names the file. */
export class ImageFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageFileError';
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];
const RIFF = [0x52, 0x49, 0x46, 0x46];
const WEBP = [0x57, 0x45, 0x42, 0x50];

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return bytes.length >= offset + signature.length && signature.every((b, i) => bytes[offset + i] === b);
}

/** The image format of `bytes` from its signature, or null. */
export function sniffImageFormat(bytes: Uint8Array): 'png' | 'jpeg' | 'webp' | null {
  if (startsWith(bytes, PNG_SIGNATURE)) return 'png';
  if (startsWith(bytes, JPEG_SIGNATURE)) return 'jpeg';
  if (startsWith(bytes, RIFF) && startsWith(bytes, WEBP, 8)) return 'webp';
  return null;
}

function checkPixelCount(name: string, width: number, height: number): void {
  if (width * height > MAX_IMAGE_PIXELS) {
    throw new ImageFileError(`${name}: image is ${width}x${height} = ${width * height} pixels, more than the limit of ${MAX_IMAGE_PIXELS}`);
  }
}

async function decodeWithSharp(name: string, bytes: Uint8Array): Promise<DecodedImage> {
  const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  checkPixelCount(name, meta.width ?? 0, meta.height ?? 0);
  const { data, info } = await sharp(bytes, { limitInputPixels: MAX_IMAGE_PIXELS }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new ImageFileError(`${name}: decoded to ${info.channels} channels, expected RGBA`);
  return { width: info.width, height: info.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Decodes PNG, JPEG or WebP bytes; `name` is used in error messages. */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  let image: DecodedImage;
  try {
    const format = sniffImageFormat(bytes);
    if (format === 'png') {
      const size = readPngSize(bytes);
      checkPixelCount(name, size.width, size.height);
      const png = decodePng(bytes);
      image = { width: png.width, height: png.height, rgba: png.data };
    } else if (format === 'jpeg' || format === 'webp') {
      image = await decodeWithSharp(name, bytes);
    } else {
      throw new ImageFileError(`${name}: not a supported image (supported formats: ${SUPPORTED_IMAGE_FORMATS})`);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ImageFileError(reason.startsWith(name) ? reason : `${name}: cannot decode the image: ${reason}`, { cause: error });
  }
  if (image.width < 1 || image.height < 1) throw new ImageFileError(`${name}: image has no pixels (${image.width}x${image.height})`);
  return image;
}

/** Reads and decodes an image file. Throws an Error naming the file and the problem. */
export async function readImageFile(file: string): Promise<DecodedImage> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new ImageFileError(`${file}: cannot read: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return decodeImage(bytes, file);
}
