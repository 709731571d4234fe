import { getDb } from '@/db/client';
import { deleteModel, getModelById, updateModel, type ModelRow } from '@/db/queries/models';
import { ConfirmQuery, IdParams } from '@/lib/api/common';
import { UpdateModelBody } from '@/lib/api/models';
import { presentModel } from '@/lib/api/present';
import { canRead, canWrite } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { apiError, HttpError, notFound, parseWith, readJsonBody, withHttpErrors } from '@/lib/http/errors';
import { layerNames } from '@/lib/models/topology';
import { dataDir } from '@/lib/server/paths';
import { readBlob } from '@/lib/storage/blobs';

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

/** A new target layer must be a layer of the stored model.json (uploaded layers-models only). */
async function checkTargetLayer(model: ModelRow, layer: string | null): Promise<void> {
  if (layer === null || model.format !== 'layers') return;
  const file = model.files?.find((f) => f.name === 'model.json');
  if (!file) return;
  const names = layerNames(JSON.parse((await readBlob(dataDir(), file.sha256)).toString('utf8')));
  if (!names.includes(layer)) throw new HttpError(422, 'invalid_model', `the model has no layer named '${layer}'`, 'targetLayer');
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
    if (patch.targetLayer !== undefined) await checkTargetLayer(model, patch.targetLayer);
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
