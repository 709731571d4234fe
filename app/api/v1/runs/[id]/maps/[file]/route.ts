import { z } from 'zod';
import { getDb } from '@/db/client';
import { saliencyMapFor } from '@/db/queries/runs';
import { resolveActor } from '@/lib/auth/access';
import { apiError, notFound, zodError } from '@/lib/http/errors';
import { readableRun } from '@/lib/http/resources';
import { applyColormap } from '@/lib/imaging/colormap';
import { normalizeMinMax } from '@/lib/imaging/normalize';
import { writeNpy } from '@/lib/io/npy';
import { encodePng } from '@/lib/io/png';

export const dynamic = 'force-dynamic';

const Params = z.object({
  id: z.uuid('must be a UUID'),
  file: z.string().regex(/^[0-9a-f-]{36}\.(npy|png)$/i, 'must be <imageId>.npy or <imageId>.png'),
});

/**
 * A run's saliency map for one image: `.npy` (float32, as stored, at the size it was uploaded) or
 * `.png` (jet heatmap of the min-max scaled map with alpha following the value, for overlays).
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; file: string }> }) {
  const params = Params.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const [imageId, ext] = params.data.file.toLowerCase().split('.') as [string, string];
  if (!z.uuid().safeParse(imageId).success) return apiError(400, 'invalid_request', 'image id must be a UUID', 'file');
  const db = await getDb();
  const context = await readableRun(db, await resolveActor(db, req), params.data.id);
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
