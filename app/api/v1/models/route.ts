import { getDb } from '@/db/client';
import { getModelById, listModelsVisibleTo } from '@/db/queries/models';
import { CreateModelBody } from '@/lib/api/models';
import { presentModel } from '@/lib/api/present';
import { isAdmin } from '@/lib/auth/access';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { notFound, readJsonBody, withHttpErrors } from '@/lib/http/errors';
import { finalizeModel, readStagedUpload, resolveSettings } from '@/lib/models/upload';
import { dataDir } from '@/lib/server/paths';

export const dynamic = 'force-dynamic';

export async function GET(request: Request) {
  const db = await getDb();
  const actor = await authorize(db, request, { need: 'public' });
  if (actor instanceof Response) return actor;
  const rows = await listModelsVisibleTo(db, actor.kind === 'user' ? actor.userId : null);
  return Response.json({ models: rows.map((m) => presentModel(m, actor)) });
}

/** Saves a staged upload (POST /api/v1/models/uploads) as a model; unset settings default to the detected ones. */
export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const body = await readJsonBody(request, CreateModelBody);
    const staged = await readStagedUpload(dataDir(), body.uploadId);
    if (!staged || (staged.ownerId !== userIdOf(actor) && !isAdmin(actor))) return notFound('staged upload');
    const settings = resolveSettings(staged, body);
    const card = { slug: body.slug, name: body.name, architecture: body.architecture, trainingData: body.trainingData, license: body.license, visibility: body.visibility };
    const row = await finalizeModel(db, dataDir(), staged, card, settings);
    return Response.json(presentModel((await getModelById(db, row.id)) ?? row, actor), { status: 201 });
  });
}
