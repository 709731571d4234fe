/**
 * JSON error answers for every API route: `{error, field?, detail}` with the
 * right status. Handlers validate with zod first and answer with the first
 * failing field.
 *
 * Statuses: 400 malformed input, 401 not signed in / bad token, 403 signed in but not allowed
 * (scope, CSRF), 404 absent or private to someone else, 409 conflict (slug taken), 413 too large,
 * 422 well-formed but unusable (an image that does not decode, a model whose shards are wrong),
 * 429 rate-limited (with Retry-After).
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { controlCharacterDetail, findControlCharacter } from './text';

export interface ErrorBody {
  error: string;
  field?: string;
  detail: string;
}

/** The JSON body of every error answer. */
export function errorBody(error: string, detail: string, field?: string): ErrorBody {
  return field ? { error, field, detail } : { error, detail };
}

/** The error body naming a zod failure's first failing field. */
export function zodErrorBody(err: z.ZodError): ErrorBody {
  const issue = err.issues[0];
  const field = issue ? issue.path.join('.') : undefined;
  return errorBody('invalid_request', issue?.message ?? 'invalid request', field || undefined);
}

export function apiError(status: number, error: string, detail: string, field?: string, headers?: HeadersInit): Response {
  return Response.json(errorBody(error, detail, field), { status, headers });
}

export function zodError(err: z.ZodError, status = 400): Response {
  return Response.json(zodErrorBody(err), { status });
}

export function notFound(what: string): Response {
  return apiError(404, 'not_found', `${what} not found`);
}

/**
 * An error that already knows its HTTP answer; lib code throws it (upload limits, bad files) and
 * `withHttpErrors` turns it into the JSON answer.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly error: string;
  readonly field: string | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(status: number, error: string, detail: string, field?: string, headers?: Record<string, string>) {
    super(detail);
    this.name = 'HttpError';
    this.status = status;
    this.error = error;
    this.field = field;
    this.headers = headers;
  }

  toResponse(): Response {
    return apiError(this.status, this.error, this.message, this.field, this.headers);
  }
}

/** The PostgreSQL error in an error's cause chain (drizzle wraps the driver's), if any. */
function postgresErrorOf(error: unknown): { code: string; message: string } | null {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = (e as Error & { cause?: unknown }).cause, depth++) {
    const code = (e as Error & { code?: unknown }).code;
    if (e.name === 'PostgresError' && typeof code === 'string') return { code, message: e.message };
  }
  return null;
}

/**
 * The answer for an error no handler expected. A PostgreSQL data exception (class 22: a value it
 * cannot store, such as a number out of range) is the client's input that validation let through:
 * 400. Anything else is the server's fault: 500 with an error id, and the stack logged under that
 * id, so the one who reports it can be matched to the log.
 */
export function unexpectedError(error: unknown): { status: number; body: ErrorBody } {
  const pg = postgresErrorOf(error);
  if (pg && pg.code.startsWith('22')) {
    return { status: 400, body: errorBody('invalid_request', `a value of the request cannot be stored: ${pg.message}`) };
  }
  const id = randomUUID().slice(0, 8);
  console.error(`[gazebench] internal error ${id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  return { status: 500, body: errorBody('internal_error', `internal error ${id}: the server's log has the details`) };
}

/** Runs a handler body; an HttpError becomes its JSON answer, anything else unexpectedError's. */
export async function withHttpErrors(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof HttpError) return error.toResponse();
    const answer = unexpectedError(error);
    return Response.json(answer.body, { status: answer.status });
  }
}

/** 400 for a forbidden control character anywhere in `value` (lib/http/text.ts). */
export function refuseControlCharacters(value: unknown, topField: string): void {
  const found = findControlCharacter(value);
  if (found) throw new HttpError(400, 'invalid_request', controlCharacterDetail(found), found.path || topField);
}

/** Parses a JSON request body with a zod schema; throws HttpError 400 naming the field. */
export async function readJsonBody<T extends z.ZodType>(request: Request, schema: T): Promise<z.infer<T>> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(400, 'invalid_request', 'send the body as JSON (Content-Type: application/json)', 'body');
  }
  let json: unknown;
  try {
    json = await request.json();
  } catch {
    throw new HttpError(400, 'invalid_request', 'the body is not valid JSON', 'body');
  }
  refuseControlCharacters(json, 'body');
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HttpError(400, 'invalid_request', issue?.message ?? 'invalid request', issue && issue.path.length > 0 ? issue.path.join('.') : undefined);
  }
  return parsed.data;
}

/** Validates route params or a query string with zod; throws HttpError 400 naming the field. */
export function parseWith<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  refuseControlCharacters(value, 'query');
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new HttpError(400, 'invalid_request', issue?.message ?? 'invalid request', issue && issue.path.length > 0 ? issue.path.join('.') : undefined);
}
