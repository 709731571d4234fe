import { index, jsonb, pgEnum, pgTable, text, timestamp, uuid, integer } from 'drizzle-orm/pg-core';

export const roleEnum = pgEnum('role', ['admin', 'researcher']);

/** Researchers and admins (participants are not users: they hold a per-session token). */
export const users = pgTable('users', {
  id: uuid('id').primaryKey().defaultRandom(),
  /** Lower-cased, trimmed. */
  email: text('email').notNull().unique(),
  name: text('name').notNull().default(''),
  /** "scrypt$N$r$p$salt$hash" (node:crypto scrypt), never the password. */
  passwordHash: text('password_hash').notNull(),
  role: roleEnum('role').notNull().default('researcher'),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/** Cookie sign-in sessions; the cookie holds a random token, the table its SHA-256. */
export const authSessions = pgTable(
  'auth_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Double-submit CSRF secret bound to this session. */
    csrfToken: text('csrf_token').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('auth_sessions_user_idx').on(t.userId)],
);

/** API tokens for the CLI and the API: shown once, stored as SHA-256, scoped, revocable. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** First characters of the token, shown in lists ("gzb_ab12…"). */
    prefix: text('prefix').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    scopes: jsonb('scopes').$type<string[]>().notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('api_tokens_user_idx').on(t.userId)],
);

/** Fixed-window rate limiting shared by every web process (key = "signin:<ip>", …). */
export const rateLimits = pgTable('rate_limits', {
  key: text('key').primaryKey(),
  windowStart: timestamp('window_start', { withTimezone: true }).notNull(),
  count: integer('count').notNull(),
});
