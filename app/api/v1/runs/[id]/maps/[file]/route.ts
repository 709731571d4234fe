import { getDb } from '@/db/client';
import { saliencyMapFor } from '@/db/queries/runs';
import { MapFileParams } from '@/lib/api/runs';
import { authorize } from '@/lib/auth/authorize';
import { notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableRun } from '@/lib/http/resources';
import { applyColormap } from '@/lib/imaging/colormap';
import { normalizeMinMax } from '@/lib/imaging/normalize';
import { writeNpy } from '@/lib/io/npy';
import { encodePng } from '@/lib/io/png';

export const dynamic = 'force-dynamic';

/**
 * A run's saliency map for one image: `.npy` (float32, as stored, at the size it was uploaded) or
 * `.png` (jet heatmap of the min-max scaled map with alpha following the value, for overlays).
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; file: string }> }) {
  return withHttpErrors(() => mapFile(req, ctx));
}

async function mapFile(req: Request, ctx: { params: Promise<{ id: string; file: string }> }): Promise<Response> {
  const params = parseWith(MapFileParams, await ctx.params);
  const [imageId, ext] = params.file.toLowerCase().split('.') as [string, string];
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'public' });
  if (actor instanceof Response) return actor;
  const context = await readableRun(db, actor, params.id);
  if (!context) return notFound('run');
  const map = await saliencyMapFor(db, context.run.id, imageId);
  if (!map) return notFound('saliency map');
  if (ext === 'npy') {
    return new Response(new Uint8Array(writeNpy(map.grid, 'float32')), {
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${context.run.id}-${imageId}.npy"` },
    });
  }
  const rgba = applyColormap(normalizeMinMax(map.grid), 'jet', { alpha: 'value' });
  return new Response(new Uint8Array(encodePng({ width: map.width, height: map.height, data: new Uint8Array(rgba.buffer) })), {
    headers: { 'Content-Type': 'image/png', 'Cache-Control': 'private, max-age=3600' },
  });
}
