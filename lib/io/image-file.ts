/**
 * Reads an image file from disk as RGBA bytes, for the CLI and server-side checks.
 *
 * The format is recognised from the file's first bytes, not its name. PNG is decoded with pngjs
 * (lib/io/png.ts; 16-bit channels are scaled to 8 bits, grey and palette images expanded to RGBA).
 * JPEG is decoded with `sharp` when it is installed (it comes with Next.js as an optional
 * dependency; no pure-JS JPEG decoder is installed here); EXIF orientation is not applied, as
 * PIL's `Image.open` does not apply it either. Anything else is refused with the list of
 * supported formats.
 */
import { readFile } from 'node:fs/promises';
import { decodePng } from './png';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, row-major. */
  readonly rgba: Uint8Array;
}

export const SUPPORTED_IMAGE_FORMATS = 'PNG, JPEG';

/** An image file that cannot be read or decoded; the message names the file. */
export class ImageFileError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ImageFileError';
  }
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_SIGNATURE = [0xff, 0xd8, 0xff];

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

/** The part of sharp's API used here, so that sharp stays an optional run-time dependency. */
interface SharpLike {
  ensureAlpha(): SharpLike;
  raw(): SharpLike;
  toBuffer(options: { resolveWithObject: true }): Promise<{ data: Uint8Array; info: { width: number; height: number; channels: number } }>;
}

/** sharp's factory, or why it cannot be loaded. */
async function loadSharp(): Promise<((input: Uint8Array) => SharpLike) | string> {
  const name = 'sharp';
  try {
    const mod = (await import(name)) as { default?: unknown };
    return typeof mod.default === 'function' ? (mod.default as (input: Uint8Array) => SharpLike) : 'unexpected module shape';
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

async function decodeJpeg(file: string, bytes: Uint8Array): Promise<DecodedImage> {
  const sharp = await loadSharp();
  if (typeof sharp === 'string') {
    throw new ImageFileError(`${file}: JPEG needs the optional 'sharp' package, which cannot be loaded here (${sharp}); convert the image to PNG`);
  }
  const { data, info } = await sharp(bytes).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== 4) throw new ImageFileError(`${file}: JPEG decoded to ${info.channels} channels, expected RGBA`);
  return { width: info.width, height: info.height, rgba: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

/** Decodes PNG or JPEG bytes; `name` is used in error messages. */
export async function decodeImage(bytes: Uint8Array, name: string): Promise<DecodedImage> {
  let image: DecodedImage;
  try {
    if (startsWith(bytes, PNG_SIGNATURE)) {
      const png = decodePng(bytes);
      image = { width: png.width, height: png.height, rgba: png.data };
    } else if (startsWith(bytes, JPEG_SIGNATURE)) {
      image = await decodeJpeg(name, bytes);
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
