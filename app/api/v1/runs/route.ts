import path from 'node:path';
import { getDb } from '@/db/client';
import { getDatasetById, getModelById } from '@/db/queries/datasets';
import { createRun, getRunContext } from '@/db/queries/runs';
import { CreateRunBody } from '@/lib/api/runs';
import { canRead } from '@/lib/auth/access';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { refusalOf, storedModelMethods } from '@/lib/models/stored-methods';
import { dataDir } from '@/lib/server/paths';
import { apiError, notFound, readJsonBody, withHttpErrors } from '@/lib/http/errors';
import { runJson, runProgress } from '@/lib/scoring/progress';

export const dynamic = 'force-dynamic';

/** Creates a run (model × explainer × dataset); its maps follow with POST /api/v1/runs/{id}/maps (lib/api/runs.ts). */
export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const b = await readJsonBody(request, CreateRunBody);
    const dataset = await getDatasetById(db, b.datasetId);
    if (!dataset || !canRead(actor, dataset)) return apiError(404, 'not_found', 'dataset not found', 'datasetId');
    const model = await getModelById(db, b.modelId);
    if (!model || !canRead(actor, model)) return apiError(404, 'not_found', 'model not found', 'modelId');
    // The stored model decides which methods it can run (lib/models/stored-methods.ts), not the client.
    const methods = await storedModelMethods(db, dataDir(), path.resolve(/*turbopackIgnore: true*/ process.cwd(), 'public'), model);
    const refused = refusalOf(methods, b.explainer);
    if (refused !== null) return apiError(422, 'method_refused', `${b.explainer} cannot run on the model '${model.name}': ${refused}`, 'explainer');
    const run = await createRun(db, {
      datasetId: dataset.id,
      modelId: model.id,
      explainer: b.explainer,
      params: b.params,
      target: b.target,
      name: b.name,
      ownerId: userIdOf(actor),
      source: actor.kind === 'user' && actor.via === 'token' ? 'api' : 'browser',
      evaluateWithoutGroundTruth: b.evaluate,
      evaluationStep: b.evaluationStep ?? null,
      modality: b.modality ?? null,
      scoreEmd: b.emd,
      visibility: b.visibility,
    });
    const context = await getRunContext(db, run.id);
    if (!context) return notFound('run');
    return Response.json(runJson(context, await runProgress(db, context)), { status: 201, headers: { Location: `/api/v1/runs/${run.id}` } });
  });
}
