import { getDb } from '@/db/client';
import { completeTrial } from '@/db/queries/trials';
import { TrialParams } from '@/lib/http/params';
import { answer, parseWith, readJsonBody, sessionToken } from '@/lib/http/participant';
import { TrialCompleteRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Participant (token): the trial is over → fixation detection → {fixations: n, passed? (attention)}. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string; trialId: string }> }) {
  return answer(async () => {
    const { id, trialId } = parseWith(TrialParams, await ctx.params);
    const token = sessionToken(req);
    const body = parseWith(TrialCompleteRequest, (await readJsonBody(req)) ?? {});
    return Response.json(await completeTrial(await getDb(), id, token, trialId, body));
  });
}
