/**
 * Read a map (saliency map, density map, baseline) from a file for the CLI and scripts.
 * The format follows the extension:
 *  - `.npy`: 2-D little-endian float16/float32/float64, C order (lib/io/npy.ts);
 *  - `.png`: grayscale 8- or 16-bit, values kept at full depth (0..255 or 0..65535; colour PNGs
 *    use the red channel), via `decodePngGray` — metrics that need a scale normalise themselves;
 *  - `.json`: `{"width", "height", "data": [numbers, row-major]}` (the bundle's Grid).
 * Errors are `GridFileError` (or `NpyError`) naming the file and the problem; a missing or
 * unreadable file keeps Node's error (code ENOENT, EACCES, ...).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { z } from 'zod';
import type { Grid } from '../metrics/types';
import { NpyError, readNpy } from './npy';
import { decodePngGray } from './png';

export class GridFileError extends Error {
  constructor(path: string, reason: string) {
    super(`${path}: ${reason}`);
    this.name = 'GridFileError';
  }
}

const gridJson = z
  .object({
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    data: z.array(z.number()),
  })
  .refine((g) => g.data.length === g.width * g.height, { message: 'data length must equal width*height', path: ['data'] });

/** Validate an already-parsed JSON value as a Grid; `source` names it in errors. */
export function gridFromJson(value: unknown, source: string): Grid<Float64Array> {
  const parsed = gridJson.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${issue.path.join('.')}`;
    throw new GridFileError(source, `not a grid {width, height, data}${where}: ${issue?.message ?? 'invalid'}`);
  }
  const { width, height, data } = parsed.data;
  return { width, height, data: Float64Array.from(data) };
}

export async function readGridFile(path: string): Promise<Grid> {
  const extension = extname(path).toLowerCase();
  if (extension !== '.npy' && extension !== '.png' && extension !== '.json') {
    throw new GridFileError(path, `unsupported extension '${extension}' (use .npy, .png or .json)`);
  }
  const bytes = await readFile(path);
  if (extension === '.npy') {
    try {
      return readNpy(bytes);
    } catch (error) {
      if (error instanceof NpyError) throw new GridFileError(path, error.message);
      throw error;
    }
  }
  if (extension === '.png') {
    try {
      return decodePngGray(bytes);
    } catch (error) {
      throw new GridFileError(path, `not a readable PNG (${error instanceof Error ? error.message : String(error)})`);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new GridFileError(path, `invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  return gridFromJson(value, path);
}
