import { readBodyBytes } from '@/lib/http/participant';
import { trialStart } from '@/lib/http/samples';
import { SESSION_TOKEN_HEADER } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Participant (token): the image is on screen at this rectangle → the trial's image pixels per degree (lib/http/samples.ts). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string; trialId: string }> }) {
  const { id, trialId } = await ctx.params;
  const { status, body } = await trialStart(id, trialId, req.headers.get(SESSION_TOKEN_HEADER), () => readBodyBytes(req));
  return Response.json(body, { status });
}
