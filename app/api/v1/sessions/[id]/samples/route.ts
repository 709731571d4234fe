import { readBodyBytes } from '@/lib/http/participant';
import { sampleBatch } from '@/lib/http/samples';
import { SESSION_TOKEN_HEADER } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/**
 * The answer is a few bytes; without no-transform Next's compression middleware wraps every one
 * in a gzip stream (the body is streamed, so its size threshold does not apply) — ~8 % of the
 * server's CPU profile in bench:ingest.
 */
const NO_COMPRESSION = { 'Cache-Control': 'no-store, no-transform' };

/** Participant (token): one batch of gaze samples (lib/http/samples.ts). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  const { status, body } = await sampleBatch(id, req.headers.get(SESSION_TOKEN_HEADER), () => readBodyBytes(req));
  return Response.json(body, { status, headers: status === 200 ? NO_COMPRESSION : undefined });
}
