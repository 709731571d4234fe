import { getDb } from '@/db/client';
import { trialImage } from '@/db/queries/trials';
import { TrialParams } from '@/lib/http/params';
import { answer, parseWith, sessionToken } from '@/lib/http/participant';
import { dataDir } from '@/lib/server/paths';
import { readBlob } from '@/lib/storage/blobs';

export const dynamic = 'force-dynamic';

/** Participant (token): the image of one of the session's trials (fetched by the page, shown from a blob: URL). */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; trialId: string }> }) {
  return answer(async () => {
    const { id, trialId } = parseWith(TrialParams, await ctx.params);
    const image = await trialImage(await getDb(), id, sessionToken(req), trialId);
    const bytes = await readBlob(dataDir(), image.sha256);
    return new Response(new Uint8Array(bytes), { headers: { 'Content-Type': image.mimeType, 'Cache-Control': 'private, max-age=3600' } });
  });
}
