import { getDb } from '@/db/client';
import { getDatasetById, getDatasetBySlug, listDatasetImageRows } from '@/db/queries/datasets';
import { IdOrSlugParams, IdParams } from '@/lib/api/common';
import { presentImage } from '@/lib/api/present';
import { canRead, canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { addImagesFromRequest } from '@/lib/datasets/upload';
import { apiError, notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { dataDir } from '@/lib/server/paths';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

/** The dataset's images in order, each with the URL of its file; the dataset by id or by slug. */
export async function GET(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdOrSlugParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'public' });
    if (actor instanceof Response) return actor;
    const dataset = id.kind === 'id' ? await getDatasetById(db, id.value) : await getDatasetBySlug(db, id.value);
    if (!dataset || !canRead(actor, dataset)) return notFound('dataset');
    const images = (await listDatasetImageRows(db, dataset.id)).map((row) => ({ ...presentImage(row), url: `/api/v1/images/${row.id}/file` }));
    return Response.json({ dataset: { id: dataset.id, slug: dataset.slug, name: dataset.name }, images });
  });
}

/** Multipart (image files and/or zips) or a raw application/zip body; see lib/datasets/upload.ts. */
export async function POST(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const dataset = await getDatasetById(db, id);
    if (!dataset || !canRead(actor, dataset)) return notFound('dataset');
    if (!canWrite(actor, dataset)) return apiError(403, 'forbidden', 'only the owner or an admin may add images to this dataset');
    const added = await addImagesFromRequest(db, dataDir(), id, request);
    return Response.json({ added: added.map(presentImage) }, { status: 201 });
  });
}
