import { getDb } from '@/db/client';
import { fixationsForDataset } from '@/db/queries/ground-truth';
import { FixationsFileParams, FixationsFileQuery } from '@/lib/api/ground-truth';
import { authorize } from '@/lib/auth/authorize';
import { csvLine, csvResponse } from '@/lib/http/csv';
import { notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableDataset } from '@/lib/http/resources';

export const dynamic = 'force-dynamic';

/**
 * Accepted fixations of the dataset as CSV in the import format (image,observer,x,y,duration_ms)
 * plus modality and start_ms; `?modality=` keeps one modality (lib/api/ground-truth.ts).
 */
export async function GET(request: Request, ctx: { params: Promise<{ id: string; file: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(FixationsFileParams, await ctx.params);
    const { modality } = parseWith(FixationsFileQuery, Object.fromEntries(new URL(request.url).searchParams));
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'public' });
    if (actor instanceof Response) return actor;
    const dataset = await readableDataset(db, actor, id.value);
    if (!dataset) return notFound('dataset');
    const rows = await fixationsForDataset(db, dataset.id, modality);
    let csv = csvLine(['image', 'observer', 'x', 'y', 'duration_ms', 'modality', 'start_ms']);
    for (const r of rows) csv += csvLine([r.image, r.observer, r.x, r.y, r.durationMs, r.modality, r.startMs]);
    return csvResponse(csv, `${dataset.slug}-fixations${modality ? `-${modality}` : ''}.csv`);
  });
}
