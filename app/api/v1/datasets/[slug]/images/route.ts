import { getDb } from '@/db/client';
import { getPublicDatasetBySlug, listDatasetImages } from '@/db/queries/datasets';
import { notFound, zodError } from '@/lib/http/errors';
import { DatasetSlugParams } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/** The images of a public dataset, in dataset order, with the URL of each file. */
export async function GET(_req: Request, ctx: { params: Promise<{ slug: string }> }) {
  const params = DatasetSlugParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const db = await getDb();
  const dataset = await getPublicDatasetBySlug(db, params.data.slug);
  if (!dataset) return notFound('dataset');
  const images = await listDatasetImages(db, dataset.id);
  return Response.json({
    dataset: { slug: dataset.slug, name: dataset.name },
    images: images.map((i) => ({ ...i, url: `/api/v1/images/${i.id}/file` })),
  });
}
