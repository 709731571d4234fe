/**
 * Fixed-window rate limits shared by every process through the rate_limits table (one atomic
 * upsert per attempt, db/queries/rate-limits.ts). Windows are aligned to multiples of their length
 * since the epoch, so all processes agree on where a window starts. Exceeding a limit answers 429
 * with Retry-After = seconds to the end of the window.
 *
 * Limits (per window): sign-in 20 per client address and 10 per account (email) per 15 minutes —
 * the second stops a distributed guess at one account; sign-up 5 per client address per hour.
 * Emails are stored in keys only as SHA-256.
 */
import type { Db } from '@/db/client';
import { hitRateLimit, pruneRateLimits } from '@/db/queries/rate-limits';
import { apiError } from '@/lib/http/errors';
import { sha256Hex } from './access';

export interface RateLimitRule {
  readonly name: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

export const SIGN_IN_PER_IP: RateLimitRule = { name: 'signin-ip', limit: 20, windowSeconds: 900 };
export const SIGN_IN_PER_ACCOUNT: RateLimitRule = { name: 'signin-account', limit: 10, windowSeconds: 900 };
export const SIGN_UP_PER_IP: RateLimitRule = { name: 'signup-ip', limit: 5, windowSeconds: 3600 };

/** Counters older than this are deleted (longer than any window). */
const PRUNE_AFTER_MS = 24 * 3_600_000;

export type RateLimitResult = { readonly ok: true } | { readonly ok: false; readonly retryAfterSeconds: number };

export function windowStartOf(rule: RateLimitRule, now: Date): Date {
  const ms = rule.windowSeconds * 1000;
  return new Date(Math.floor(now.getTime() / ms) * ms);
}

/** Counts one attempt of `subject` (an address, or an email: hashed) against `rule`. */
export async function rateLimit(db: Db, rule: RateLimitRule, subject: string, now = new Date()): Promise<RateLimitResult> {
  const start = windowStartOf(rule, now);
  const key = `${rule.name}:${rule.name.endsWith('account') ? sha256Hex(subject) : subject}`;
  const count = await hitRateLimit(db, key, start);
  // The first hit of a window clears counters whose windows ended long ago (the table stays small).
  if (count === 1) await pruneRateLimits(db, new Date(now.getTime() - PRUNE_AFTER_MS));
  if (count <= rule.limit) return { ok: true };
  const end = start.getTime() + rule.windowSeconds * 1000;
  return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((end - now.getTime()) / 1000)) };
}

export function tooManyRequests(retryAfterSeconds: number, what: string): Response {
  return apiError(429, 'rate_limited', `too many ${what}; try again in ${retryAfterSeconds} s`, undefined, {
    'Retry-After': String(retryAfterSeconds),
  });
}
