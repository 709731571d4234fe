import { getDb } from '@/db/client';
import { createDataset, listDatasetsVisibleTo } from '@/db/queries/datasets';
import { CreateDatasetBody } from '@/lib/api/datasets';
import { presentDataset } from '@/lib/api/present';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { apiError, readJsonBody, withHttpErrors } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

/** Public datasets, and the caller's own of any visibility. */
export async function GET(request: Request) {
  const db = await getDb();
  const actor = await authorize(db, request, { need: 'public' });
  if (actor instanceof Response) return actor;
  const rows = await listDatasetsVisibleTo(db, actor.kind === 'user' ? actor.userId : null);
  return Response.json({ datasets: rows.map((d) => presentDataset(d, d.imageCount, actor)) });
}

export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const body = await readJsonBody(request, CreateDatasetBody);
    const row = await createDataset(db, { ...body, ownerId: userIdOf(actor) });
    if (!row) return apiError(409, 'slug_taken', `a dataset with the slug '${body.slug}' exists`, 'slug');
    return Response.json(presentDataset(row, 0, actor), { status: 201 });
  });
}
