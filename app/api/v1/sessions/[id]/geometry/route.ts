import { getDb } from '@/db/client';
import { saveGeometry } from '@/db/queries/sessions';
import { SessionParams } from '@/lib/http/params';
import { answer, parseWith, readJsonBody, sessionToken } from '@/lib/http/participant';
import { GeometryRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Participant (token): virtual-chinrest result; answers the geometry with the server's pixels per degree. */
export async function PUT(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id } = parseWith(SessionParams, await ctx.params);
    const token = sessionToken(req);
    const body = parseWith(GeometryRequest, await readJsonBody(req));
    return Response.json(await saveGeometry(await getDb(), id, token, body));
  });
}
