/**
 * The ground truth in force for a dataset and modality, loaded once per job: per image the version
 * (id, size, σ, frozen fixations by observer), the sAUC negative pool built from those same
 * versions, and caches of the centre-bias maps by size and of density grids.
 */
import type { Db } from '@/db/client';
import { currentDensityMaps, densityMapsByIds, versionPoints } from '@/db/queries/ground-truth';
import type { Modality } from '@/db/schema';
import { centreBiasMap } from '../ground-truth/baselines';
import { negativePool, type NegativePool } from '../ground-truth/negatives';
import { decodePoints, flattenFixations, type ObserverFixations } from '../ground-truth/points';
import type { Grid, Point } from '../metrics/types';

export interface VersionInfo {
  readonly id: string;
  readonly imageId: string;
  readonly version: number;
  readonly width: number;
  readonly height: number;
  readonly sigmaPx: number | null;
  readonly source: string;
  readonly observers: readonly ObserverFixations[];
  readonly fixations: readonly Point[];
  readonly consistency: Record<string, unknown> | null;
}

export interface GroundTruthContext {
  readonly modality: Modality;
  /** imageId → version in force. */
  readonly versions: ReadonlyMap<string, VersionInfo>;
  readonly pool: NegativePool;
  centreBias(width: number, height: number): Grid<Float64Array>;
  density(densityMapId: string): Promise<Grid<Float64Array>>;
}

export async function loadGroundTruth(db: Db, datasetId: string, modality: Modality, version?: number): Promise<GroundTruthContext> {
  const current = await currentDensityMaps(db, datasetId, modality, version);
  const points = await versionPoints(db, current.map((c) => c.id));
  const byId = new Map(points.map((p) => [p.id, p]));
  const versions = new Map<string, VersionInfo>();
  for (const c of current) {
    const p = byId.get(c.id);
    const observers = p?.points ? decodePoints(p.points, p.observerLabels ?? []) : [];
    versions.set(c.imageId, {
      id: c.id,
      imageId: c.imageId,
      version: c.version,
      width: c.width,
      height: c.height,
      sigmaPx: c.sigmaPx,
      source: c.source,
      observers,
      fixations: flattenFixations(observers),
      consistency: p?.consistency ?? null,
    });
  }
  const pool = negativePool([...versions.values()].map((v) => ({ imageId: v.imageId, width: v.width, height: v.height, fixations: v.fixations })));
  const centre = new Map<string, Grid<Float64Array>>();
  const grids = new Map<string, Grid<Float64Array>>();
  return {
    modality,
    versions,
    pool,
    centreBias(width, height) {
      const key = `${width}x${height}`;
      let map = centre.get(key);
      if (!map) {
        map = centreBiasMap(width, height);
        centre.set(key, map);
      }
      return map;
    },
    async density(id) {
      const cached = grids.get(id);
      if (cached) return cached;
      const [row] = await densityMapsByIds(db, [id]);
      if (!row) throw new Error(`ground truth: density map ${id} vanished`);
      // Keep only a few grids: a run visits each image once.
      if (grids.size > 8) grids.clear();
      grids.set(id, row.grid);
      return row.grid;
    },
  };
}
