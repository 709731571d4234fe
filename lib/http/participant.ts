/**
 * Plumbing shared by the participant routes (app/api/v1/studies/[slug]/…, app/api/v1/sessions/…):
 * a capped JSON body reader (the size is checked while reading, before any parsing), the
 * per-session token header, and the mapping of FlowError to the JSON error answer.
 */
import type { z } from 'zod';
import { MAX_BODY_BYTES, SESSION_TOKEN_HEADER } from '@/lib/studies/contract';
import { FlowError } from '@/lib/studies/errors';
import { errorBody, HttpError, unexpectedError, zodErrorBody, type ErrorBody } from './errors';
import { controlCharacterDetail, findControlCharacter } from './text';

/**
 * Reads at most `maxBytes` + 1 bytes of the body: more is 413 without parsing. An empty body is
 * `undefined` (optional bodies); malformed JSON is 400.
 */
export async function readJsonBody(request: Request, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  return decodeJsonBody(await readBodyBytes(request, maxBytes), maxBytes);
}

/** The body's bytes, read up to `maxBytes` + 1: more (or a larger declared length) is 413. */
export async function readBodyBytes(request: Request, maxBytes = MAX_BODY_BYTES): Promise<Uint8Array> {
  const declared = Number(request.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
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
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    bytes.set(c, offset);
    offset += c.byteLength;
  }
  return bytes;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's bytes as JSON: over `maxBytes` is 413, empty is `undefined`, malformed is 400. */
export function decodeJsonBody(bytes: Uint8Array, maxBytes = MAX_BODY_BYTES): unknown {
  if (bytes.byteLength > maxBytes) throw tooLarge(maxBytes);
  if (bytes.byteLength === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(utf8.decode(bytes)) as unknown;
  } catch {
    throw new FlowError(400, 'invalid_json', 'the request body is not valid UTF-8 JSON');
  }
  refuseControls(json, 'body');
  return json;
}

function refuseControls(value: unknown, topField: string): void {
  const found = findControlCharacter(value);
  if (found) throw new FlowError(400, 'invalid_request', controlCharacterDetail(found), found.path || topField);
}

function tooLarge(maxBytes: number): FlowError {
  return new FlowError(413, 'payload_too_large', `the request body exceeds ${maxBytes} bytes`);
}

/** Parses with a contract schema; a failure is the 400 naming the first failing field. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  refuseControls(value, 'query');
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw invalidRequest(parsed.error);
  return parsed.data;
}

/** A zod failure as a refusal to throw: the 400 naming its first failing field. */
export function invalidRequest(error: z.ZodError): Error {
  return new ZodFlowError(error);
}

class ZodFlowError extends Error {
  constructor(readonly zod: z.ZodError) {
    super('invalid request');
  }
}

/** The session token from its header; missing → 401. */
export function sessionToken(request: Request): string {
  return requireToken(request.headers.get(SESSION_TOKEN_HEADER));
}

/** A session token header's value (as read from any request object); missing or blank → 401. */
export function requireToken(value: string | null | undefined): string {
  const token = value?.trim();
  if (!token) throw new FlowError(401, 'token_required', `the ${SESSION_TOKEN_HEADER} header is required`);
  return token;
}

/** The JSON answer of an expected refusal (status and body), or null for anything else. */
export function refusal(err: unknown): { status: number; body: ErrorBody } | null {
  if (err instanceof FlowError) return { status: err.status, body: errorBody(err.code, err.message, err.field) };
  if (err instanceof ZodFlowError) return { status: 400, body: zodErrorBody(err.zod) };
  // Researcher-side helpers (lib/http/errors.ts parseWith, readJsonBody) throw HttpError.
  if (err instanceof HttpError) return { status: err.status, body: errorBody(err.error, err.message, err.field) };
  return null;
}

export type Refusal = NonNullable<ReturnType<typeof refusal>>;

/**
 * Runs a handler body that returns a value: 200 with it, or an expected refusal as status and JSON
 * body; anything else is unexpectedError's answer. For routes that the production server also serves without
 * Next (lib/server/fast-routes.ts).
 */
export async function plainAnswer<T>(fn: () => Promise<T>): Promise<{ status: 200; body: T } | Refusal> {
  try {
    return { status: 200, body: await fn() };
  } catch (err) {
    return refusal(err) ?? (unexpectedError(err) as Refusal);
  }
}

/** Runs a handler body; expected refusals become their JSON answer, anything else unexpectedError's. */
export async function answer(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    const r = refusal(err) ?? unexpectedError(err);
    return Response.json(r.body, { status: r.status });
  }
}
