import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { getStudyById, setReviewDecision } from '@/db/queries/studies';
import { canRead, canWrite, resolveActor, type Actor } from '@/lib/auth/access';
import { apiError, notFound, zodError } from '@/lib/http/errors';
import { answer, parseWith, readJsonBody } from '@/lib/http/participant';
import { SessionDecisionRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

const Params = z.object({ id: z.uuid('must be a UUID'), sessionId: z.uuid('must be a UUID') });

/** Cookie-authenticated mutations must carry the session's CSRF token (X-CSRF-Token). */
function csrfOk(req: Request, actor: Actor): boolean {
  if (actor.kind !== 'user' || actor.via !== 'cookie') return true;
  const sent = Buffer.from(req.headers.get('x-csrf-token') ?? '', 'utf8');
  const expected = Buffer.from(actor.csrfToken ?? '', 'utf8');
  return expected.length > 0 && sent.length === expected.length && timingSafeEqual(sent, expected);
}

/** Researcher override: accept or reject a finished session; ground truth follows. */
export async function PATCH(req: Request, ctx: { params: Promise<{ id: string; sessionId: string }> }) {
  const params = Params.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const db = await getDb();
  const actor = await resolveActor(db, req);
  if (actor.kind === 'anonymous') return apiError(401, 'unauthenticated', 'sign in or send an API token');
  const study = await getStudyById(db, params.data.id);
  if (!study || !canRead(actor, { ownerId: study.ownerId, visibility: 'private' })) return notFound('study');
  if (!canWrite(actor, { ownerId: study.ownerId })) return apiError(403, 'forbidden', 'you may not review this study');
  if (!csrfOk(req, actor)) return apiError(403, 'csrf_failed', 'missing or wrong X-CSRF-Token header');
  return answer(async () => {
    const { decision } = parseWith(SessionDecisionRequest, await readJsonBody(req));
    const result = await setReviewDecision(db, { studyId: study.id, sessionId: params.data.sessionId, decision, by: actor.userId });
    return Response.json(result);
  });
}
