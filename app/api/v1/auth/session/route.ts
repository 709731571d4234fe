import { getDb } from '@/db/client';
import { getUserById } from '@/db/queries/auth';
import { presentSession } from '@/lib/api/present';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { notFound } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const db = await getDb();
  const actor = await authorize(db, request, { need: 'signed-in' });
  if (actor instanceof Response) return actor;
  const user = await getUserById(db, userIdOf(actor));
  if (!user) return notFound('user');
  const csrf = actor.kind === 'user' && actor.via === 'cookie' ? actor.csrfToken : undefined;
  return Response.json(presentSession(user, actor, csrf), { headers: { 'Cache-Control': 'no-store' } });
}
