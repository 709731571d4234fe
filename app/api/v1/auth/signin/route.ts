import { getDb } from '@/db/client';
import { findUserByEmail, setUserPassword } from '@/db/queries/auth';
import { SignInBody } from '@/lib/api/auth';
import { presentSession } from '@/lib/api/present';
import { authorize } from '@/lib/auth/authorize';
import { clientIp } from '@/lib/auth/client-ip';
import { hashPassword, needsRehash, verifyAgainstDummy, verifyPassword } from '@/lib/auth/password';
import { rateLimit, SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_IP, tooManyRequests } from '@/lib/auth/rate-limit';
import { startSession } from '@/lib/auth/session';
import { apiError, readJsonBody, withHttpErrors } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'none' });
    if (actor instanceof Response) return actor;
    const perIp = await rateLimit(db, SIGN_IN_PER_IP, clientIp(request));
    if (!perIp.ok) return tooManyRequests(perIp.retryAfterSeconds, 'sign-in attempts from your address');
    const body = await readJsonBody(request, SignInBody);
    const email = body.email.toLowerCase();
    const perAccount = await rateLimit(db, SIGN_IN_PER_ACCOUNT, email);
    if (!perAccount.ok) return tooManyRequests(perAccount.retryAfterSeconds, 'sign-in attempts for this account');
    const user = await findUserByEmail(db, email);
    const ok = user ? await verifyPassword(body.password, user.passwordHash) : await verifyAgainstDummy(body.password);
    if (!user || !ok) return apiError(401, 'invalid_credentials', 'wrong email or password');
    // Parameters were raised since this hash was made: store a fresh one (this also ends old sessions).
    if (needsRehash(user.passwordHash)) await setUserPassword(db, user.id, await hashPassword(body.password));
    const started = await startSession(db, user.id, request);
    const session = presentSession(user, { kind: 'user', userId: user.id, role: user.role, via: 'cookie', scopes: ['read', 'write'] }, started.csrfToken);
    return Response.json(session, { headers: { 'Set-Cookie': started.cookie, 'Cache-Control': 'no-store' } });
  });
}
