import { getDb } from '@/db/client';
import { datasetImages } from '@/db/queries/datasets';
import { existingMapImages, getRunContext, insertSaliencyMaps } from '@/db/queries/runs';
import { IdParams } from '@/lib/api/common';
import { UploadMapsQuery } from '@/lib/api/runs';
import { canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { enqueueRunWork } from '@/lib/jobs/scoring';
import { getQueue } from '@/lib/jobs/queue';
import { BodyTooLargeError, mediaType, readBody } from '@/lib/http/body';
import { apiError, notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableRun } from '@/lib/http/resources';
import { curveExpectation } from '@/lib/scoring/client-curves';
import { MapUploadError, parseJsonMap, parseNpyMap, parseZipMaps, type UploadContext, type ValidMap } from '@/lib/scoring/map-upload';
import { runProgress } from '@/lib/scoring/progress';

export const dynamic = 'force-dynamic';

const MAX_SINGLE_BYTES = 64 * 1024 * 1024;
const MAX_ZIP_BYTES = 256 * 1024 * 1024;

/**
 * Saliency maps for a run: one JSON grid or one NPY body (?image=) per request, or a zip of NPY
 * files named by image. Everything is validated first (lib/scoring/map-upload.ts); a bad upload
 * stores nothing. Stored maps are scored by the `run.score` job (and evaluated when the run asks).
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(() => uploadMaps(req, ctx));
}

async function uploadMaps(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = parseWith(IdParams, await ctx.params);
  const query = parseWith(UploadMapsQuery, Object.fromEntries(new URL(req.url).searchParams));
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'write' });
  if (actor instanceof Response) return actor;
  const context = await readableRun(db, actor, id);
  if (!context) return notFound('run');
  if (!canWrite(actor, context.run)) return apiError(403, 'forbidden', 'only the run owner may add maps to it');

  const images = await datasetImages(db, context.run.datasetId);
  const upload: UploadContext = { images, inputSize: { width: context.model.inputWidth, height: context.model.inputHeight }, curves: curveExpectation(context.run, context.model) };
  const type = mediaType(req);
  let maps: ValidMap[];
  try {
    if (type === 'application/json') {
      const text = new TextDecoder().decode(await readBody(req, MAX_SINGLE_BYTES));
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        return apiError(400, 'invalid_request', 'body is not valid JSON', 'body');
      }
      maps = [parseJsonMap(value, upload)];
    } else if (type === 'application/octet-stream' || type === 'application/x-npy') {
      maps = [parseNpyMap(await readBody(req, MAX_SINGLE_BYTES), query.image ?? null, upload)];
    } else if (type === 'application/zip' || type === 'application/x-zip-compressed') {
      maps = await parseZipMaps(await readBody(req, MAX_ZIP_BYTES), upload);
    } else {
      return apiError(415, 'unsupported_media_type', 'send application/json (one grid), application/octet-stream with ?image= (one NPY), or application/zip (NPY files named by image)');
    }
  } catch (error) {
    if (error instanceof MapUploadError) return apiError(error.status, 'invalid_map', error.message, error.field);
    if (error instanceof BodyTooLargeError) return apiError(413, 'too_large', error.message);
    throw error;
  }

  const taken = await existingMapImages(db, context.run.id, maps.map((m) => m.imageId));
  const clash = maps.find((m) => taken.has(m.imageId));
  if (clash) return apiError(409, 'conflict', `run already has a map for image '${clash.imageName}' (maps are immutable; create a new run)`, 'image');
  try {
    await db.transaction((tx) => insertSaliencyMaps(tx, context.run.id, maps.map((m) => ({ imageId: m.imageId, grid: m.grid, ...(m.curves ? { clientCurves: m.curves } : {}) }))));
  } catch (error) {
    // Two uploads of the same image racing: the unique key lets one through.
    if (String((error as { cause?: unknown })?.cause ?? error).includes('saliency_maps_run_image_uq')) {
      return apiError(409, 'conflict', 'a map for this image was stored meanwhile', 'image');
    }
    throw error;
  }
  let queued = true;
  try {
    await enqueueRunWork(await getQueue(), context.run);
  } catch (error) {
    // Stored maps are picked up by the next worker start (lib/jobs/worker resumePendingWork).
    queued = false;
    console.error(`runs: could not enqueue scoring of run ${context.run.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const fresh = await getRunContext(db, context.run.id);
  return Response.json(
    { received: maps.length, images: maps.map((m) => ({ id: m.imageId, name: m.imageName, width: m.grid.width, height: m.grid.height })), queued, progress: fresh ? await runProgress(db, fresh) : null },
    { status: 201 },
  );
}
