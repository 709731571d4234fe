import { getDb } from '@/db/client';
import { getDatasetById, getDatasetBySlug, listDatasetsVisibleTo, sampleImagesPerClass, type DatasetRow } from '@/db/queries/datasets';
import { DEMO_DATASET_SLUG } from '@/db/seed/demo';
import { IdParams } from '@/lib/api/common';
import { PredictBody } from '@/lib/api/models';
import { canRead, isAdmin, type Actor } from '@/lib/auth/access';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, readJsonBody, withHttpErrors } from '@/lib/http/errors';
import { predictStaged, readStagedUpload, resolveSettings } from '@/lib/models/upload';
import { dataDir } from '@/lib/server/paths';

export const dynamic = 'force-dynamic';

/** The dataset to draw test images from: the one asked for, else the demo dataset, else the caller's first with images. */
async function testDataset(db: Awaited<ReturnType<typeof getDb>>, actor: Actor, datasetId: string | undefined): Promise<DatasetRow | Response> {
  if (datasetId !== undefined) {
    const d = await getDatasetById(db, datasetId);
    return d && canRead(actor, d) ? d : apiError(404, 'not_found', 'dataset not found', 'datasetId');
  }
  const demo = await getDatasetBySlug(db, DEMO_DATASET_SLUG);
  if (demo && canRead(actor, demo)) return demo;
  const own = (await listDatasetsVisibleTo(db, userIdOf(actor), { ownOnly: true })).find((d) => d.imageCount > 0);
  const row = own ? await getDatasetById(db, own.id) : undefined;
  return row ?? apiError(422, 'no_test_images', 'no dataset with images to test on: create one first, or pass datasetId', 'datasetId');
}

export async function POST(request: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const staged = await readStagedUpload(dataDir(), id);
    if (!staged || (staged.ownerId !== userIdOf(actor) && !isAdmin(actor))) return notFound('staged upload');
    const body = await readJsonBody(request, PredictBody);
    const dataset = await testDataset(db, actor, body.datasetId);
    if (dataset instanceof Response) return dataset;
    const images = await sampleImagesPerClass(db, dataset.id, body.count);
    if (images.length === 0) return apiError(422, 'no_test_images', `dataset '${dataset.slug}' has no images`, 'datasetId');
    const settings = resolveSettings(staged, body);
    const predictions = await predictStaged(dataDir(), staged, settings, images);
    return Response.json({ dataset: { id: dataset.id, slug: dataset.slug, name: dataset.name }, config: settings, predictions });
  });
}
