import { getDb } from '@/db/client';
import { getImageWithDataset, setImageLabel } from '@/db/queries/datasets';
import { UpdateImageBody } from '@/lib/api/datasets';
import { presentImage } from '@/lib/api/present';
import { canRead, canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, readJsonBody, withHttpErrors } from '@/lib/http/errors';
import { ImageIdParams } from '@/lib/http/params';

export const dynamic = 'force-dynamic';

export async function PATCH(request: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(ImageIdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const found = await getImageWithDataset(db, id);
    if (!found || !canRead(actor, found.dataset)) return notFound('image');
    if (!canWrite(actor, found.dataset)) return apiError(403, 'forbidden', 'only the owner or an admin may label these images');
    const { classLabel } = await readJsonBody(request, UpdateImageBody);
    const row = await setImageLabel(db, id, classLabel);
    if (!row) return notFound('image');
    return Response.json(presentImage(row));
  });
}
