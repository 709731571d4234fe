import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { getDb } from '@/db/client';
import { getModelById } from '@/db/queries/models';
import { ModelFileParams } from '@/lib/api/models';
import { canRead } from '@/lib/auth/access';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { bundleConfigOf } from '@/lib/models/upload';
import { dataDir } from '@/lib/server/paths';
import { blobPath } from '@/lib/storage/blobs';

export const dynamic = 'force-dynamic';

/**
 * Files of an uploaded bundle, for the browser's tf.loadLayersModel(model.url): model.json, its
 * shards (streamed from the blob store) and gazebench.json (generated from the model's settings).
 */
export async function GET(request: Request, ctx: { params: Promise<{ id: string; name: string }> }) {
  return withHttpErrors(async () => {
    const { id, name } = parseWith(ModelFileParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'public' });
    if (actor instanceof Response) return actor;
    const model = await getModelById(db, id);
    if (!model || !canRead(actor, model)) return notFound('model');
    const cache = model.visibility === 'public' ? 'public, no-cache' : 'private, no-cache';
    if (name === 'gazebench.json') return Response.json(bundleConfigOf(model), { headers: { 'Cache-Control': cache } });
    if (model.files === null) return apiError(404, 'not_found', `this model is served from ${model.url}`);
    const file = model.files.find((f) => f.name === name);
    if (!file) return notFound(`file '${name}' of this model`);
    const etag = `"${file.sha256}"`;
    const headers = { ETag: etag, 'Cache-Control': cache, 'X-Content-Type-Options': 'nosniff' };
    if (request.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
    const body = Readable.toWeb(createReadStream(blobPath(dataDir(), file.sha256))) as unknown as ReadableStream<Uint8Array>;
    const type = name.endsWith('.json') ? 'application/json' : 'application/octet-stream';
    return new Response(body, { headers: { ...headers, 'Content-Type': type, 'Content-Length': String(file.bytes) } });
  });
}
