/** Writes of a ground-truth import (lib/ground-truth/import.ts validates first; the caller wraps it in a transaction). */
import { and, eq } from 'drizzle-orm';
import type { Grid } from '@/lib/metrics/types';
import type { Db } from '../client';
import { fixations, gazeSessions, type Modality } from '../schema';
import { latestDensityMap, rebuildDensityMap, writeImportedDensityMap } from './ground-truth';

const INSERT_CHUNK = 1000;

export interface ImportPlan {
  readonly datasetId: string;
  readonly modality: Modality;
  readonly pixelsPerDegree: number | null;
  readonly fixations: readonly { imageId: string; observer: string; x: number; y: number; durationMs: number }[];
  readonly maps: readonly { imageId: string; grid: Grid<Float64Array> }[];
}

export async function existingObserverLabels(db: Db, datasetId: string, modality: Modality): Promise<Set<string>> {
  const rows = await db
    .select({ label: gazeSessions.observerLabel })
    .from(gazeSessions)
    .where(and(eq(gazeSessions.datasetId, datasetId), eq(gazeSessions.modality, modality)));
  return new Set(rows.map((r) => r.label));
}

/** Sessions, fixations and the new density map versions; returns the version per affected image. */
export async function applyGroundTruthImport(db: Db, plan: ImportPlan) {
  const labels = [...new Set(plan.fixations.map((f) => f.observer))];
  const sessionOf = new Map<string, string>();
  if (labels.length > 0) {
    const rows = await db
      .insert(gazeSessions)
      .values(labels.map((observerLabel) => ({ datasetId: plan.datasetId, modality: plan.modality, observerLabel, pixelsPerDegree: plan.pixelsPerDegree, status: 'accepted' })))
      .returning({ id: gazeSessions.id, label: gazeSessions.observerLabel });
    for (const r of rows) sessionOf.set(r.label, r.id);
  }
  // Start times: each observer's fixations on an image in file order, one after the other.
  const clock = new Map<string, number>();
  const rows = plan.fixations.map((f) => {
    const key = `${f.observer}\u0000${f.imageId}`;
    const start = clock.get(key) ?? 0;
    clock.set(key, start + Math.max(f.durationMs, 1));
    return { sessionId: sessionOf.get(f.observer) as string, imageId: f.imageId, x: f.x, y: f.y, startMs: start, durationMs: f.durationMs, sampleCount: 0 };
  });
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) await db.insert(fixations).values(rows.slice(i, i + INSERT_CHUNK));
  const written: { imageId: string; version: number; changed: boolean }[] = [];
  const mapped = new Set<string>();
  for (const m of plan.maps) {
    const w = await writeImportedDensityMap(db, m.imageId, plan.modality, m.grid);
    written.push({ imageId: m.imageId, version: w.version, changed: w.changed });
    mapped.add(m.imageId);
  }
  for (const imageId of new Set(plan.fixations.map((f) => f.imageId))) {
    if (mapped.has(imageId)) continue;
    // An imported map stays the map; a new version of it freezes the added fixations with it.
    const latest = await latestDensityMap(db, imageId, plan.modality);
    const w = latest?.source === 'imported' ? await writeImportedDensityMap(db, imageId, plan.modality, latest.grid) : await rebuildDensityMap(db, imageId, plan.modality);
    if (w) written.push({ imageId, version: w.version, changed: w.changed });
  }
  return written;
}
