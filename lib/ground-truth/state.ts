/**
 * A dataset's ground truth as the API and pages show it: per modality the state id, and per image
 * the version in force (observers, fixations, source, σ, time) and the dataset consistency.
 */
import type { Db } from '@/db/client';
import { currentDensityMaps, groundTruthModalities, versionPoints } from '@/db/queries/ground-truth';
import { groundTruthStateId } from '../leaderboard/snapshot';
import { datasetConsistency, type ImageConsistency } from './consistency';

function isConsistency(value: unknown): value is ImageConsistency {
  return typeof value === 'object' && value !== null && Array.isArray((value as { curve?: unknown }).curve);
}

export async function groundTruthState(db: Db, datasetId: string) {
  const out = [];
  for (const modality of await groundTruthModalities(db, datasetId)) {
    const versions = await currentDensityMaps(db, datasetId, modality);
    const consistency = new Map((await versionPoints(db, versions.map((v) => v.id))).map((p) => [p.id, p.consistency]));
    const perImage = versions.map((v) => {
      const c = consistency.get(v.id);
      return { version: v, consistency: isConsistency(c) ? c : null };
    });
    out.push({
      modality,
      state: groundTruthStateId(versions.map((v) => ({ imageId: v.imageId, version: v.version, densityMapId: v.id }))),
      consistency: datasetConsistency(perImage.flatMap((p) => (p.consistency ? [p.consistency] : []))),
      images: perImage
        .sort((a, b) => a.version.position - b.version.position)
        .map(({ version: v, consistency: c }) => ({
          imageId: v.imageId,
          image: v.imageName,
          densityMapId: v.id,
          version: v.version,
          source: v.source,
          sigmaPx: v.sigmaPx,
          observers: v.observers,
          fixations: v.fixationCount,
          createdAt: v.createdAt.toISOString(),
          consistency: c ? { loo: c.loo ? { cc: c.loo.cc, nss: c.loo.nss } : null, splitHalf: c.splitHalf, observersNeeded: c.observersNeeded } : null,
        })),
    });
  }
  return out;
}
