import { getDb } from '@/db/client';
import { completeSession } from '@/db/queries/sessions';
import { SessionParams } from '@/lib/http/params';
import { answer, parseWith, sessionToken } from '@/lib/http/participant';
import type { CompleteSessionResponse } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Participant (token): end the session → quality summary, decision, completion code or redirect. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id } = parseWith(SessionParams, await ctx.params);
    const result: CompleteSessionResponse = await completeSession(await getDb(), id, sessionToken(req));
    return Response.json(result);
  });
}
