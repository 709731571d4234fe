import { getDb } from '@/db/client';
import { resolveActor } from '@/lib/auth/access';
import { apiError, notFound, zodError } from '@/lib/http/errors';
import { LeaderboardSearch, leaderboardQuery } from '@/lib/http/leaderboard-query';
import { readableDataset } from '@/lib/http/resources';
import { buildLeaderboard, LeaderboardQueryError } from '@/lib/leaderboard/build';
import { citedSnapshot } from '@/lib/leaderboard/cited';

export const dynamic = 'force-dynamic';

/**
 * The dataset's leaderboard (id or slug): runs, human ceiling and baselines with mean, sample
 * variance, 95 % bootstrap CI and n per column, significance marks, and a citable snapshot id.
 * `?snapshot=lb_…` answers that snapshot as it was, with `stale` saying whether it is still current.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string }> }) {
  const { id } = await ctx.params;
  const search = LeaderboardSearch.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!search.success) return zodError(search.error);
  const db = await getDb();
  const actor = await resolveActor(db, req);
  const dataset = await readableDataset(db, actor, id);
  if (!dataset) return notFound('dataset');
  if (search.data.snapshot) {
    const cited = await citedSnapshot(db, actor, dataset, search.data.snapshot);
    if (!cited) return apiError(404, 'not_found', `snapshot ${search.data.snapshot} not found for this dataset`, 'snapshot');
    return Response.json(cited, { headers: { 'Cache-Control': 'no-store' } });
  }
  try {
    return Response.json(await buildLeaderboard(db, actor, dataset, leaderboardQuery(search.data)), { headers: { 'Cache-Control': 'no-store' } });
  } catch (error) {
    if (error instanceof LeaderboardQueryError) return apiError(400, 'invalid_request', error.message, error.field);
    throw error;
  }
}
