import { getDb } from '@/db/client';
import { IdOrSlugParams } from '@/lib/api/common';
import { LeaderboardSearch } from '@/lib/api/ground-truth';
import { authorize } from '@/lib/auth/authorize';
import { apiError, notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { leaderboardQuery } from '@/lib/http/leaderboard-query';
import { readableDataset } from '@/lib/http/resources';
import { buildLeaderboard, LeaderboardQueryError } from '@/lib/leaderboard/build';
import { citedSnapshot } from '@/lib/leaderboard/cited';

export const dynamic = 'force-dynamic';

/**
 * The dataset's leaderboard (id or slug): runs, human ceiling and baselines with mean, sample
 * variance, 95 % bootstrap CI and n per column, significance marks, and a citable snapshot id.
 * `?snapshot=lb_…` answers that snapshot as it was, with `stale` saying whether it is still current.
 */
export async function GET(request: Request, ctx: { params: Promise<{ id: string }> }) {
  return withHttpErrors(async () => {
    const { id } = parseWith(IdOrSlugParams, await ctx.params);
    const search = parseWith(LeaderboardSearch, Object.fromEntries(new URL(request.url).searchParams));
    const db = await getDb();
    const actor = await authorize(db, request, { need: 'public' });
    if (actor instanceof Response) return actor;
    const dataset = await readableDataset(db, actor, id.value);
    if (!dataset) return notFound('dataset');
    if (search.snapshot) {
      const cited = await citedSnapshot(db, actor, dataset, search.snapshot);
      if (!cited) return apiError(404, 'not_found', `snapshot ${search.snapshot} not found for this dataset`, 'snapshot');
      return Response.json(cited, { headers: { 'Cache-Control': 'no-store' } });
    }
    try {
      return Response.json(await buildLeaderboard(db, actor, dataset, leaderboardQuery(search)), { headers: { 'Cache-Control': 'no-store' } });
    } catch (error) {
      if (error instanceof LeaderboardQueryError) return apiError(400, 'invalid_request', error.message, error.field);
      throw error;
    }
  });
}
