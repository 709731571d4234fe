/** Reference rows (ceiling, baselines) per ground-truth version, and cited leaderboard snapshots. */
import { eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../client';
import { leaderboardSnapshots, referenceScores, type Modality } from '../schema';

export interface ReferenceScoreWrite {
  readonly densityMapId: string;
  readonly kind: string;
  readonly metric: string;
  readonly value: number;
  readonly detail?: Record<string, unknown> | null;
}

/** Upsert (derived data: recomputed when other images' ground truth changes). */
export async function upsertReferenceScores(db: Db, values: readonly ReferenceScoreWrite[]): Promise<void> {
  for (const v of values) if (!Number.isFinite(v.value)) throw new Error(`reference scores: refusing non-finite ${v.kind} ${v.metric} = ${v.value}`);
  const CHUNK = 500;
  for (let i = 0; i < values.length; i += CHUNK) {
    await db
      .insert(referenceScores)
      .values(values.slice(i, i + CHUNK).map((v) => ({ ...v, detail: v.detail ?? null })))
      .onConflictDoUpdate({
        target: [referenceScores.densityMapId, referenceScores.kind, referenceScores.metric],
        set: { value: sql`excluded.value`, detail: sql`excluded.detail`, updatedAt: new Date() },
      });
  }
}

export async function referenceScoresFor(db: Db, densityMapIds: readonly string[]) {
  if (densityMapIds.length === 0) return [];
  return db
    .select({ id: referenceScores.id, densityMapId: referenceScores.densityMapId, kind: referenceScores.kind, metric: referenceScores.metric, value: referenceScores.value, updatedAt: referenceScores.updatedAt })
    .from(referenceScores)
    .where(inArray(referenceScores.densityMapId, [...densityMapIds]));
}

/** The kinds of reference rows (ceiling, baselines) stored for each of these versions. */
export async function referenceKinds(db: Db, ids: readonly string[]): Promise<Map<string, Set<string>>> {
  const kinds = new Map<string, Set<string>>();
  if (ids.length === 0) return kinds;
  const rows = await db
    .selectDistinct({ id: referenceScores.densityMapId, kind: referenceScores.kind })
    .from(referenceScores)
    .where(inArray(referenceScores.densityMapId, [...ids]));
  for (const r of rows) kinds.set(r.id, (kinds.get(r.id) ?? new Set<string>()).add(r.kind));
  return kinds;
}

export async function saveSnapshot(
  db: Db,
  snapshot: { id: string; datasetId: string; modality: Modality; groundTruthState: string; body: Record<string, unknown> },
): Promise<void> {
  await db.insert(leaderboardSnapshots).values(snapshot).onConflictDoNothing();
}

export async function getSnapshot(db: Db, id: string) {
  const [row] = await db.select().from(leaderboardSnapshots).where(eq(leaderboardSnapshots.id, id)).limit(1);
  return row;
}
