/** Look-ups behind lib/auth/access.ts. Tokens arrive already hashed (SHA-256 hex). */
import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../client';
import { apiTokens, authSessions, users } from '../schema';

export async function findActorBySessionToken(db: Db, tokenHash: string) {
  const rows = await db
    .select({ userId: users.id, role: users.role, csrfToken: authSessions.csrfToken })
    .from(authSessions)
    .innerJoin(users, eq(authSessions.userId, users.id))
    .where(and(eq(authSessions.tokenHash, tokenHash), gt(authSessions.expiresAt, new Date())))
    .limit(1);
  return rows[0];
}

export async function findActorByApiToken(db: Db, tokenHash: string) {
  const rows = await db
    .select({ userId: users.id, role: users.role, scopes: apiTokens.scopes, id: apiTokens.id })
    .from(apiTokens)
    .innerJoin(users, eq(apiTokens.userId, users.id))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt)))
    .limit(1);
  const row = rows[0];
  if (!row) return undefined;
  await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
  const scopes = row.scopes.filter((s): s is 'read' | 'write' => s === 'read' || s === 'write');
  return { userId: row.userId, role: row.role, scopes };
}
