/**
 * POST /api/v1/sessions/{id}/samples, the one route every participant calls about once a second.
 * Its work is here, in terms of plain values (id, token header, body bytes → status and JSON), so
 * that the Next route (app/api/v1/sessions/[id]/samples/route.ts) and the production server's
 * fast path (lib/server/fast-routes.ts) run the very same code, the latter without building WHATWG
 * Request/Response objects for each batch.
 */
import { getDb } from '@/db/client';
import { ingestSamples } from '@/db/queries/samples';
import { authorizeSession } from '@/db/queries/sessions';
import { SessionParams } from '@/lib/http/params';
import { decodeJsonBody, parseWith, refusal, requireToken } from '@/lib/http/participant';
import { SampleBatchRequest, type SampleBatchResponse } from '@/lib/studies/contract';

export type SampleBatchAnswer =
  | { readonly status: 200; readonly body: SampleBatchResponse }
  | { readonly status: number; readonly body: { error: string; field?: string; detail: string } };

/**
 * Participant (token): one batch of gaze samples → {stored: n}, or {duplicate: true} for a replayed
 * seq. Checks in this order: the session id (400), the token header (401), the body's size (413)
 * and JSON (400); the token is checked in the same statement that finds the trial, and a malformed
 * batch is answered 403 rather than 400 when the token is wrong as well. Errors other than these
 * refusals propagate (the caller answers 500).
 */
export async function sampleBatch(id: string, tokenHeader: string | null | undefined, body: () => Promise<Uint8Array>): Promise<SampleBatchAnswer> {
  try {
    const session = parseWith(SessionParams, { id }).id;
    const token = requireToken(tokenHeader);
    const db = await getDb();
    const raw = decodeJsonBody(await body());
    const parsed = SampleBatchRequest.safeParse(raw);
    if (parsed.success) return { status: 200, body: await ingestSamples(db, session, token, parsed.data) };
    await authorizeSession(db, session, token);
    parseWith(SampleBatchRequest, raw);
    throw new Error('unreachable: the batch failed to parse once and parsed the second time');
  } catch (err) {
    const r = refusal(err);
    if (r) return r;
    throw err;
  }
}
