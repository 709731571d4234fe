import { z } from 'zod';
import { getDb } from '@/db/client';
import { fixationsForDataset } from '@/db/queries/ground-truth';
import { MODALITIES } from '@/db/schema/common';
import { resolveActor } from '@/lib/auth/access';
import { csvLine, csvResponse } from '@/lib/http/csv';
import { notFound, zodError } from '@/lib/http/errors';
import { readableDataset } from '@/lib/http/resources';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.string().min(1), file: z.literal('fixations.csv', 'must be fixations.csv') });
const Query = z.object({ modality: z.enum(MODALITIES).optional() });

/**
 * Accepted fixations of the dataset as CSV in the import format (image,observer,x,y,duration_ms)
 * plus modality and start_ms; `?modality=` keeps one modality.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; file: string }> }) {
  const params = Params.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const query = Query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) return zodError(query.error);
  const db = await getDb();
  const dataset = await readableDataset(db, await resolveActor(db, req), params.data.id);
  if (!dataset) return notFound('dataset');
  const rows = await fixationsForDataset(db, dataset.id, query.data.modality);
  let csv = csvLine(['image', 'observer', 'x', 'y', 'duration_ms', 'modality', 'start_ms']);
  for (const r of rows) csv += csvLine([r.image, r.observer, r.x, r.y, r.durationMs, r.modality, r.startMs]);
  return csvResponse(csv, `${dataset.slug}-fixations${query.data.modality ? `-${query.data.modality}` : ''}.csv`);
}
