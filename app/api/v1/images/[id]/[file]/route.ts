import { getDb } from '@/db/client';
import { densityMapVersion } from '@/db/queries/ground-truth';
import { DensityFileParams, DensityFileQuery } from '@/lib/api/ground-truth';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableImage } from '@/lib/http/resources';
import { writeNpy } from '@/lib/io/npy';
import { encodePngGray16 } from '@/lib/io/png';

export const dynamic = 'force-dynamic';

/**
 * Density map downloads: `density.npy` (float64, sums to 1, exactly as stored) or `density.png16`
 * (16-bit grayscale, value·65535/max rounded: the shape at full depth; divide by the pixel sum to
 * get a density). `?modality=` (default simulated) and `?version=` (default the latest).
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; file: string }> }) {
  return withHttpErrors(() => densityFile(req, ctx));
}

async function densityFile(req: Request, ctx: { params: Promise<{ id: string; file: string }> }): Promise<Response> {
  const params = parseWith(DensityFileParams, await ctx.params);
  const query = parseWith(DensityFileQuery, Object.fromEntries(new URL(req.url).searchParams));
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'public' });
  if (actor instanceof Response) return actor;
  if (!(await readableImage(db, actor, params.id))) return notFound('image');
  const map = await densityMapVersion(db, params.id, query.modality, query.version);
  if (!map) return apiError(404, 'not_found', `no ${query.modality} density map${query.version ? ` version ${query.version}` : ''} for this image`);
  const headers = { 'X-Gazebench-Modality': map.modality, 'X-Gazebench-Version': String(map.version), 'Cache-Control': 'no-cache' };
  const base = `${params.id}-${map.modality}-v${map.version}`;
  if (params.file === 'density.npy') {
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
