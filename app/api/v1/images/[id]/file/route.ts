import { getDb } from '@/db/client';
import { getPublicImage } from '@/db/queries/datasets';
import { notFound, zodError } from '@/lib/http/errors';
import { ImageIdParams } from '@/lib/http/params';
import { dataDir } from '@/lib/server/paths';
import { readBlob } from '@/lib/storage/blobs';

export const dynamic = 'force-dynamic';

export async function GET(_req: Request, ctx: { params: Promise<{ id: string }> }) {
  const params = ImageIdParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const found = await getPublicImage(await getDb(), params.data.id);
  if (!found) return notFound('image');
  const bytes = await readBlob(dataDir(), found.image.sha256);
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': found.image.mimeType,
      'Cache-Control': 'public, max-age=31536000, immutable',
      ETag: `"${found.image.sha256}"`,
    },
  });
}
