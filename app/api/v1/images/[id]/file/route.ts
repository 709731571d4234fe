import { getDb } from '@/db/client';
import { getImageWithDataset } from '@/db/queries/datasets';
import { canRead } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { notFound, zodError } from '@/lib/http/errors';
import { ImageIdParams } from '@/lib/http/params';
import { dataDir } from '@/lib/server/paths';
import { readBlob } from '@/lib/storage/blobs';

export const dynamic = 'force-dynamic';

/** The stored file; images of private datasets only for their owner and admins (404 to others). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const params = ImageIdParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'public' });
  if (actor instanceof Response) return actor;
  const found = await getImageWithDataset(db, params.data.id);
  if (!found || !canRead(actor, found.dataset)) return notFound('image');
  const isPublic = found.dataset.visibility === 'public';
  const bytes = await readBlob(dataDir(), found.image.sha256);
  return new Response(new Uint8Array(bytes), {
    headers: {
      'Content-Type': found.image.mimeType,
      // Content-addressed, so immutable; but a private image must not sit in shared caches.
      'Cache-Control': isPublic ? 'public, max-age=31536000, immutable' : 'private, max-age=3600',
      ETag: `"${found.image.sha256}"`,
    },
  });
}
