/**
 * JSON error answers for every API route: `{error, field?, detail}` with the
 * right status. Handlers validate with zod first and answer with the first
 * failing field.
 */
import type { z } from 'zod';

export function apiError(status: number, error: string, detail: string, field?: string): Response {
  return Response.json(field ? { error, field, detail } : { error, detail }, { status });
}

export function zodError(err: z.ZodError, status = 400): Response {
  const issue = err.issues[0];
  const field = issue ? issue.path.join('.') : undefined;
  return apiError(status, 'invalid_request', issue?.message ?? 'invalid request', field || undefined);
}

export function notFound(what: string): Response {
  return apiError(404, 'not_found', `${what} not found`);
}
