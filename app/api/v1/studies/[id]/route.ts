import { getDb } from '@/db/client';
import { getDatasetById } from '@/db/queries/datasets';
import { sessionsStarted, updateStudy } from '@/db/queries/studies';
import { IdParams } from '@/lib/api/common';
import { presentStudy } from '@/lib/api/present-study';
import { UpdateStudyBody } from '@/lib/api/studies';
import { canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, readJsonBody, withHttpErrors } from '@/lib/http/errors';
import { answer } from '@/lib/http/participant';
import { readableStudy } from '@/lib/http/resources';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

export async function GET(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'signed-in' });
    if (actor instanceof Response) return actor;
    const study = await readableStudy(db, actor, id);
    if (!study) return notFound('study');
    const dataset = await getDatasetById(db, study.datasetId);
    if (!dataset) return notFound('study');
    return Response.json(presentStudy(study, dataset, await sessionsStarted(db, study), actor));
  });
}

/** Status transitions and edits (rules in lib/studies/lifecycle.ts); 409 for what the study's state forbids. */
export async function PATCH(request: Request, ctx: Ctx) {
  return withHttpErrors(() =>
    answer(async () => {
      const { id } = parseWith(IdParams, await ctx.params);
      const db = await getDb();
      const actor = await authorize(db, request, { need: 'write' });
      if (actor instanceof Response) return actor;
      const study = await readableStudy(db, actor, id);
      if (!study) return notFound('study');
      if (!canWrite(actor, study)) return apiError(403, 'forbidden', 'only the owner or an admin may change this study');
      const patch = await readJsonBody(request, UpdateStudyBody);
      const row = await updateStudy(db, study.id, patch);
      const dataset = await getDatasetById(db, row.datasetId);
      if (!dataset) return notFound('study');
      return Response.json(presentStudy(row, dataset, await sessionsStarted(db, row), actor));
    }),
  );
}
