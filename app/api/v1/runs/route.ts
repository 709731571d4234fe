import { getDb } from '@/db/client';
import { getDatasetById, getModelById } from '@/db/queries/datasets';
import { createRun, getRunContext } from '@/db/queries/runs';
import { canRead, resolveActor } from '@/lib/auth/access';
import { apiError, notFound, zodError } from '@/lib/http/errors';
import { writerCheck } from '@/lib/http/resources';
import { CreateRunBody } from '@/lib/scoring/create-run';
import { runJson, runProgress } from '@/lib/scoring/progress';

export const dynamic = 'force-dynamic';

/** Creates a run (model × explainer × dataset); its maps follow with POST /api/v1/runs/{id}/maps. */
export async function POST(req: Request) {
  const db = await getDb();
  const actor = await resolveActor(db, req);
  const denied = writerCheck(actor, req);
  if (denied) return denied;
  let json: unknown;
  try {
    json = await req.json();
  } catch {
    return apiError(400, 'invalid_request', 'body must be JSON');
  }
  const body = CreateRunBody.safeParse(json);
  if (!body.success) return zodError(body.error);
  const dataset = await getDatasetById(db, body.data.datasetId);
  if (!dataset || !canRead(actor, dataset)) return apiError(404, 'not_found', 'dataset not found', 'datasetId');
  const model = await getModelById(db, body.data.modelId);
  if (!model || !canRead(actor, { ownerId: model.ownerId })) return apiError(404, 'not_found', 'model not found', 'modelId');
  if (actor.kind !== 'user') return apiError(401, 'unauthorized', 'sign in');
  const b = body.data;
  const run = await createRun(db, {
    datasetId: dataset.id,
    modelId: model.id,
    explainer: b.explainer,
    params: b.params,
    target: b.target,
    name: b.name,
    ownerId: actor.userId,
    source: actor.via === 'token' ? 'api' : 'browser',
    evaluateWithoutGroundTruth: b.evaluate,
    evaluationStep: b.evaluationStep ?? null,
    modality: b.modality ?? null,
    scoreEmd: b.emd,
    visibility: b.visibility,
  });
  const context = await getRunContext(db, run.id);
  if (!context) return notFound('run');
  return Response.json(runJson(context, await runProgress(db, context)), { status: 201, headers: { Location: `/api/v1/runs/${run.id}` } });
}
