import { getDb } from '@/db/client';
import { createUser } from '@/db/queries/auth';
import { SignUpBody } from '@/lib/api/auth';
import { presentSession } from '@/lib/api/present';
import { authorize } from '@/lib/auth/authorize';
import { clientIp } from '@/lib/auth/client-ip';
import { hashPassword } from '@/lib/auth/password';
import { rateLimit, SIGN_UP_PER_IP, tooManyRequests } from '@/lib/auth/rate-limit';
import { startSession } from '@/lib/auth/session';
import { apiError, readJsonBody, withHttpErrors } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

/** GAZEBENCH_SIGNUP=closed turns self-service sign-up off (admins create accounts with the CLI). */
export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'none' });
    if (actor instanceof Response) return actor;
    if (process.env.GAZEBENCH_SIGNUP === 'closed') return apiError(403, 'signup_closed', 'sign-up is closed on this server; ask an admin for an account');
    const limited = await rateLimit(db, SIGN_UP_PER_IP, clientIp(request));
    if (!limited.ok) return tooManyRequests(limited.retryAfterSeconds, 'sign-ups from your address');
    const body = await readJsonBody(request, SignUpBody);
    const user = await createUser(db, { email: body.email.toLowerCase(), name: body.name, passwordHash: await hashPassword(body.password), role: 'researcher' });
    if (!user) return apiError(409, 'email_taken', 'an account with this email exists; sign in instead', 'email');
    const started = await startSession(db, user.id, request);
    const session = presentSession(user, { kind: 'user', userId: user.id, role: user.role, via: 'cookie', scopes: ['read', 'write'] }, started.csrfToken);
    return Response.json(session, { status: 201, headers: { 'Set-Cookie': started.cookie, 'Cache-Control': 'no-store' } });
  });
}
