import { getDb } from '@/db/client';
import { authorizeSession } from '@/db/queries/sessions';
import { ingestSamples } from '@/db/queries/samples';
import { SessionParams } from '@/lib/http/params';
import { zodError } from '@/lib/http/errors';
import { answer, parseWith, readJsonBody, sessionToken } from '@/lib/http/participant';
import { SampleBatchRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/**
 * The answer is a few bytes; without no-transform Next's compression middleware wraps every one
 * in a gzip stream (the body is streamed, so its size threshold does not apply) — ~8 % of the
 * server's CPU profile in bench:ingest.
 */
const NO_COMPRESSION = { 'Cache-Control': 'no-store, no-transform' };

/**
 * Participant (token): one batch of gaze samples → {stored: n}, or {duplicate: true} for a replayed
 * seq. The token is checked in the same statement that finds the trial; a malformed body is
 * answered 403 rather than 400 when the token is wrong as well.
 */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id } = parseWith(SessionParams, await ctx.params);
    const token = sessionToken(req);
    const db = await getDb();
    const raw = await readJsonBody(req);
    const parsed = SampleBatchRequest.safeParse(raw);
    if (parsed.success) return Response.json(await ingestSamples(db, id, token, parsed.data), { headers: NO_COMPRESSION });
    await authorizeSession(db, id, token);
    return zodError(parsed.error);
  });
}
