import { getDb } from '@/db/client';
import { setReviewDecision } from '@/db/queries/studies';
import { SessionIdParams } from '@/lib/api/studies';
import { canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, zodError } from '@/lib/http/errors';
import { answer, parseWith, readJsonBody } from '@/lib/http/participant';
import { readableStudy } from '@/lib/http/resources';
import { SessionDecisionRequest } from '@/lib/studies/contract';

export const dynamic = 'force-dynamic';

/** Researcher override: accept or reject a finished session; ground truth follows. */
export async function PATCH(req: Request, ctx: { params: Promise<{ id: string; sessionId: string }> }) {
  const params = SessionIdParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const db = await getDb();
  // The one gate: signed in with the write scope, and for cookies the CSRF check (token and Origin).
  const actor = await authorize(db, req, { need: 'write' });
  if (actor instanceof Response) return actor;
  if (actor.kind !== 'user') return apiError(401, 'unauthenticated', 'sign in or send an API token');
  const study = await readableStudy(db, actor, params.data.id);
  if (!study) return notFound('study');
  if (!canWrite(actor, { ownerId: study.ownerId })) return apiError(403, 'forbidden', 'you may not review this study');
  return answer(async () => {
    const { decision } = parseWith(SessionDecisionRequest, await readJsonBody(req));
    const result = await setReviewDecision(db, { studyId: study.id, sessionId: params.data.sessionId, decision, by: actor.userId });
    return Response.json(result);
  });
}
