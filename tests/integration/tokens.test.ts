import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GET as session } from '@/app/api/v1/auth/session/route';
import { GET as getDataset, PATCH as patchDataset } from '@/app/api/v1/datasets/[id]/route';
import { GET as listDatasets, POST as createDataset } from '@/app/api/v1/datasets/route';
import { DELETE as revoke } from '@/app/api/v1/tokens/[id]/route';
import { GET as listTokens, POST as createToken } from '@/app/api/v1/tokens/route';
import type { DbHandle } from '@/db/client';
import { apiTokens } from '@/db/schema';
import { sha256Hex } from '@/lib/auth/access';
import { driver, freshDb } from './helpers';
import { anonymous, asCookie, asToken, call, makeUser, request, type TestUser } from './http-helpers';

interface Created {
  token: string;
  apiToken: { id: string; prefix: string; scopes: string[]; lastUsedAt: string | null; revokedAt: string | null };
}

describe(`API tokens on ${driver}`, () => {
  let handle: DbHandle;
  let ada: TestUser;
  let bob: TestUser;
  let read: Created;
  let write: Created;
  let datasetId: string;

  beforeAll(async () => {
    handle = await freshDb();
    ada = await makeUser(handle.db);
    bob = await makeUser(handle.db);
    const mk = async (name: string, scopes: string[]) => {
      const res = await call(createToken, request('/api/v1/tokens', { json: { name, scopes }, caller: asCookie(ada) }));
      expect(res.status).toBe(201);
      return (await res.json()) as Created;
    };
    read = await mk('reader', ['read']);
    write = await mk('writer', ['write']);
    const ds = await call(createDataset, request('/api/v1/datasets', { json: { name: 'Private', slug: 'ada-private' }, caller: asCookie(ada) }));
    datasetId = ((await ds.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await handle.close();
  });

  it('a token is shown once, stored as SHA-256 only, listed by prefix; "write" implies "read"', async () => {
    expect(read.token).toMatch(/^gzb_[A-Za-z0-9_-]{43}$/);
    expect(read.apiToken.prefix).toBe(read.token.slice(0, 12));
    expect(write.apiToken.scopes).toEqual(['read', 'write']);
    const rows = await handle.db.select().from(apiTokens);
    expect(rows.map((r) => r.tokenHash).sort()).toEqual([sha256Hex(read.token), sha256Hex(write.token)].sort());
    const list = await (await call(listTokens, request('/api/v1/tokens', { caller: asCookie(ada) }))).json();
    expect(JSON.stringify(list)).not.toContain(read.token);
    expect((list as { tokens: unknown[] }).tokens).toHaveLength(2);
    // Bob sees none of them.
    expect(((await (await call(listTokens, request('/api/v1/tokens', { caller: asCookie(bob) }))).json()) as { tokens: unknown[] }).tokens).toHaveLength(0);
  });

  it('a read token reads its owner’s private data but cannot change anything (403 insufficient_scope)', async () => {
    const got = await call(getDataset, request(`/api/v1/datasets/${datasetId}`, { caller: asToken(read.token) }), { id: datasetId });
    expect(got.status).toBe(200);
    const list = (await (await call(listDatasets, request('/api/v1/datasets', { caller: asToken(read.token) }))).json()) as { datasets: { slug: string }[] };
    expect(list.datasets.map((d) => d.slug)).toContain('ada-private');
    const patch = await call(patchDataset, request(`/api/v1/datasets/${datasetId}`, { method: 'PATCH', json: { name: 'x' }, caller: asToken(read.token) }), { id: datasetId });
    expect(patch.status).toBe(403);
    expect(await patch.json()).toMatchObject({ error: 'insufficient_scope' });
  });

  it('a write token changes data without any CSRF token (not a browser credential)', async () => {
    const patch = await call(patchDataset, request(`/api/v1/datasets/${datasetId}`, { method: 'PATCH', json: { name: 'Renamed' }, caller: asToken(write.token) }), { id: datasetId });
    expect(patch.status).toBe(200);
    expect(await patch.json()).toMatchObject({ name: 'Renamed' });
  });

  it('records when a token was last used', async () => {
    const list = (await (await call(listTokens, request('/api/v1/tokens', { caller: asCookie(ada) }))).json()) as { tokens: Created['apiToken'][] };
    const used = list.tokens.find((t) => t.id === write.apiToken.id);
    expect(used?.lastUsedAt).not.toBeNull();
    expect(Date.now() - Date.parse(used?.lastUsedAt ?? '')).toBeLessThan(60_000);
  });

  it('tokens cannot mint, list or revoke tokens: that needs the browser session', async () => {
    const mint = await call(createToken, request('/api/v1/tokens', { json: { name: 'sneaky', scopes: ['write'] }, caller: asToken(write.token) }));
    expect(mint.status).toBe(403);
    expect(await mint.json()).toMatchObject({ error: 'session_required' });
    expect((await call(listTokens, request('/api/v1/tokens', { caller: asToken(write.token) }))).status).toBe(403);
  });

  it('other users cannot revoke a token (404); its owner can, and it stops working at once (401)', async () => {
    const id = read.apiToken.id;
    expect((await call(revoke, request(`/api/v1/tokens/${id}`, { method: 'DELETE', caller: asCookie(bob) }), { id })).status).toBe(404);
    expect((await call(session, request('/api/v1/auth/session', { caller: asToken(read.token) }))).status).toBe(200);
    expect((await call(revoke, request(`/api/v1/tokens/${id}`, { method: 'DELETE', caller: asCookie(ada) }), { id })).status).toBe(204);
    const after = await call(session, request('/api/v1/auth/session', { caller: asToken(read.token) }));
    expect(after.status).toBe(401);
    expect(await after.json()).toMatchObject({ error: 'invalid_token' });
    // Even on public routes a dead token is refused rather than treated as anonymous.
    expect((await call(listDatasets, request('/api/v1/datasets', { caller: asToken(read.token) }))).status).toBe(401);
    // Revoking again is harmless and keeps the first time.
    const before = (await handle.db.select().from(apiTokens)).find((t) => t.id === id)?.revokedAt;
    expect((await call(revoke, request(`/api/v1/tokens/${id}`, { method: 'DELETE', caller: asCookie(ada) }), { id })).status).toBe(204);
    expect((await handle.db.select().from(apiTokens)).find((t) => t.id === id)?.revokedAt).toEqual(before);
  });

  it('token creation validates its input (400 naming the field)', async () => {
    const res = await call(createToken, request('/api/v1/tokens', { json: { name: '', scopes: ['admin'] }, caller: asCookie(ada) }));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'name' });
    const scopes = await call(createToken, request('/api/v1/tokens', { json: { name: 'x', scopes: ['admin'] }, caller: asCookie(ada) }));
    expect(await scopes.json()).toMatchObject({ field: 'scopes.0' });
    expect((await call(createToken, request('/api/v1/tokens', { json: { name: 'x' }, caller: anonymous }))).status).toBe(401);
  });
});
