import { getDb } from '@/db/client';
import { startTrial } from '@/db/queries/trials';
import { TrialParams } from '@/lib/http/params';
import { answer, parseWith, readJsonBody, sessionToken } from '@/lib/http/participant';
import { TrialStartRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Participant (token): the image is on screen at this rectangle → the trial's image pixels per degree. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string; trialId: string }> }) {
  return answer(async () => {
    const { id, trialId } = parseWith(TrialParams, await ctx.params);
    const token = sessionToken(req);
    const body = parseWith(TrialStartRequest, await readJsonBody(req));
    return Response.json(await startTrial(await getDb(), id, token, trialId, body));
  });
}
