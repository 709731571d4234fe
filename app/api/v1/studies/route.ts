import { randomBytes } from 'node:crypto';
import { getDb } from '@/db/client';
import { countDatasetImages, getDatasetById } from '@/db/queries/datasets';
import { createStudyIfFree, listStudiesOwnedBy } from '@/db/queries/studies';
import { presentStudy } from '@/lib/api/present-study';
import { CreateStudyBody } from '@/lib/api/studies';
import { canRead, canWrite } from '@/lib/auth/access';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { apiError, readJsonBody, withHttpErrors } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

/** A random study link name: 12 base-36 characters (~62 bits), so links cannot be guessed. */
function randomSlug(): string {
  const bytes = randomBytes(12);
  return Array.from(bytes, (b) => (b % 36).toString(36)).join('');
}

/** The caller's own studies (admins too see only their own here). */
export async function GET(request: Request) {
  const db = await getDb();
  const actor = await authorize(db, request, { need: 'signed-in' });
  if (actor instanceof Response) return actor;
  const rows = await listStudiesOwnedBy(db, userIdOf(actor));
  return Response.json({
    studies: rows.map((r) => presentStudy(r, { id: r.datasetId, slug: r.datasetSlug, name: r.datasetName }, r.started, actor)),
  });
}

/** A new draft study on a dataset the caller may change (their own; admins any). */
export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const body = await readJsonBody(request, CreateStudyBody);
    const dataset = await getDatasetById(db, body.datasetId);
    if (!dataset || !canRead(actor, dataset)) return apiError(404, 'not_found', 'dataset not found', 'datasetId');
    if (!canWrite(actor, dataset)) return apiError(403, 'forbidden', 'studies can only be made from your own datasets', 'datasetId');
    const imageCount = await countDatasetImages(db, dataset.id);
    if (imageCount === 0) return apiError(422, 'no_images', `dataset '${dataset.slug}' has no images yet`, 'datasetId');
    if (body.config.imagesPerParticipant > imageCount) {
      return apiError(422, 'too_few_images', `the dataset has ${imageCount} images, fewer than the ${body.config.imagesPerParticipant} per participant`, 'config.imagesPerParticipant');
    }
    const slug = body.slug ?? randomSlug();
    const row = await createStudyIfFree(db, { ...body, slug, ownerId: userIdOf(actor) });
    if (!row) return apiError(409, 'slug_taken', `a study with the link /s/${slug} exists`, 'slug');
    return Response.json(presentStudy(row, dataset, 0, actor), { status: 201 });
  });
}
