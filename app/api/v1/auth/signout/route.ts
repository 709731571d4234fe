import { getDb } from '@/db/client';
import { cookieValue, SESSION_COOKIE } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { clearedSessionCookie, endSession, isSecureRequest } from '@/lib/auth/session';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  const db = await getDb();
  const actor = await authorize(db, request, { need: 'session' });
  if (actor instanceof Response) return actor;
  const token = cookieValue(request.headers.get('cookie'), SESSION_COOKIE);
  if (token) await endSession(db, token);
  return new Response(null, { status: 204, headers: { 'Set-Cookie': clearedSessionCookie(isSecureRequest(request)) } });
}
