/**
 * Serving a cited snapshot: the stored body exactly as it was, with whether it is still current
 * (the same filters computed now give the same id). Only served when the viewer may read every
 * run it lists (a snapshot made by an owner may show their private runs).
 */
import type { Db } from '@/db/client';
import { getSnapshot } from '@/db/queries/leaderboard';
import type { Modality } from '@/db/schema';
import type { Actor } from '../auth/access';
import { readableRun } from '../http/resources';
import { buildLeaderboard, type LeaderboardBody } from './build';

export interface CitedSnapshot {
  readonly snapshot: string;
  readonly stale: boolean;
  readonly currentSnapshot: string;
  readonly body: LeaderboardBody;
}

export async function citedSnapshot(db: Db, actor: Actor, dataset: { id: string; slug: string; name: string }, id: string): Promise<CitedSnapshot | undefined> {
  const row = await getSnapshot(db, id);
  if (!row || row.datasetId !== dataset.id) return undefined;
  const body = row.body as unknown as LeaderboardBody;
  for (const r of body.rows) if (r.kind === 'run' && !(await readableRun(db, actor, r.id))) return undefined;
  const current = await buildLeaderboard(db, actor, dataset, {
    modality: row.modality as Modality,
    ...(body.filters.classLabel ? { classLabel: body.filters.classLabel } : {}),
    ...(body.filters.version ? { version: body.filters.version } : {}),
  });
  return { snapshot: id, stale: current.snapshot !== id, currentSnapshot: current.snapshot, body };
}
