/**
 * DOM glue of the playground: decoding images to RGBA bytes exactly (no colour-space conversion,
 * no premultiplication, so a PNG gives the bytes pngjs gives in Node), painting RGBA to canvases,
 * and saving files. Browser-only; nothing here is uploaded anywhere.
 */
import type { Rgba } from '@/lib/explainers/browser/display';

export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly bitmap: ImageBitmap;
}

export async function decodeImage(blob: Blob, name: string): Promise<DecodedImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    throw new Error(`${name}: the browser cannot decode this image (${error instanceof Error ? error.message : String(error)})`);
  }
  return { width: bitmap.width, height: bitmap.height, bitmap };
}

function context(canvas: HTMLCanvasElement): CanvasRenderingContext2D {
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (ctx === null) throw new Error('this browser gives no 2D canvas');
  return ctx;
}

/** RGBA bytes of the bitmap drawn at width × height (its own size: the exact decoded bytes). */
export function bitmapRgba(bitmap: ImageBitmap, width = bitmap.width, height = bitmap.height): Rgba {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = context(canvas);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  return { width, height, data: ctx.getImageData(0, 0, width, height).data };
}

export function paint(canvas: HTMLCanvasElement, image: Rgba): void {
  canvas.width = image.width;
  canvas.height = image.height;
  context(canvas).putImageData(new ImageData(new Uint8ClampedArray(image.data), image.width, image.height), 0, 0);
}

/** Strokes SVG path data (pixel-centre coordinates) with a dark halo so it shows on any image. */
export function strokePaths(canvas: HTMLCanvasElement, paths: readonly { fraction: number; d: string }[]): void {
  const ctx = context(canvas);
  ctx.lineJoin = 'round';
  for (const { fraction, d } of paths) {
    if (d === '') continue;
    const path = new Path2D(d);
    ctx.strokeStyle = 'rgba(0, 0, 0, 0.6)';
    ctx.lineWidth = 2.5 + 2 * fraction;
    ctx.stroke(path);
    ctx.strokeStyle = 'white';
    ctx.lineWidth = 1 + 2 * fraction;
    ctx.stroke(path);
  }
}

/** One PNG with the canvases side by side. */
export function composePng(canvases: readonly HTMLCanvasElement[]): Promise<Blob> {
  const out = document.createElement('canvas');
  out.width = canvases.reduce((w, c) => w + c.width, 0);
  out.height = Math.max(...canvases.map((c) => c.height));
  const ctx = context(out);
  let x = 0;
  for (const c of canvases) {
    ctx.drawImage(c, x, 0);
    x += c.width;
  }
  return new Promise((resolve, reject) => out.toBlob((b) => (b === null ? reject(new Error('could not encode the PNG')) : resolve(b)), 'image/png'));
}

export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** File stem for downloads: the name without its extension, unsafe characters replaced. */
export function fileStem(name: string): string {
  return name.replace(/\.[^.]*$/, '').replace(/[^\w.-]+/g, '_') || 'image';
}
