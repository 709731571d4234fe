import { getDb } from '@/db/client';
import { switchModality } from '@/db/queries/sessions';
import { SessionParams } from '@/lib/http/params';
import { answer, parseWith, readJsonBody, sessionToken } from '@/lib/http/participant';
import { SwitchModalityRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Participant (token): switch to the mouse alternative (or back) before any trial has started. */
export async function PUT(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id } = parseWith(SessionParams, await ctx.params);
    const token = sessionToken(req);
    const { modality } = parseWith(SwitchModalityRequest, await readJsonBody(req));
    return Response.json(await switchModality(await getDb(), id, token, modality));
  });
}
