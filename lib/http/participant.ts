/**
 * Plumbing shared by the participant routes (app/api/v1/studies/[slug]/…, app/api/v1/sessions/…):
 * a capped JSON body reader (the size is checked while reading, before any parsing), the
 * per-session token header, and the mapping of FlowError to the JSON error answer.
 */
import type { z } from 'zod';
import { MAX_BODY_BYTES, SESSION_TOKEN_HEADER } from '@/lib/studies/contract';
import { FlowError } from '@/lib/studies/errors';
import { apiError, zodError } from './errors';

/**
 * Reads at most `maxBytes` + 1 bytes of the body: more is 413 without parsing. An empty body is
 * `undefined` (optional bodies); malformed JSON is 400.
 */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  if (size === 0) return undefined;
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as unknown;
  } catch {
    throw new FlowError(400, 'invalid_json', 'the request body is not valid UTF-8 JSON');
  }
}

function tooLarge(maxBytes: number): FlowError {
  return new FlowError(413, 'payload_too_large', `the request body exceeds ${maxBytes} bytes`);
}

/** Parses with a contract schema; a failure is the 400 naming the first failing field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ZodFlowError(parsed.error);
  return parsed.data;
}

class ZodFlowError extends Error {
  constructor(readonly zod: z.ZodError) {
    super('invalid request');
  }
}

/** The session token from its header; missing → 401. */
export function sessionToken(request: Request): string {
  const token = request.headers.get(SESSION_TOKEN_HEADER)?.trim();
  if (!token) throw new FlowError(401, 'token_required', `the ${SESSION_TOKEN_HEADER} header is required`);
  return token;
}

/** Runs a handler body; expected refusals become their JSON answer, anything else propagates (500). */
export async function answer(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof FlowError) return apiError(err.status, err.code, err.message, err.field);
    if (err instanceof ZodFlowError) return zodError(err.zod);
    throw err;
  }
}
