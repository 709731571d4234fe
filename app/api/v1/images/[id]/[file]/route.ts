import { z } from 'zod';
import { getDb } from '@/db/client';
import { densityMapVersion } from '@/db/queries/ground-truth';
import { MODALITIES } from '@/db/schema/common';
import { resolveActor } from '@/lib/auth/access';
import { apiError, notFound, zodError } from '@/lib/http/errors';
import { readableImage } from '@/lib/http/resources';
import { writeNpy } from '@/lib/io/npy';
import { encodePngGray16 } from '@/lib/io/png';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.uuid('must be a UUID'), file: z.enum(['density.png16', 'density.npy'], 'must be density.png16 or density.npy') });
const Query = z.object({ modality: z.enum(MODALITIES).default('simulated'), version: z.coerce.number().int().positive().optional() });

/**
 * Density map downloads: `density.npy` (float64, sums to 1, exactly as stored) or `density.png16`
 * (16-bit grayscale, value·65535/max rounded: the shape at full depth; divide by the pixel sum to
 * get a density). `?modality=` (default simulated) and `?version=` (default the latest).
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; file: string }> }) {
  const params = Params.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const query = Query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) return zodError(query.error);
  const db = await getDb();
  if (!(await readableImage(db, await resolveActor(db, req), params.data.id))) return notFound('image');
  const map = await densityMapVersion(db, params.data.id, query.data.modality, query.data.version);
  if (!map) return apiError(404, 'not_found', `no ${query.data.modality} density map${query.data.version ? ` version ${query.data.version}` : ''} for this image`);
  const headers = { 'X-Gazebench-Modality': map.modality, 'X-Gazebench-Version': String(map.version), 'Cache-Control': 'no-cache' };
  const base = `${params.data.id}-${map.modality}-v${map.version}`;
  if (params.data.file === 'density.npy') {
    return new Response(new Uint8Array(writeNpy(map.grid, 'float64')), {
      headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Content-Disposition': `attachment; filename="${base}.npy"` },
    });
  }
  let max = 0;
  for (const v of map.grid.data) if (v > max) max = v;
  const values = Uint16Array.from(map.grid.data, (v) => (max > 0 ? Math.round((v / max) * 65535) : 0));
  return new Response(new Uint8Array(encodePngGray16(map.width, map.height, values)), {
    headers: { ...headers, 'Content-Type': 'image/png', 'Content-Disposition': `attachment; filename="${base}.png"` },
  });
}
