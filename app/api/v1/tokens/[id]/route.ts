import { getDb } from '@/db/client';
import { getApiToken, revokeApiToken } from '@/db/queries/auth';
import { IdParams } from '@/lib/api/common';
import { isAdmin } from '@/lib/auth/access';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { notFound, parseWith, withHttpErrors } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

export async function DELETE(request: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'session' });
    if (actor instanceof Response) return actor;
    const token = await getApiToken(db, id);
    if (!token || (token.userId !== userIdOf(actor) && !isAdmin(actor))) return notFound('API token');
    await revokeApiToken(db, id);
    return new Response(null, { status: 204 });
  });
}
