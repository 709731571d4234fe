/**
 * Adding images to a dataset from one upload request (issue 7, "Datasets"): several image files
 * and/or zip files as multipart/form-data, or one zip as the raw body.
 *
 * Order of work, so that bad input changes nothing:
 * 1. the body is streamed into a private work folder under DATA_DIR/tmp (caps: per file, per request);
 * 2. zips are extracted there with every zip limit (lib/io/zip-reader.ts);
 * 3. every image is sniffed and decoded (lib/io/image-check.ts), names and labels are checked,
 *    and names are compared with the dataset's — one failure refuses the whole upload;
 * 4. only then are the files renamed into the content-addressed store and the rows inserted in one
 *    transaction (db/queries/datasets.ts insertImages);
 * 5. the work folder is removed, whatever happened.
 * If step 4's transaction fails, the moved blobs stay as unreferenced content-addressed files
 * (harmless; the same bytes uploaded again reuse them).
 */
import { open, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Db } from '@/db/client';
import { existingImageNames, insertImages, type ImageRow, type NewImage } from '@/db/queries/datasets';
import { LabelMap, UploadImagesFields } from '@/lib/api/datasets';
import { labelFor, type LabelMode } from '@/lib/datasets/labels';
import { HttpError, parseWith } from '@/lib/http/errors';
import { receiveBodyToFile, receiveMultipart, type ReceivedFile } from '@/lib/http/multipart';
import { checkImageFile } from '@/lib/io/image-check';
import { ImageFileError } from '@/lib/io/image-file';
import { extractZip, ZipError } from '@/lib/io/zip-reader';
import { formatBytes, uploadLimits, type UploadLimits } from '@/lib/limits';
import { makeWorkDir, putBlobFile } from '@/lib/storage/blobs';

/** Files per multipart request. */
export const MAX_FILES_PER_REQUEST = 5000;
const MAX_NAME_LENGTH = 255;
const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];

interface Candidate {
  /** Image name in the dataset: the file name, or the path inside the zip. */
  name: string;
  file: string;
  bytes: number;
  sha256: string;
}

/** OS clutter inside zips that is skipped rather than refused. */
export function isJunkEntry(name: string): boolean {
  const base = name.slice(name.lastIndexOf('/') + 1);
  return name.startsWith('__MACOSX/') || base.startsWith('.') || base === 'Thumbs.db' || base === 'desktop.ini';
}

async function isZip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const head = new Uint8Array(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && ZIP_SIGNATURE.every((b, i) => head[i] === b);
  } finally {
    await handle.close();
  }
}

function zipHttpError(error: ZipError, zipName: string): HttpError {
  const tooBig = error.kind === 'too_many_entries' || error.kind === 'entry_too_large' || error.kind === 'too_large' || error.kind === 'compression_ratio';
  return new HttpError(tooBig ? 413 : 422, tooBig ? 'too_large' : 'invalid_zip', `${zipName}: ${error.message}`, 'files');
}

async function fromZip(zipFile: string, zipName: string, dir: string, limits: UploadLimits): Promise<Candidate[]> {
  await mkdir(dir);
  try {
    const entries = await extractZip(zipFile, dir, limits.zip, (name) => !isJunkEntry(name));
    return entries.map((e) => ({ name: e.name, file: e.path, bytes: e.bytes, sha256: e.sha256 }));
  } catch (error) {
    if (error instanceof ZipError) throw zipHttpError(error, zipName);
    throw error;
  }
}

function checkName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (name === '' || name.length > MAX_NAME_LENGTH || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new HttpError(400, 'invalid_request', `'${name.slice(0, 80)}' is not a usable image name (1–${MAX_NAME_LENGTH} printable characters)`, 'files');
  }
}

function parseLabels(text: string | undefined): Record<string, string | null> | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'invalid_request', 'labels must be a JSON object {"<image name>": "<class>"}', 'labels');
  }
  const parsed = LabelMap.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, 'invalid_request', `labels${issue?.path.length ? `["${issue.path.join('.')}"]` : ''}: ${issue?.message ?? 'invalid'}`, 'labels');
  }
  return parsed.data;
}

async function receive(request: Request, work: string, limits: UploadLimits): Promise<{ candidates: Candidate[]; mode: LabelMode; labels?: Record<string, string | null> }> {
  const type = request.headers.get('content-type') ?? '';
  if (/^application\/(zip|x-zip-compressed)\b/i.test(type)) {
    const query = parseWith(UploadImagesFields.pick({ labelMode: true }), Object.fromEntries(new URL(request.url).searchParams));
    const zip = path.join(/*turbopackIgnore: true*/ work, 'upload.zip');
    await receiveBodyToFile(request, zip, limits.maxUploadBytes, 'the zip file');
    return { candidates: await fromZip(zip, 'the zip file', path.join(/*turbopackIgnore: true*/ work, 'z'), limits), mode: query.labelMode };
  }
  const received = await receiveMultipart(
    request,
    { maxFileBytes: Math.max(limits.maxImageBytes, limits.maxUploadBytes), maxTotalBytes: limits.maxUploadBytes, maxFiles: MAX_FILES_PER_REQUEST },
    (_filename, index) => path.join(/*turbopackIgnore: true*/ work, `f${index}`),
  );
  const fields = parseWith(UploadImagesFields, received.fields);
  const candidates: Candidate[] = [];
  for (const [i, f] of received.files.entries()) candidates.push(...(await fromUploadedFile(f, i, work, limits)));
  if (candidates.length === 0) throw new HttpError(400, 'invalid_request', 'no image files in the upload', 'files');
  return { candidates, mode: fields.labelMode, labels: parseLabels(fields.labels) };
}

async function fromUploadedFile(f: ReceivedFile, index: number, work: string, limits: UploadLimits): Promise<Candidate[]> {
  const name = f.filename.replace(/\\/g, '/').split('/').pop() ?? '';
  if (await isZip(f.path)) return fromZip(f.path, name || 'zip file', path.join(/*turbopackIgnore: true*/ work, `z${index}`), limits);
  if (f.bytes > limits.maxImageBytes) {
    throw new HttpError(413, 'too_large', `${name}: ${formatBytes(f.bytes)}, more than the limit of ${formatBytes(limits.maxImageBytes)} per image`, 'files');
  }
  return [{ name, file: f.path, bytes: f.bytes, sha256: f.sha256 }];
}

/**
 * Receives, checks and stores the images of `request` into `datasetId`. Throws HttpError
 * (400/409/413/422) with nothing stored when anything is wrong.
 */
export async function addImagesFromRequest(db: Db, dataDir: string, datasetId: string, request: Request): Promise<ImageRow[]> {
  const limits = uploadLimits();
  const work = await makeWorkDir(dataDir, 'images');
  try {
    const { candidates, mode, labels } = await receive(request, work, limits);
    const seen = new Set<string>();
    for (const c of candidates) {
      checkName(c.name);
      if (seen.has(c.name)) throw new HttpError(409, 'name_conflict', `'${c.name}' appears twice in the upload`, 'files');
      seen.add(c.name);
    }
    for (const name of Object.keys(labels ?? {})) {
      if (!seen.has(name)) throw new HttpError(400, 'invalid_request', `labels: no uploaded image is named '${name}'`, 'labels');
    }
    const taken = await existingImageNames(db, datasetId, [...seen]);
    if (taken.length > 0) {
      const more = taken.length > 1 ? ` (and ${taken.length - 1} more)` : '';
      throw new HttpError(409, 'name_conflict', `the dataset already has an image named '${taken[0]}'${more}`, 'files');
    }
    const rows: NewImage[] = [];
    for (const c of candidates) {
      let checked;
      try {
        checked = await checkImageFile(c.file, c.name, limits.maxImagePixels);
      } catch (error) {
        if (error instanceof ImageFileError) throw new HttpError(422, 'invalid_image', error.message, 'files');
        throw error;
      }
      rows.push({ name: c.name, classLabel: labelFor(c.name, mode, labels), width: checked.width, height: checked.height, sha256: c.sha256, mimeType: checked.mimeType, bytes: c.bytes });
    }
    for (const c of candidates) await putBlobFile(dataDir, c.file, c.sha256);
    return await insertImages(db, datasetId, rows);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
