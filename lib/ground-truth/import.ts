/**
 * Import of a lab's existing ground truth (MIT1003-, CAT2000-, MexCulture142-style data), shared
 * by `POST /api/v1/datasets/{id}/ground-truth` and `npx gazebench import`.
 *
 *  - Fixations CSV, header `image,observer,x,y[,duration_ms]` (any column order, RFC 4180 quoting):
 *    x, y in image pixels inside the image; duration in ms (> 0, optional: 0 when absent). Every
 *    observer becomes one accepted gaze session of the chosen modality (default 'lab') with the
 *    stated pixels per degree (required: σ = 1° of visual angle = ppd image pixels). An observer
 *    label the dataset already has for that modality is refused (import under another label).
 *  - Density maps, one file per image, named after it (lib/ground-truth/names.ts): grayscale PNG
 *    8/16-bit (values at full depth) or NPY float16/float32/float64; the image's exact size; finite,
 *    non-negative, not all zero; normalised to sum 1 here. A map becomes the image's next version
 *    (source 'imported'); images with fixations but no map get a version computed from fixations.
 * Everything is validated before anything is written; the write is one transaction (all or nothing).
 * Errors are ImportError naming the field (fixations / maps / ppd / modality), the file, line or
 * image, and the reason.
 */
import type { Db } from '@/db/client';
import { datasetImages } from '@/db/queries/datasets';
import { applyGroundTruthImport, existingObserverLabels, type ImportPlan } from '@/db/queries/import';
import type { Modality } from '@/db/schema';
import { NpyError, readNpy } from '../io/npy';
import { decodePngGray } from '../io/png';
import type { Grid, Point } from '../metrics/types';
import { imageForFile, imageMatcher } from './names';

export const MAX_CSV_ROWS = 2_000_000;

export class ImportError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ImportError';
  }
}

export interface ImportImage {
  readonly id: string;
  readonly name: string;
  readonly width: number;
  readonly height: number;
}

export interface ParsedFixation extends Point {
  readonly imageId: string;
  readonly observer: string;
  readonly durationMs: number;
}

/** One CSV line into cells (double quotes, "" escapes a quote). */
export function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else cell += ch;
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

export function parseFixationsCsv(text: string, images: readonly ImportImage[], source = 'fixations CSV'): ParsedFixation[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const header = csvCells(lines[0] ?? '').map((h) => h.toLowerCase());
  const col = (name: string) => header.indexOf(name);
  for (const required of ['image', 'observer', 'x', 'y']) {
    if (col(required) < 0) throw new ImportError('fixations', `${source}: the header must name the columns image,observer,x,y[,duration_ms]; '${required}' is missing`);
  }
  const match = imageMatcher(images);
  const out: ParsedFixation[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === '') continue;
    if (out.length >= MAX_CSV_ROWS) throw new ImportError('fixations', `${source}: more than ${MAX_CSV_ROWS} rows`);
    const cells = csvCells(line);
    const where = `${source} line ${n + 1}`;
    const imageName = cells[col('image')] ?? '';
    const image = match(imageName);
    if (!image) throw new ImportError('fixations', `${where}: unknown image '${imageName}' (not in this dataset)`);
    const observer = cells[col('observer')] ?? '';
    if (observer === '' || observer.length > 100) throw new ImportError('fixations', `${where}: observer must be 1–100 characters`);
    const x = Number(cells[col('x')]);
    const y = Number(cells[col('y')]);
    if (cells[col('x')] === '' || cells[col('y')] === '' || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new ImportError('fixations', `${where}: x and y must be finite numbers, got '${cells[col('x')] ?? ''}', '${cells[col('y')] ?? ''}'`);
    }
    if (x < 0 || y < 0 || x >= image.width || y >= image.height) {
      throw new ImportError('fixations', `${where}: fixation (${x}, ${y}) is outside image '${image.name}' (${image.width}x${image.height})`);
    }
    const durationText = col('duration_ms') < 0 ? '' : (cells[col('duration_ms')] ?? '');
    const durationMs = durationText === '' ? 0 : Number(durationText);
    if (!Number.isFinite(durationMs) || durationMs < 0) throw new ImportError('fixations', `${where}: duration_ms must be a non-negative number, got '${durationText}'`);
    out.push({ imageId: image.id, observer, x, y, durationMs });
  }
  if (out.length === 0) throw new ImportError('fixations', `${source}: no fixation rows`);
  return out;
}

/** A density map file for one image, validated and normalised to sum 1. */
export function parseMapFile(fileName: string, bytes: Uint8Array, images: readonly ImportImage[]): { imageId: string; grid: Grid<Float64Array> } {
  const image = imageForFile(imageMatcher(images), fileName);
  if (!image) throw new ImportError('maps', `${fileName}: no image of this dataset is named after it`);
  let grid: Grid;
  try {
    if (/\.npy$/i.test(fileName)) grid = readNpy(bytes);
    else if (/\.png$/i.test(fileName)) grid = decodePngGray(bytes);
    else throw new ImportError('maps', `${fileName}: unsupported map format (PNG 8/16-bit grayscale or NPY float16/float32/float64)`);
  } catch (error) {
    if (error instanceof ImportError) throw error;
    const reason = error instanceof NpyError || error instanceof Error ? error.message : String(error);
    throw new ImportError('maps', `${fileName}: unreadable map (${reason})`);
  }
  if (grid.width !== image.width || grid.height !== image.height) {
    throw new ImportError('maps', `${fileName}: map is ${grid.width}x${grid.height}, image '${image.name}' is ${image.width}x${image.height}`);
  }
  const data = new Float64Array(grid.data.length);
  let sum = 0;
  for (let i = 0; i < data.length; i++) {
    const v = grid.data[i] as number;
    if (!Number.isFinite(v) || v < 0) throw new ImportError('maps', `${fileName}: value ${v} at x=${i % grid.width}, y=${Math.floor(i / grid.width)} (must be finite and ≥ 0)`);
    data[i] = v;
    sum += v;
  }
  if (!(sum > 0)) throw new ImportError('maps', `${fileName}: the map is all zeros`);
  for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) / sum;
  return { imageId: image.id, grid: { width: grid.width, height: grid.height, data } };
}

export interface ImportInput {
  readonly modality: Modality;
  readonly pixelsPerDegree?: number;
  readonly fixationsCsv?: { readonly name: string; readonly text: string };
  readonly maps?: readonly { readonly name: string; readonly bytes: Uint8Array }[];
}

export interface ImportSummary {
  readonly observers: number;
  readonly fixations: number;
  readonly maps: number;
  readonly versions: readonly { imageId: string; imageName: string; version: number; changed: boolean }[];
}

export async function importGroundTruth(db: Db, datasetId: string, input: ImportInput): Promise<ImportSummary> {
  const images = await datasetImages(db, datasetId);
  if (!input.fixationsCsv && (!input.maps || input.maps.length === 0)) throw new ImportError('fixations', 'nothing to import: give a fixations CSV and/or density map files');
  const fixations = input.fixationsCsv ? parseFixationsCsv(input.fixationsCsv.text, images, input.fixationsCsv.name) : [];
  if (fixations.length > 0 && !(input.pixelsPerDegree !== undefined && Number.isFinite(input.pixelsPerDegree) && input.pixelsPerDegree > 0)) {
    throw new ImportError('ppd', 'fixations need the pixels per degree of visual angle of the images as shown (a positive number)');
  }
  const maps = (input.maps ?? []).map((m) => parseMapFile(m.name, m.bytes, images));
  const seen = new Set<string>();
  for (const [k, m] of maps.entries()) {
    if (seen.has(m.imageId)) throw new ImportError('maps', `${input.maps?.[k]?.name}: a second map for the same image`);
    seen.add(m.imageId);
  }
  const labels = [...new Set(fixations.map((f) => f.observer))];
  const taken = await existingObserverLabels(db, datasetId, input.modality);
  const clash = labels.find((l) => taken.has(l));
  if (clash !== undefined) throw new ImportError('fixations', `observer '${clash}' already has ${input.modality} data on this dataset; import under another label`);
  const plan: ImportPlan = { datasetId, modality: input.modality, pixelsPerDegree: input.pixelsPerDegree ?? null, fixations, maps };
  const written = await db.transaction((tx) => applyGroundTruthImport(tx, plan));
  const names = new Map(images.map((i) => [i.id, i.name]));
  return {
    observers: labels.length,
    fixations: fixations.length,
    maps: maps.length,
    versions: written.map((w) => ({ ...w, imageName: names.get(w.imageId) ?? w.imageId })),
  };
}
