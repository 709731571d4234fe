import { getDb } from '@/db/client';
import { runFailures, runScores } from '@/db/queries/runs';
import { ScoresFileParams } from '@/lib/api/runs';
import { authorize } from '@/lib/auth/authorize';
import { csvLine, csvResponse } from '@/lib/http/csv';
import { notFound, parseWith, withHttpErrors } from '@/lib/http/errors';
import { readableRun } from '@/lib/http/resources';
import { summariseCell } from '@/lib/leaderboard/aggregate';
import { runJson, runProgress } from '@/lib/scoring/progress';

export const dynamic = 'force-dynamic';

/**
 * A run's scores per image and aggregated (per metric × ground-truth modality and version: n,
 * mean, sample variance, 95 % bootstrap CI), as CSV (scope 'image' or 'aggregate' rows) or JSON.
 */
export async function GET(req: Request, ctx: { params: Promise<{ id: string; file: string }> }) {
  return withHttpErrors(() => scoresFile(req, ctx));
}

async function scoresFile(req: Request, ctx: { params: Promise<{ id: string; file: string }> }): Promise<Response> {
  const params = parseWith(ScoresFileParams, await ctx.params);
  const db = await getDb();
  const actor = await authorize(db, req, { need: 'public' });
  if (actor instanceof Response) return actor;
  const context = await readableRun(db, actor, params.id);
  if (!context) return notFound('run');
  const scores = await runScores(db, context.run.id);
  const groups = new Map<string, { metric: string; modality: string | null; version: number | null; values: number[] }>();
  for (const s of scores) {
    const key = `${s.metric}|${s.modality ?? ''}|${s.version ?? ''}`;
    const g = groups.get(key) ?? { metric: s.metric, modality: s.modality, version: s.version, values: [] };
    g.values.push(s.value);
    groups.set(key, g);
  }
  const aggregate = [...groups.values()].map((g) => {
    const c = summariseCell(g.values);
    return { metric: g.metric, modality: g.modality, groundTruthVersion: g.version, n: c?.n ?? 0, mean: c?.mean ?? null, variance: c?.variance ?? null, ci95: c?.ci ?? null };
  });
  if (params.file === 'scores.json') {
    return Response.json(
      {
        run: runJson(context, await runProgress(db, context)),
        scores: scores.map((s) => ({
          image: s.imageName,
          imageId: s.imageId,
          classLabel: s.classLabel,
          metric: s.metric,
          value: s.value,
          modality: s.modality,
          groundTruthVersion: s.version,
          densityMapId: s.densityMapId,
          ...(s.curveSource ? { curveSource: s.curveSource } : {}),
          ...(s.detail ? { detail: s.detail } : {}),
        })),
        aggregate,
        failures: await runFailures(db, context.run.id),
      },
      { headers: { 'Cache-Control': 'no-store' } },
    );
  }
  let csv = csvLine(['scope', 'image', 'image_id', 'class', 'metric', 'modality', 'gt_version', 'n', 'value', 'variance', 'ci95_lower', 'ci95_upper']);
  for (const s of scores) csv += csvLine(['image', s.imageName, s.imageId, s.classLabel, s.metric, s.modality, s.version, 1, s.value, null, null, null]);
  for (const a of aggregate) csv += csvLine(['aggregate', null, null, null, a.metric, a.modality, a.groundTruthVersion, a.n, a.mean, a.variance, a.ci95?.lower, a.ci95?.upper]);
  return csvResponse(csv, `run-${context.run.id}-scores.csv`);
}
