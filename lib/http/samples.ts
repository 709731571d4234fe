/**
 * The two participant routes called most: POST /api/v1/sessions/{id}/samples (about once a second
 * per participant) and POST /api/v1/sessions/{id}/trials/{trialId}/start (once per image). Their
 * work is here, in terms of plain values (ids, token header, body bytes → status and JSON), so the
 * Next routes (app/api/v1/sessions/[id]/…) and the production server's fast path
 * (lib/server/fast-routes.ts) run the very same code, the latter without Next's pipeline and
 * without building WHATWG Request/Response objects.
 */
import { getDb } from '@/db/client';
import { ingestSamples } from '@/db/queries/samples';
import { authorizeSession } from '@/db/queries/sessions';
import { startTrial } from '@/db/queries/trials';
import { SessionParams, TrialParams } from '@/lib/http/params';
import { decodeJsonBody, invalidRequest, parseWith, plainAnswer, requireToken, type Refusal } from '@/lib/http/participant';
import { SampleBatchRequest, TrialStartRequest, type SampleBatchResponse } from '@/lib/studies/contract';

/**
 * Participant (token): one batch of gaze samples → {stored: n}, or {duplicate: true} for a replayed
 * seq. Checks in this order: the session id (400), the token header (401), the body's size (413)
 * and JSON (400); the token is checked in the same statement that finds the trial, and a malformed
 * batch is answered 403 rather than 400 when the token is wrong as well. Errors other than these
 * refusals propagate (the caller answers 500).
 */
export function sampleBatch(id: string, tokenHeader: string | null | undefined, body: () => Promise<Uint8Array>): Promise<{ status: 200; body: SampleBatchResponse } | Refusal> {
  return plainAnswer(async () => {
    const session = parseWith(SessionParams, { id }).id;
    const token = requireToken(tokenHeader);
    const db = await getDb();
    const raw = decodeJsonBody(await body());
    const parsed = SampleBatchRequest.safeParse(raw);
    if (parsed.success) return ingestSamples(db, session, token, parsed.data);
    await authorizeSession(db, session, token);
    throw invalidRequest(parsed.error);
  });
}

/**
 * Participant (token): the image is on screen at this rectangle → the trial's image pixels per
 * degree. Checks the ids (400), the token header (401), the body (413, 400), then the session.
 */
export function trialStart(id: string, trialId: string, tokenHeader: string | null | undefined, body: () => Promise<Uint8Array>): Promise<{ status: 200; body: Awaited<ReturnType<typeof startTrial>> } | Refusal> {
  return plainAnswer(async () => {
    const ids = parseWith(TrialParams, { id, trialId });
    const token = requireToken(tokenHeader);
    const req = parseWith(TrialStartRequest, decodeJsonBody(await body()));
    return startTrial(await getDb(), ids.id, token, ids.trialId, req);
  });
}
