import { getDb } from '@/db/client';
import { getImageWithDataset } from '@/db/queries/datasets';
import { canRead } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { fixationsForImage } from '@/db/queries/ground-truth';
import { notFound, zodError } from '@/lib/http/errors';
import { ImageIdParams, ModalityQuery } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

/** Accepted fixations of one modality on an image, in image pixels, by observer label. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const params = ImageIdParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const query = ModalityQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) return zodError(query.error);
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'public' });
  if (actor instanceof Response) return actor;
  const found = await getImageWithDataset(db, params.data.id);
  if (!found || !canRead(actor, found.dataset)) return notFound('image');
  const rows = await fixationsForImage(db, params.data.id, query.data.modality);
  return Response.json({
    imageId: params.data.id,
    modality: query.data.modality,
    fixations: rows.map((f) => ({ observer: f.observerLabel, x: f.x, y: f.y, startMs: f.startMs, durationMs: f.durationMs })),
  });
}
