/**
 * Accounts, sign-in sessions and API tokens (issue 7, "Accounts and access"). Tokens and session
 * cookies arrive already hashed (SHA-256 hex): nothing here ever sees a secret in clear.
 */
import { and, asc, count, eq, gt, isNull, lte, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { apiTokens, authSessions, users } from '../schema';

export type UserRole = 'admin' | 'researcher';

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

// ── users ──────────────────────────────────────────────────────────────────────────────────────

export interface UserRow {
  id: string;
  email: string;
  name: string;
  role: UserRole;
  passwordHash: string;
  createdAt: Date;
}

/** Inserts a user; undefined when the (lower-cased) email is taken. */
export async function createUser(
  db: Db,
  params: { email: string; name: string; passwordHash: string; role: UserRole },
): Promise<UserRow | undefined> {
  const rows = await db
    .insert(users)
    .values({ email: params.email, name: params.name, passwordHash: params.passwordHash, role: params.role })
    .onConflictDoNothing({ target: users.email })
    .returning();
  return rows[0];
}

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  const rows = await db.select().from(users).where(eq(users.email, email)).limit(1);
  return rows[0];
}

export async function getUserById(db: Db, id: string): Promise<UserRow | undefined> {
  const rows = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return rows[0];
}

export async function setUserRole(db: Db, userId: string, role: UserRole): Promise<void> {
  await db.update(users).set({ role }).where(eq(users.id, userId));
}

export async function setUserPassword(db: Db, userId: string, passwordHash: string): Promise<void> {
  await db.update(users).set({ passwordHash }).where(eq(users.id, userId));
  // A new password ends every existing sign-in.
  await db.delete(authSessions).where(eq(authSessions.userId, userId));
}

export async function countAdmins(db: Db): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users).where(eq(users.role, 'admin'));
  return Number(row?.n ?? 0);
}

// ── sign-in sessions ───────────────────────────────────────────────────────────────────────────

export async function createAuthSession(
  db: Db,
  params: { tokenHash: string; userId: string; csrfToken: string; expiresAt: Date },
): Promise<void> {
  await db.insert(authSessions).values(params);
}

export async function deleteAuthSession(db: Db, tokenHash: string): Promise<void> {
  await db.delete(authSessions).where(eq(authSessions.tokenHash, tokenHash));
}

/** Removes expired sessions (called opportunistically at sign-in). */
export async function deleteExpiredSessions(db: Db, now = new Date()): Promise<void> {
  await db.delete(authSessions).where(lte(authSessions.expiresAt, now));
}

/** The signed-in user of a session cookie (hashed), for pages. */
export async function findSessionUser(db: Db, tokenHash: string) {
  const rows = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role, csrfToken: authSessions.csrfToken })
    .from(authSessions)
    .innerJoin(users, eq(authSessions.userId, users.id))
    .where(and(eq(authSessions.tokenHash, tokenHash), gt(authSessions.expiresAt, new Date())))
    .limit(1);
  return rows[0];
}

// ── API tokens ─────────────────────────────────────────────────────────────────────────────────

export interface ApiTokenSummary {
  id: string;
  userId: string;
  name: string;
  prefix: string;
  scopes: string[];
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

const tokenColumns = {
  id: apiTokens.id,
  userId: apiTokens.userId,
  name: apiTokens.name,
  prefix: apiTokens.prefix,
  scopes: apiTokens.scopes,
  lastUsedAt: apiTokens.lastUsedAt,
  revokedAt: apiTokens.revokedAt,
  createdAt: apiTokens.createdAt,
};

export async function createApiToken(
  db: Db,
  params: { userId: string; name: string; prefix: string; tokenHash: string; scopes: string[] },
): Promise<ApiTokenSummary> {
  const [row] = await db.insert(apiTokens).values(params).returning(tokenColumns);
  if (!row) throw new Error('createApiToken: insert returned nothing');
  return row;
}

export async function listApiTokens(db: Db, userId: string): Promise<ApiTokenSummary[]> {
  return db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.userId, userId)).orderBy(asc(apiTokens.createdAt), asc(apiTokens.id));
}

export async function getApiToken(db: Db, id: string): Promise<ApiTokenSummary | undefined> {
  const rows = await db.select(tokenColumns).from(apiTokens).where(eq(apiTokens.id, id)).limit(1);
  return rows[0];
}

/** Marks a token revoked (idempotent: the first revocation time is kept). */
export async function revokeApiToken(db: Db, id: string, now = new Date()): Promise<void> {
  await db
    .update(apiTokens)
    .set({ revokedAt: sql`coalesce(${apiTokens.revokedAt}, ${now.toISOString()}::timestamptz)` })
    .where(eq(apiTokens.id, id));
}
