import { getDb } from '@/db/client';
import { authorize, userIdOf } from '@/lib/auth/authorize';
import { withHttpErrors } from '@/lib/http/errors';
import { stageModelBundle } from '@/lib/models/upload';
import { dataDir } from '@/lib/server/paths';

export const dynamic = 'force-dynamic';

/** Multipart TF.js bundle → staged, checked, detected (lib/models/upload.ts). */
export async function POST(request: Request) {
  return withHttpErrors(async () => {
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'write' });
    if (actor instanceof Response) return actor;
    const staged = await stageModelBundle(dataDir(), userIdOf(actor), request);
    const { ownerId: _owner, createdAt: _created, ...body } = staged;
    return Response.json(body, { status: 201 });
  });
}
