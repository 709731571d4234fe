/**
 * Checks an uploaded image file on disk before it is stored: the format comes from the file's
 * first bytes (never its name or the client's MIME type) and must be PNG, JPEG or WebP, and a name
 * ending in one of those formats' extensions must name the format the bytes are (a JPEG called
 * .png is refused, not relabelled: the name is shown and downloaded as is); the pixel
 * count is read from the header and refused above MAX_IMAGE_PIXELS before any pixel is decoded;
 * then the whole image is decoded once by sharp/libvips (streaming, without holding the RGBA
 * buffer: `stats()`), with sharp's default failOn 'warning', so truncated or corrupt files fail.
 */
import { open } from 'node:fs/promises';
import sharp from 'sharp';
import { ImageFileError, MAX_IMAGE_PIXELS, sniffImageFormat, SUPPORTED_IMAGE_FORMATS } from './image-file';

export interface CheckedImage {
  readonly format: 'png' | 'jpeg' | 'webp';
  readonly mimeType: 'image/png' | 'image/jpeg' | 'image/webp';
  readonly width: number;
  readonly height: number;
}

const MIME = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' } as const;
const SNIFF_BYTES = 16;
const FORMAT_OF_EXTENSION: Readonly<Record<string, CheckedImage['format']>> = { png: 'png', jpg: 'jpeg', jpeg: 'jpeg', jpe: 'jpeg', webp: 'webp' };

/** The format a name's extension claims (png, jpeg, webp), or null for other or no extensions. */
export function formatOfName(name: string): CheckedImage['format'] | null {
  const m = /\.([A-Za-z]+)$/.exec(name);
  return (m && FORMAT_OF_EXTENSION[(m[1] as string).toLowerCase()]) ?? null;
}

async function head(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = new Uint8Array(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Throws ImageFileError naming `name` when the file is not a usable image. */
export async function checkImageFile(file: string, name: string, maxPixels = MAX_IMAGE_PIXELS): Promise<CheckedImage> {
  const format = sniffImageFormat(await head(file));
  if (format === null) throw new ImageFileError(`${name}: not a supported image (supported formats: ${SUPPORTED_IMAGE_FORMATS})`);
  const named = formatOfName(name);
  if (named !== null && named !== format) {
    throw new ImageFileError(`${name}: a ${format.toUpperCase()} image named as ${named.toUpperCase()} (the extension must match the content)`);
  }
  let width: number;
  let height: number;
  try {
    const meta = await sharp(file, { limitInputPixels: false }).metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch (error) {
    throw new ImageFileError(`${name}: cannot read the ${format.toUpperCase()} header: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (width < 1 || height < 1) throw new ImageFileError(`${name}: image has no pixels (${width}x${height})`);
  if (width * height > maxPixels) {
    throw new ImageFileError(`${name}: image is ${width}x${height} = ${width * height} pixels, more than the limit of ${maxPixels}`);
  }
  try {
    await sharp(file, { limitInputPixels: maxPixels, failOn: 'warning' }).stats();
  } catch (error) {
    throw new ImageFileError(`${name}: cannot decode the ${format.toUpperCase()} image: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { format, mimeType: MIME[format], width, height };
}
