import { getDb } from '@/db/client';
import { IdParams } from '@/lib/api/common';
import { authorize } from '@/lib/auth/authorize';
import { notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableRun } from '@/lib/http/resources';
import { runJson, runProgress } from '@/lib/scoring/progress';

export const dynamic = 'force-dynamic';

/** A run with its progress: maps received, scores settled out of those expected (lib/api/runs.ts). */
export async function GET(request: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdParams, await ctx.params);
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'public' });
    if (actor instanceof Response) return actor;
    const context = await readableRun(db, actor, id);
    if (!context) return notFound('run');
    return Response.json(runJson(context, await runProgress(db, context)), { headers: { 'Cache-Control': 'no-store' } });
  });
}
