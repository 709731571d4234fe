/**
 * Helpers of the scoring integration tests: researchers with API tokens written straight to the
 * database (no sign-in UI in this worktree; tokens hashed with sha256Hex as lib/auth/access reads
 * them), deterministic test maps, and request builders for the route handlers.
 */
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { apiTokens, datasets, images, models, users } from '@/db/schema';
import { sha256Hex } from '@/lib/auth/access';
import type { Grid } from '@/lib/metrics/types';

export interface TestUser {
  readonly userId: string;
  readonly token: string;
  readonly auth: { readonly Authorization: string };
}

export async function createResearcher(db: Db, email: string, options: { role?: 'admin' | 'researcher'; scopes?: string[] } = {}): Promise<TestUser> {
  const [user] = await db
    .insert(users)
    .values({ email, name: email.split('@')[0] ?? email, passwordHash: 'scrypt$test$not-a-real-hash', role: options.role ?? 'researcher' })
    .returning({ id: users.id });
  const token = `gzb_${randomBytes(24).toString('hex')}`;
  await db.insert(apiTokens).values({ userId: user?.id ?? '', name: 'test', prefix: token.slice(0, 8), tokenHash: sha256Hex(token), scopes: options.scopes ?? ['read', 'write'] });
  return { userId: user?.id ?? '', token, auth: { Authorization: `Bearer ${token}` } };
}

/** A centre-bias-like test map (deterministic; no explainer involved). */
export function centreMap(width: number, height: number, cx = width / 2, cy = height / 2): Grid<Float32Array> {
  const s = Math.min(width, height) / 4;
  return {
    width,
    height,
    data: Float32Array.from({ length: width * height }, (_, i) => Math.exp(-(((i % width) + 0.5 - cx) ** 2 + (Math.floor(i / width) + 0.5 - cy) ** 2) / (2 * s * s))),
  };
}

export async function demoFixtures(db: Db) {
  const [dataset] = await db.select().from(datasets).where(eq(datasets.slug, 'demo-shapes')).limit(1);
  const [model] = await db.select().from(models).where(eq(models.slug, 'demo-shapes-cnn')).limit(1);
  if (!dataset || !model) throw new Error('demo not seeded');
  const imgs = await db.select().from(images).where(eq(images.datasetId, dataset.id)).orderBy(images.position);
  return { dataset, model, images: imgs };
}

export function jsonRequest(url: string, body: unknown, headers: Record<string, string> = {}, method = 'POST'): Request {
  return new Request(url, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export function bytesRequest(url: string, bytes: Uint8Array, type: string, headers: Record<string, string> = {}): Request {
  return new Request(url, { method: 'POST', headers: { 'Content-Type': type, ...headers }, body: bytes as Uint8Array<ArrayBuffer> });
}

export const params = <T extends Record<string, string>>(p: T) => ({ params: Promise.resolve(p) });
