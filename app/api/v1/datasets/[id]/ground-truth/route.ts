import { getDb } from '@/db/client';
import { IdOrSlugParams } from '@/lib/api/common';
import { ImportOptions } from '@/lib/api/ground-truth';
import { canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { enqueueGroundTruthChanged } from '@/lib/jobs/ground-truth';
import { getQueue } from '@/lib/jobs/queue';
import { ImportError, importGroundTruth, type ImportInput } from '@/lib/ground-truth/import';
import { groundTruthState } from '@/lib/ground-truth/state';
import { BodyTooLargeError, mediaType, readBody } from '@/lib/http/body';
import { apiError, HttpError, notFound, parseWith, refuseControlCharacters, withHttpErrors } from '@/lib/http/errors';
import { readableDataset } from '@/lib/http/resources';

export const dynamic = 'force-dynamic';

const MAX_IMPORT_BYTES = 512 * 1024 * 1024;

/** Ground-truth state per modality: state id, per-image versions and the dataset consistency. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdOrSlugParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, req, { need: 'public' });
    if (actor instanceof Response) return actor;
    const dataset = await readableDataset(db, actor, id.value);
    if (!dataset) return notFound('dataset');
    return Response.json({ datasetId: dataset.id, modalities: await groundTruthState(db, dataset.id) }, { headers: { 'Cache-Control': 'no-store' } });
  });
}

/**
 * Import a lab's ground truth (lib/ground-truth/import.ts): multipart/form-data with `fixations`
 * (CSV file), `maps` (PNG/NPY files, repeatable), `modality`, `ppd`; or a text/csv body with
 * ?modality=&ppd=. All or nothing; then the reference rows and the runs' rescoring are enqueued.
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(() => importRoute(req, ctx));
}

async function importRoute(req: Request, ctx: { params: Promise<{ id: string }> }): Promise<Response> {
  const { id } = parseWith(IdOrSlugParams, await ctx.params);
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'write' });
  if (actor instanceof Response) return actor;
  const dataset = await readableDataset(db, actor, id.value);
  if (!dataset) return notFound('dataset');
  if (!canWrite(actor, dataset)) return apiError(403, 'forbidden', 'only the dataset owner may import ground truth');
  const type = mediaType(req);
  let input: ImportInput;
  try {
    if (type === 'text/csv') {
      const options = parseWith(ImportOptions, Object.fromEntries(new URL(req.url).searchParams));
      const text = new TextDecoder().decode(await readBody(req, MAX_IMPORT_BYTES));
      input = { modality: options.modality, ...(options.ppd ? { pixelsPerDegree: options.ppd } : {}), fixationsCsv: { name: 'fixations CSV', text } };
    } else if (type === 'multipart/form-data') {
      const declared = Number(req.headers.get('content-length') ?? Number.NaN);
      if (Number.isFinite(declared) && declared > MAX_IMPORT_BYTES) return apiError(413, 'too_large', `request body is larger than the ${MAX_IMPORT_BYTES}-byte limit`);
      const form = await req.formData().catch((error: unknown) => {
        throw new HttpError(400, 'invalid_request', `malformed multipart body: ${error instanceof Error ? error.message : String(error)}`, 'body');
      });
      for (const [name, value] of form.entries()) refuseControlCharacters(typeof value === 'string' ? { [name]: value } : { [name]: value.name }, 'body');
      const options = parseWith(ImportOptions, { modality: form.get('modality') ?? undefined, ppd: form.get('ppd') ?? undefined });
      const csv = form.get('fixations');
      const maps = form.getAll('maps').filter((m): m is File => typeof m !== 'string');
      input = {
        modality: options.modality,
        ...(options.ppd ? { pixelsPerDegree: options.ppd } : {}),
        ...(csv && typeof csv !== 'string' ? { fixationsCsv: { name: csv.name || 'fixations CSV', text: await csv.text() } } : {}),
        maps: await Promise.all(maps.map(async (m) => ({ name: m.name, bytes: new Uint8Array(await m.arrayBuffer()) }))),
      };
    } else {
      return apiError(415, 'unsupported_media_type', 'send multipart/form-data (fixations, maps, modality, ppd) or text/csv with ?modality=&ppd=');
    }
  } catch (error) {
    if (error instanceof BodyTooLargeError) return apiError(413, 'too_large', error.message);
    throw error;
  }
  try {
    const summary = await importGroundTruth(db, dataset.id, input);
    let queued = true;
    if (summary.versions.some((v) => v.changed)) {
      try {
        await enqueueGroundTruthChanged(await getQueue(), dataset.id, input.modality);
      } catch (error) {
        queued = false;
        console.error(`ground truth: could not enqueue jobs for dataset ${dataset.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return Response.json({ ...summary, modality: input.modality, queued }, { status: 201 });
  } catch (error) {
    if (error instanceof ImportError) return apiError(400, 'invalid_import', error.message, error.field);
    throw error;
  }
}
