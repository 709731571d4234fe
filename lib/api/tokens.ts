/** API tokens of the signed-in researcher (app/api/v1/tokens/**). Managed from a browser session only. */
import { z } from 'zod';
import { defineRoute } from '@/lib/http/openapi';
import { IdParams, NoContent, Timestamp } from './common';

export const SCOPES = ['read', 'write'] as const;

export const CreateTokenBody = z.object({
  name: z.string().trim().min(1, 'required').max(100, 'at most 100 characters'),
  scopes: z
    .array(z.enum(SCOPES))
    .min(1, 'choose at least one scope')
    .default(['read'])
    .meta({ description: '"write" implies "read"' }),
});

export const TokenBody = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string().meta({ description: 'first characters of the token, e.g. "gzb_AbCdEfGh"' }),
  scopes: z.array(z.enum(SCOPES)),
  lastUsedAt: Timestamp.nullable(),
  revokedAt: Timestamp.nullable(),
  createdAt: Timestamp,
});

export const CreatedTokenBody = z.object({
  token: z.string().meta({ description: 'the secret, shown this once: store it now' }),
  apiToken: TokenBody,
});

export const listTokens = defineRoute({
  method: 'GET', path: '/api/v1/tokens', tags: ['accounts'], auth: 'session',
  summary: 'List your API tokens (never their secrets)',
  responses: { 200: { description: 'your tokens', schema: z.object({ tokens: z.array(TokenBody) }) } },
});

export const createToken = defineRoute({
  method: 'POST', path: '/api/v1/tokens', tags: ['accounts'], auth: 'session',
  summary: 'Create an API token; the answer is the only time the secret is shown',
  body: { kind: 'json', schema: CreateTokenBody },
  responses: { 201: { description: 'created', schema: CreatedTokenBody } },
});

export const revokeToken = defineRoute({
  method: 'DELETE', path: '/api/v1/tokens/{id}', tags: ['accounts'], auth: 'session', resource: 'token',
  summary: 'Revoke an API token (idempotent)',
  params: IdParams,
  responses: { 204: NoContent },
});
