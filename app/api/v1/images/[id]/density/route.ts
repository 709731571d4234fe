import { getDb } from '@/db/client';
import { getImageWithDataset } from '@/db/queries/datasets';
import { canRead } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { latestDensityMap } from '@/db/queries/ground-truth';
import { apiError, notFound, zodError } from '@/lib/http/errors';
import { ImageIdParams, ModalityQuery } from '@/lib/http/params';
import { applyColormap } from '@/lib/imaging/colormap';
import { encodePng } from '@/lib/io/png';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

const Query = ModalityQuery.extend({ format: z.enum(['png', 'json']).default('png') });

/**
 * The latest density map (GFDM) of an image for one modality: a jet heatmap
 * PNG whose alpha follows the density (for overlays), or the grid as JSON.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const params = ImageIdParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const query = Query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) return zodError(query.error);
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'public' });
  if (actor instanceof Response) return actor;
  const found = await getImageWithDataset(db, params.data.id);
  if (!found || !canRead(actor, found.dataset)) return notFound('image');
  const map = await latestDensityMap(db, params.data.id, query.data.modality);
  if (!map) return apiError(404, 'not_found', `no ${query.data.modality} density map for this image yet`);
  const headers = {
    'X-Gazebench-Modality': map.modality,
    'X-Gazebench-Version': String(map.version),
    'Cache-Control': 'no-cache',
  };
  if (query.data.format === 'json') {
    return Response.json(
      {
        imageId: map.imageId,
        modality: map.modality,
        version: map.version,
        sigmaPx: map.sigmaPx,
        observers: map.observers,
        fixationCount: map.fixationCount,
        width: map.width,
        height: map.height,
        data: Array.from(map.grid.data),
      },
      { headers },
    );
  }
  const rgba = applyColormap(map.grid, 'jet', { alpha: 'value' });
  const png = encodePng({ width: map.width, height: map.height, data: new Uint8Array(rgba.buffer) });
  return new Response(new Uint8Array(png), { headers: { ...headers, 'Content-Type': 'image/png' } });
}
