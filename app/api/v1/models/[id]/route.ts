import { getDb } from '@/db/client';
import { deleteModel, getModelById, updateModel, type ModelRow } from '@/db/queries/models';
import { ConfirmQuery, IdParams } from '@/lib/api/common';
import { UpdateModelBody } from '@/lib/api/models';
import { presentModel } from '@/lib/api/present';
import { canRead, canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, readJsonBody, withHttpErrors } from '@/lib/http/errors';
import { resolveStoredTargetLayer } from '@/lib/models/target-layer';
import { dataDir } from '@/lib/server/paths';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string }> };

async function loadReadable(request: Request, ctx: Ctx, need: 'public' | 'write') {
  const { id } = parseWith(IdParams, await ctx.params);
  const db = await getDb();
  const actor = await authorize(db, request, { need });
  if (actor instanceof Response) return actor;
  const model = await getModelById(db, id);
  if (!model || !canRead(actor, model)) return notFound('model');
  if (need === 'write' && !canWrite(actor, model)) return apiError(403, 'forbidden', 'only the owner or an admin may change this model');
  return { db, actor, model };
}

/**
 * A new target layer of an uploaded model, as the explainers would take it (layers models: a path,
 * or a bare name unique in nested models; graph models: a node the CAM split takes; 4-D output),
 * stored as its full path; 400 listing candidates otherwise (lib/models/target-layer.ts).
 * Platform models have no stored files to check against.
 */
async function checkedTargetLayer(model: ModelRow, layer: string | null): Promise<string | null> {
  if (layer === null || !model.files?.some((f) => f.name === 'model.json')) return layer;
  return resolveStoredTargetLayer(dataDir(), { ...model, files: model.files }, layer);
}

export async function GET(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const found = await loadReadable(request, ctx, 'public');
    if (found instanceof Response) return found;
    return Response.json(presentModel(found.model, found.actor));
  });
}

export async function PATCH(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const found = await loadReadable(request, ctx, 'write');
    if (found instanceof Response) return found;
    const { db, actor, model } = found;
    const patch = await readJsonBody(request, UpdateModelBody);
    if (patch.labels && patch.labels.length !== model.labels.length) {
      return apiError(422, 'invalid_model', `${patch.labels.length} labels for a model with ${model.labels.length} outputs`, 'labels');
    }
    if (patch.targetLayer !== undefined) patch.targetLayer = await checkedTargetLayer(model, patch.targetLayer);
    const row = await updateModel(db, model.id, patch);
    if (!row) return notFound('model');
    return Response.json(presentModel({ ...row, ownerName: model.ownerName }, actor));
  });
}

/** Deletes the model with its runs and scores: `?confirm=<slug>`. */
export async function DELETE(request: Request, ctx: Ctx) {
  return withHttpErrors(async () => {
    const found = await loadReadable(request, ctx, 'write');
    if (found instanceof Response) return found;
    const { confirm } = parseWith(ConfirmQuery, Object.fromEntries(new URL(request.url).searchParams));
    if (confirm !== found.model.slug) return apiError(422, 'confirmation_mismatch', `type the model's slug '${found.model.slug}' to confirm`, 'confirm');
    await deleteModel(found.db, found.model.id);
    return new Response(null, { status: 204 });
  });
}
