import { getDb } from '@/db/client';
import { recordValidation } from '@/db/queries/sessions';
import { SessionParams } from '@/lib/http/params';
import { answer, parseWith, readJsonBody, sessionToken } from '@/lib/http/participant';
import { ValidationRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Participant (token): raw validation samples → accuracy, precision, % within, sampling rate, passed (computed here). */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id } = parseWith(SessionParams, await ctx.params);
    const token = sessionToken(req);
    const body = parseWith(ValidationRequest, await readJsonBody(req));
    return Response.json(await recordValidation(await getDb(), id, token, body));
  });
}
