import { getDb } from '@/db/client';
import { startSession } from '@/db/queries/sessions';
import { listStudySessions } from '@/db/queries/studies';
import { IdParams } from '@/lib/api/common';
import { authorize } from '@/lib/auth/authorize';
import { notFound, zodError } from '@/lib/http/errors';
import { StudySlugParams } from '@/lib/http/params';
import { readableStudy } from '@/lib/http/resources';
import { answer, parseWith, readJsonBody } from '@/lib/http/participant';
import { serverSecret } from '@/lib/server/secret';
import { publicConfig } from '@/lib/studies/config';
import { StartSessionRequest, type StartSessionResponse, type StudySessionRow } from '@/lib/studies/contract';
import { presentTrial } from '@/lib/studies/present';

export const dynamic = 'force-dynamic';

/** Participant: start a session on the study with this slug → 201 with the token (shown once) and the trials. */
export async function POST(req: Request, ctx: { params: Promise<{ id: string }> }) {
  return answer(async () => {
    const { id: slug } = parseWith(StudySlugParams, await ctx.params);
    const body = parseWith(StartSessionRequest, await readJsonBody(req));
    const started = await startSession(await getDb(), { slug, ...body, secret: serverSecret() });
    const res: StartSessionResponse = {
      sessionId: started.sessionId,
      token: started.token,
      modality: started.modality,
      trials: started.trials.map((t) => presentTrial(started.sessionId, t)),
      config: publicConfig(started.config),
    };
    return Response.json(res, { status: 201, headers: { 'Cache-Control': 'no-store' } });
  });
}

/** Researcher (owner or admin): the quality table of the study's sessions. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const params = IdParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'signed-in' });
  if (actor instanceof Response) return actor;
  const study = await readableStudy(db, actor, params.data.id);
  if (!study) return notFound('study');
  const rows = await listStudySessions(db, study.id);
  const sessions: StudySessionRow[] = rows.map((r) => {
    const q = (r.quality ?? {}) as { summary?: StudySessionRow['quality']; decision?: StudySessionRow['decision'] };
    return {
      id: r.id,
      observerLabel: r.observerLabel,
      modality: r.modality === 'mouse' ? 'mouse' : 'webcam',
      status: r.status,
      decision: q.decision ?? null,
      reviewDecision: r.reviewDecision === 'accepted' || r.reviewDecision === 'rejected' ? r.reviewDecision : null,
      quality: q.summary ?? null,
      createdAt: r.createdAt.toISOString(),
      completedAt: r.completedAt?.toISOString() ?? null,
    };
  });
  return Response.json({ studyId: study.id, sessions });
}
