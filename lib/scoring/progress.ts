/**
 * A run as the API and the run page show it: its settings and its progress — maps received out
 * of the dataset's images, and scores settled (stored or failed with a reason) out of those
 * expected now: each map × each modality whose ground truth covers its image × each metric, plus
 * each map × each requested evaluation metric. Scores of older ground-truth versions stay stored
 * but do not count towards the current progress.
 */
import type { Db } from '@/db/client';
import { datasetImages } from '@/db/queries/datasets';
import { currentDensityMaps } from '@/db/queries/ground-truth';
import { getRunContext, runMapIndex, scoreKey, scoreKeySets } from '@/db/queries/runs';
import { runMetrics, runModalities } from './score-run';

export type RunContext = NonNullable<Awaited<ReturnType<typeof getRunContext>>>;

export interface RunProgress {
  readonly images: number;
  readonly mapsReceived: number;
  readonly scoresExpected: number;
  readonly scoresDone: number;
  readonly scoresFailed: number;
}

export async function runProgress(db: Db, context: RunContext): Promise<RunProgress> {
  const { run } = context;
  const [images, maps, keys] = await Promise.all([datasetImages(db, run.datasetId), runMapIndex(db, run.id), scoreKeySets(db, run.id)]);
  const expected: string[] = [];
  const metrics = runMetrics(run);
  for (const modality of await runModalities(db, run)) {
    const versions = new Map((await currentDensityMaps(db, run.datasetId, modality)).map((v) => [v.imageId, v.id]));
    for (const map of maps) {
      const id = versions.get(map.imageId);
      if (id) for (const m of metrics) expected.push(scoreKey(map.imageId, m, id));
    }
  }
  for (const map of maps) for (const m of run.evaluateWithoutGroundTruth) expected.push(scoreKey(map.imageId, m, null));
  return {
    images: images.length,
    mapsReceived: maps.length,
    scoresExpected: expected.length,
    scoresDone: expected.filter((k) => keys.scored.has(k)).length,
    scoresFailed: expected.filter((k) => keys.failed.has(k)).length,
  };
}

export function runJson(context: RunContext, progress: RunProgress) {
  const { run, dataset, model } = context;
  return {
    id: run.id,
    name: run.name,
    dataset: { id: dataset.id, slug: dataset.slug, name: dataset.name },
    model: { id: model.id, slug: model.slug, name: model.name },
    explainer: run.explainer,
    params: run.params,
    target: run.target,
    modality: run.modality,
    evaluate: run.evaluateWithoutGroundTruth,
    evaluationStep: run.evaluationStep,
    emd: run.scoreEmd,
    visibility: run.visibility,
    status: run.status,
    createdAt: run.createdAt.toISOString(),
    progress,
    links: {
      self: `/api/v1/runs/${run.id}`,
      maps: `/api/v1/runs/${run.id}/maps`,
      scoresCsv: `/api/v1/runs/${run.id}/scores.csv`,
      scoresJson: `/api/v1/runs/${run.id}/scores.json`,
      page: `/runs/${run.id}`,
      leaderboard: `/leaderboard/${dataset.slug}`,
    },
  };
}
