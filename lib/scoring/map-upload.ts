/**
 * Saliency maps arriving for a run (`POST /api/v1/runs/{id}/maps`, `gazebench submit`), decoded
 * and validated before anything is stored:
 *  - JSON `{imageId | imageName, width, height, data}` (row-major numbers), one map;
 *  - an NPY body (2-D float16/float32/float64, lib/io/npy) with `?image=<id or name>`, one map;
 *  - a zip of NPY files named after their images (lib/ground-truth/names.ts), read with caps.
 * Rules: the image belongs to the run's dataset; the map's size is the image's or the model's input
 * size (what explainers produce; it is resized to the image size for ground-truth metrics and to the
 * input size for insertion/deletion); every value finite. The first problem is a MapUploadError
 * naming the image or file and the reason; the caller stores nothing of a failed upload.
 * A JSON map may carry the browser's insertion/deletion curves (`curves`, lib/scoring/client-curves.ts).
 */
import { z } from 'zod';
import { imageForFile, imageMatcher } from '../ground-truth/names';
import { NpyError, readNpy } from '../io/npy';
import { readZip, ZipError } from '../io/zip';
import type { Grid } from '../metrics/types';
import { checkClientCurves, ClientCurvesError, ClientCurvesSchema, type ClientCurves, type CurveExpectation } from './client-curves';

export const MAX_MAP_SIDE = 8192;
export const ZIP_LIMITS = { maxEntries: 10_000, maxEntryBytes: 64 * 1024 * 1024, maxTotalBytes: 512 * 1024 * 1024 } as const;

export class MapUploadError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'MapUploadError';
  }
}

export interface UploadImage {
  readonly id: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
}

export interface UploadContext {
  readonly images: readonly UploadImage[];
  readonly inputSize: { readonly width: number; readonly height: number };
  /** What uploaded curves must match; null or absent: the run takes no curves. */
  readonly curves?: CurveExpectation | null;
}

export interface ValidMap {
  readonly imageId: string;
  readonly imageName: string;
  readonly grid: Grid<Float32Array>;
  readonly curves?: ClientCurves;
}

export const JsonMap = z
  .object({
    imageId: z.uuid().optional(),
    imageName: z.string().min(1).optional(),
    width: z.number().int().positive().max(MAX_MAP_SIDE),
    height: z.number().int().positive().max(MAX_MAP_SIDE),
    // Non-finite numbers cannot be written in JSON; null (what NaN serialises to) is caught below.
    data: z.array(z.number().nullable()),
    classIndex: z.number().int().nonnegative().optional(),
    curves: ClientCurvesSchema.optional(),
  })
  .refine((m) => (m.imageId === undefined) !== (m.imageName === undefined), { message: 'give exactly one of imageId and imageName', path: ['imageId'] });

function findImage(context: UploadContext, key: string, field: string): UploadImage {
  const image = context.images.find((i) => i.id === key) ?? imageMatcher(context.images)(key);
  if (!image) throw new MapUploadError(field, `image '${key}' is not in this run's dataset`);
  return image;
}

/** Size and finiteness of one map; returns it as float32 (the stored precision). */
export function checkMap(image: UploadImage, grid: Grid, context: UploadContext, source: string): ValidMap {
  const sizes = [`${image.width}x${image.height} (image)`, `${context.inputSize.width}x${context.inputSize.height} (model input)`];
  const okImage = grid.width === image.width && grid.height === image.height;
  const okInput = grid.width === context.inputSize.width && grid.height === context.inputSize.height;
  if (!okImage && !okInput) {
    throw new MapUploadError('size', `${source}: map for image '${image.name}' is ${grid.width}x${grid.height}; expected ${sizes.join(' or ')}`);
  }
  const data = new Float32Array(grid.data.length);
  for (let i = 0; i < data.length; i++) {
    const v = grid.data[i] as number;
    if (!Number.isFinite(v) || !Number.isFinite(Math.fround(v))) {
      throw new MapUploadError('data', `${source}: map for image '${image.name}' has a non-finite value (${v}) at x=${i % grid.width}, y=${Math.floor(i / grid.width)}`);
    }
    data[i] = v;
  }
  return { imageId: image.id, imageName: image.name, grid: { width: grid.width, height: grid.height, data } };
}

export function parseJsonMap(value: unknown, context: UploadContext): ValidMap {
  const parsed = JsonMap.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new MapUploadError(issue?.path.join('.') || 'body', issue?.message ?? 'not a map {imageId|imageName, width, height, data}');
  }
  const m = parsed.data;
  const key = m.imageId ?? m.imageName ?? '';
  const image = findImage(context, key, m.imageId === undefined ? 'imageName' : 'imageId');
  if (m.data.length !== m.width * m.height) {
    throw new MapUploadError('data', `map for image '${image.name}' has ${m.data.length} values, expected ${m.width}x${m.height} = ${m.width * m.height}`);
  }
  const data = Float64Array.from(m.data, (v) => (v === null ? Number.NaN : v));
  const map = checkMap(image, { width: m.width, height: m.height, data }, context, 'JSON map');
  if (m.curves === undefined) return map;
  try {
    return { ...map, curves: checkClientCurves(m.curves, context.curves ?? null) };
  } catch (error) {
    if (error instanceof ClientCurvesError) throw new MapUploadError(error.field, `map for image '${image.name}': ${error.message}`);
    throw error;
  }
}

function npyGrid(bytes: Uint8Array, source: string): Grid {
  try {
    return readNpy(bytes);
  } catch (error) {
    if (error instanceof NpyError) throw new MapUploadError('body', `${source}: ${error.message}`);
    throw error;
  }
}

export function parseNpyMap(bytes: Uint8Array, imageKey: string | null, context: UploadContext): ValidMap {
  if (!imageKey) throw new MapUploadError('image', 'an NPY body needs ?image=<image id or name>');
  const image = findImage(context, imageKey, 'image');
  return checkMap(image, npyGrid(bytes, `NPY for '${image.name}'`), context, 'NPY map');
}

export async function parseZipMaps(bytes: Uint8Array, context: UploadContext): Promise<ValidMap[]> {
  let entries;
  try {
    entries = await readZip(bytes, ZIP_LIMITS);
  } catch (error) {
    if (error instanceof ZipError) throw new MapUploadError('body', error.message);
    throw error;
  }
  if (entries.length === 0) throw new MapUploadError('body', 'the zip archive holds no files');
  const match = imageMatcher(context.images);
  const seen = new Set<string>();
  return entries.map((entry) => {
    if (!/\.npy$/i.test(entry.name)) throw new MapUploadError('body', `${entry.path}: only .npy files named after images are accepted`);
    const image = imageForFile(match, entry.name);
    if (!image) throw new MapUploadError('image', `${entry.path}: image '${entry.name.replace(/\.npy$/i, '')}' is not in this run's dataset`);
    if (seen.has(image.id)) throw new MapUploadError('image', `${entry.path}: a second map for image '${image.name}'`);
    seen.add(image.id);
    return checkMap(image, npyGrid(entry.bytes, entry.path), context, entry.path);
  });
}
