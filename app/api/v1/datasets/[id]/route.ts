import { getDb } from '@/db/client';
import { classCounts, countDatasetImages, countDatasetStudies, deleteDataset, getDatasetById, updateDataset } from '@/db/queries/datasets';
import { ConfirmQuery, IdParams } from '@/lib/api/common';
import { UpdateDatasetBody } from '@/lib/api/datasets';
import { presentDataset } from '@/lib/api/present';
import { canRead, canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, readJsonBody, withHttpErrors } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export async function GET(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'public' });
    if (actor instanceof Response) return actor;
    const dataset = await getDatasetById(db, id);
    if (!dataset || !canRead(actor, dataset)) return notFound('dataset');
    const [classes, studyCount] = await Promise.all([classCounts(db, id), countDatasetStudies(db, id)]);
    const imageCount = classes.reduce((s, c) => s + c.count, 0);
    return Response.json({ ...presentDataset(dataset, imageCount, actor), classes, studyCount });
  });
}

export async function PATCH(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const dataset = await getDatasetById(db, id);
    if (!dataset || !canRead(actor, dataset)) return notFound('dataset');
    if (!canWrite(actor, dataset)) return apiError(403, 'forbidden', 'only the owner or an admin may change this dataset');
    const patch = await readJsonBody(request, UpdateDatasetBody);
    const row = await updateDataset(db, id, patch);
    if (!row) return notFound('dataset');
    return Response.json(presentDataset(row, await countDatasetImages(db, id), actor));
  });
}

/** Deletes the dataset and everything made from it (studies, gaze data, runs, scores): `?confirm=<slug>`. */
export async function DELETE(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const dataset = await getDatasetById(db, id);
    if (!dataset || !canRead(actor, dataset)) return notFound('dataset');
    if (!canWrite(actor, dataset)) return apiError(403, 'forbidden', 'only the owner or an admin may delete this dataset');
    const { confirm } = parseWith(ConfirmQuery, Object.fromEntries(new URL(request.url).searchParams));
    if (confirm !== dataset.slug) return apiError(422, 'confirmation_mismatch', `type the dataset's slug '${dataset.slug}' to confirm`, 'confirm');
    await deleteDataset(db, id);
    return new Response(null, { status: 204 });
  });
}
