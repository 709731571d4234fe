/**
 * Builds a dataset's leaderboard from stored scores: rows model × explainer (each run the viewer
 * may read), the human ceiling and the baselines; columns LEADERBOARD_COLUMNS (lib/scoring/metrics)
 * summarised by lib/leaderboard/aggregate; a snapshot id (lib/leaderboard/snapshot) stored with the
 * body it names, so that a cited snapshot can be served exactly as it was.
 *
 * Ground truth used: per image the version in force for the modality (or version `version` when
 * the filter asks), restricted to images of the class filter. Model-based columns (insertion,
 * deletion) use the same images, and each of their cells says how its numbers were obtained
 * (`provenance`: recomputed in full, client curve verified at k points within τ, client curve
 * rejected and recomputed; lib/scoring/curve-source.ts). Default modality: the first of webcam, lab, mouse, simulated that
 * the dataset has ground truth for (human data before simulated).
 */
import type { Db } from '@/db/client';
import { datasetImages } from '@/db/queries/datasets';
import { currentDensityMaps, groundTruthModalities, versionPoints } from '@/db/queries/ground-truth';
import { referenceScoresFor, saveSnapshot } from '@/db/queries/leaderboard';
import { listDatasetRuns, scoresForRuns } from '@/db/queries/runs';
import type { Modality } from '@/db/schema';
import { type Actor, canRead } from '../auth/access';
import { BASELINE_LABELS, type BaselineName } from '../ground-truth/baselines';
import { datasetConsistency, type DatasetConsistency, type ImageConsistency } from '../ground-truth/consistency';
import type { CurveProvenance, CurveSource } from '../scoring/curve-source';
import { LEADERBOARD_COLUMNS } from '../scoring/metrics';
import { adjacentSignificance, type RowInput, type RowSummary, sortRows, summariseRow } from './aggregate';
import { groundTruthStateId, snapshotId, type SnapshotRow } from './snapshot';

export const MODALITY_PREFERENCE: readonly Modality[] = ['webcam', 'lab', 'mouse', 'simulated'];

export interface LeaderboardQuery {
  readonly modality?: Modality;
  readonly classLabel?: string;
  readonly version?: number;
  readonly sort?: string;
  readonly order?: 'best' | 'worst';
}

export interface LeaderboardRow extends RowSummary {
  /** Set on the row above a significantly worse one (sort column, best-first order only). */
  readonly significance: { readonly nextId: string; readonly p: number; readonly better: boolean } | null;
  /** Runs: how the insertion/deletion values of each curve column were obtained. */
  readonly provenance?: Readonly<Record<string, CurveProvenance>>;
}

const CURVE_COLUMNS = ['insertion', 'deletion'] as const;

interface ProvenanceTally {
  recomputed: number;
  verified: number;
  rejected: number;
  k: { min: number; max: number } | null;
  tolerance: number | null;
}

function tally(into: ProvenanceTally, source: CurveSource | null, k: number | null, tolerance: number | null): void {
  if (source === 'client-verified') {
    into.verified++;
    if (k !== null) into.k = into.k === null ? { min: k, max: k } : { min: Math.min(into.k.min, k), max: Math.max(into.k.max, k) };
    if (tolerance !== null) into.tolerance = tolerance;
  } else if (source === 'client-rejected') into.rejected++;
  // Null: a curve stored before sources were recorded, always the server's own.
  else into.recomputed++;
}

export interface LeaderboardBody {
  readonly snapshot: string;
  readonly groundTruthState: string;
  readonly dataset: { readonly id: string; readonly slug: string; readonly name: string };
  readonly modality: Modality;
  readonly modalities: readonly Modality[];
  readonly filters: { readonly classLabel: string | null; readonly version: number | null };
  readonly classes: readonly string[];
  readonly columns: typeof LEADERBOARD_COLUMNS;
  readonly sort: { readonly column: string; readonly order: 'best' | 'worst' };
  readonly images: number;
  readonly rows: readonly LeaderboardRow[];
  readonly consistency: DatasetConsistency | null;
  readonly generatedAt: string;
}

export class LeaderboardQueryError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const REFERENCE_ROWS: readonly { kind: string; label: string }[] = [
  { kind: 'ceiling', label: 'Human ceiling (leave-one-observer-out)' },
  ...(Object.keys(BASELINE_LABELS) as BaselineName[]).map((b) => ({ kind: `baseline:${b}`, label: `Baseline: ${BASELINE_LABELS[b]}` })),
];

function push(values: Record<string, Map<string, number>>, metric: string, imageId: string, value: number): void {
  (values[metric] ??= new Map()).set(imageId, value);
}

function isConsistency(value: unknown): value is Pick<ImageConsistency, 'loo' | 'splitHalf' | 'curve'> {
  return typeof value === 'object' && value !== null && 'curve' in value && Array.isArray((value as { curve: unknown }).curve);
}

export async function buildLeaderboard(
  db: Db,
  actor: Actor,
  dataset: { id: string; slug: string; name: string },
  query: LeaderboardQuery,
): Promise<LeaderboardBody> {
  const modalities = await groundTruthModalities(db, dataset.id);
  const modality = query.modality ?? MODALITY_PREFERENCE.find((m) => modalities.includes(m)) ?? 'simulated';
  const allImages = await datasetImages(db, dataset.id);
  const classes = [...new Set(allImages.map((i) => i.classLabel).filter((c): c is string => c !== null))].sort();
  if (query.classLabel !== undefined && !classes.includes(query.classLabel)) {
    throw new LeaderboardQueryError('class', `no images of class '${query.classLabel}' in this dataset (classes: ${classes.join(', ') || 'none'})`);
  }
  const sortColumn = query.sort ?? 'cc';
  const column = LEADERBOARD_COLUMNS.find((c) => c.key === sortColumn);
  if (!column) throw new LeaderboardQueryError('sort', `unknown column '${sortColumn}' (columns: ${LEADERBOARD_COLUMNS.map((c) => c.key).join(', ')})`);
  const order = query.order ?? 'best';

  const versions = await currentDensityMaps(db, dataset.id, modality, query.version);
  const groundTruthState = groundTruthStateId(versions.map((v) => ({ imageId: v.imageId, version: v.version, densityMapId: v.id })));
  const imageSet = new Set(allImages.filter((i) => query.classLabel === undefined || i.classLabel === query.classLabel).map((i) => i.id));
  const inUse = versions.filter((v) => imageSet.has(v.imageId));
  const versionImage = new Map(inUse.map((v) => [v.id, v.imageId]));

  const runs = (await listDatasetRuns(db, dataset.id)).filter(({ run }) => canRead(actor, { ownerId: run.ownerId, visibility: run.visibility }));
  const scores = await scoresForRuns(db, runs.map((r) => r.run.id), [...versionImage.keys()]);
  const inputs: RowInput[] = [];
  const snapshotRows: SnapshotRow[] = [];
  const provenance = new Map<string, Record<string, ProvenanceTally>>();
  for (const { run, model } of runs) {
    const values: Record<string, Map<string, number>> = {};
    const pairs: [string, number][] = [];
    const sources: Record<string, ProvenanceTally> = {};
    for (const s of scores) {
      if (s.runId !== run.id || !imageSet.has(s.imageId)) continue;
      if (s.densityMapId !== null && versionImage.get(s.densityMapId) !== s.imageId) continue;
      push(values, s.metric, s.imageId, s.value);
      pairs.push([String(s.id), s.value]);
      if ((CURVE_COLUMNS as readonly string[]).includes(s.metric)) {
        tally((sources[s.metric] ??= { recomputed: 0, verified: 0, rejected: 0, k: null, tolerance: null }), s.curveSource, s.checkK, s.checkTolerance);
      }
    }
    provenance.set(run.id, sources);
    inputs.push({
      id: run.id,
      kind: 'run',
      label: `${model.name} × ${run.explainer}`,
      values,
      meta: { runId: run.id, runName: run.name, model: { id: model.id, name: model.name }, explainer: run.explainer, params: run.params, status: run.status, demo: run.isDemo },
    });
    snapshotRows.push({ id: run.id, scores: pairs });
  }
  const references = await referenceScoresFor(db, [...versionImage.keys()]);
  for (const { kind, label } of REFERENCE_ROWS) {
    const values: Record<string, Map<string, number>> = {};
    const pairs: [string, number][] = [];
    for (const r of references) {
      if (r.kind !== kind) continue;
      push(values, r.metric, versionImage.get(r.densityMapId) as string, r.value);
      pairs.push([r.id, r.value]);
    }
    inputs.push({ id: kind, kind: kind === 'ceiling' ? 'ceiling' : 'baseline', label, values });
    snapshotRows.push({ id: kind, scores: pairs });
  }

  const keys = LEADERBOARD_COLUMNS.map((c) => c.key);
  const best = sortRows(inputs.map((r) => summariseRow(r, keys)), column.key, column.direction);
  const marks = new Map(adjacentSignificance(best, new Map(inputs.map((r) => [r.id, r])), column.key, column.direction).map((m) => [m.id, m]));
  const sorted = order === 'best' ? best : sortRows(best, column.key, column.direction === 'higher' ? 'lower' : 'higher');
  const rows: LeaderboardRow[] = sorted.map((r) => {
    const m = order === 'best' ? marks.get(r.id) : undefined;
    const p = provenance.get(r.id);
    return { ...r, significance: m ? { nextId: m.nextId, p: m.p, better: m.better } : null, ...(p ? { provenance: p } : {}) };
  });
  const filters = { classLabel: query.classLabel ?? null, version: query.version ?? null };
  const snapshot = snapshotId({ datasetId: dataset.id, modality, groundTruthState, filters, rows: snapshotRows });
  const stored = (await versionPoints(db, inUse.map((v) => v.id))).map((v) => v.consistency).filter(isConsistency);
  const body: LeaderboardBody = {
    snapshot,
    groundTruthState,
    dataset: { id: dataset.id, slug: dataset.slug, name: dataset.name },
    modality,
    modalities,
    filters,
    classes,
    columns: LEADERBOARD_COLUMNS,
    sort: { column: column.key, order },
    images: inUse.length,
    rows,
    consistency: stored.length > 0 ? datasetConsistency(stored) : null,
    generatedAt: new Date().toISOString(),
  };
  await saveSnapshot(db, { id: snapshot, datasetId: dataset.id, modality, groundTruthState, body: body as unknown as Record<string, unknown> });
  return body;
}
