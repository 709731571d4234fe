import { getDb } from '@/db/client';
import { runImageStatus } from '@/db/queries/runs';
import { IdParams } from '@/lib/api/common';
import { authorize } from '@/lib/auth/authorize';
import { notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableRun } from '@/lib/http/resources';

export const dynamic = 'force-dynamic';

/** The run's dataset images in order with whether each has its map yet (lib/api/runs.ts). */
export async function GET(request: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'public' });
    if (actor instanceof Response) return actor;
    const context = await readableRun(db, actor, id);
    if (!context) return notFound('run');
    const { run, dataset } = context;
    const rows = await runImageStatus(db, run.id, dataset.id);
    const images = rows.map((r) => ({
      id: r.id,
      name: r.name,
      classLabel: r.classLabel,
      width: r.width,
      height: r.height,
      hasMap: r.mapId !== null,
      url: `/api/v1/images/${r.id}/file`,
      mapUrl: r.mapId !== null ? `/api/v1/runs/${run.id}/maps/${r.id}.npy` : null,
    }));
    return Response.json(
      {
        run: { id: run.id, explainer: run.explainer, status: run.status, dataset: { id: dataset.id, slug: dataset.slug, name: dataset.name } },
        total: images.length,
        withMap: images.filter((i) => i.hasMap).length,
        images,
      },
      { headers: { 'Cache-Control': 'no-store' } },
    );
  });
}
