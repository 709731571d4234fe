import { getDb } from '@/db/client';
import { resolveActor } from '@/lib/auth/access';
import { notFound, zodError } from '@/lib/http/errors';
import { IdParams } from '@/lib/http/params';
import { readableRun } from '@/lib/http/resources';
import { runJson, runProgress } from '@/lib/scoring/progress';

export const dynamic = 'force-dynamic';

/** A run with its progress: maps received, scores settled out of those expected. */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const params = IdParams.safeParse(await ctx.params);
  if (!params.success) return zodError(params.error);
  const db = await getDb();
  const context = await readableRun(db, await resolveActor(db, req), params.data.id);
  if (!context) return notFound('run');
  return Response.json(runJson(context, await runProgress(db, context)), { headers: { 'Cache-Control': 'no-store' } });
}
