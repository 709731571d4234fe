import { getDb } from '@/db/client';
import { createApiToken, listApiTokens } from '@/db/queries/auth';
import { presentToken } from '@/lib/api/present';
import { CreateTokenBody } from '@/lib/api/tokens';
import { sha256Hex } from '@/lib/auth/access';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { apiTokenPrefix, newApiToken } from '@/lib/auth/tokens';
import { readJsonBody, withHttpErrors } from '@/lib/http/errors';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const db = await getDb();
  const actor = await authorize(db, request, { need: 'session' });
  if (actor instanceof Response) return actor;
  const tokens = await listApiTokens(db, userIdOf(actor));
  return Response.json({ tokens: tokens.map(presentToken) }, { headers: { 'Cache-Control': 'no-store' } });
}

export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'session' });
    if (actor instanceof Response) return actor;
    const body = await readJsonBody(request, CreateTokenBody);
    // "write" implies "read": a token that may change things may also look at them.
    const scopes = body.scopes.includes('write') ? ['read', 'write'] : ['read'];
    const token = newApiToken();
    const row = await createApiToken(db, { userId: userIdOf(actor), name: body.name, prefix: apiTokenPrefix(token), tokenHash: sha256Hex(token), scopes });
    return Response.json({ token, apiToken: presentToken(row) }, { status: 201, headers: { 'Cache-Control': 'no-store' } });
  });
}
