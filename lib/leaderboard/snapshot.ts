/**
 * Stable identifiers of ground-truth and leaderboard states, for citation.
 *
 *  - Ground-truth state of a dataset and modality: SHA-256 over the sorted lines
 *    "imageId:version:densityMapId" of the versions in use → "gt_" + 24 hex digits. Any new version
 *    of any image changes it; the order rows were read in does not.
 *  - Leaderboard snapshot: SHA-256 over a canonical JSON of everything the table is computed from —
 *    dataset, modality, filters, the ground-truth state, and per row its id and every (score id,
 *    value) pair, rows and pairs sorted by id → "lb_" + 24 hex digits. Sorting and display do not
 *    enter it; a changed, added or removed score does. Numbers are written by JSON.stringify, which
 *    round-trips doubles exactly.
 */
import { createHash } from 'node:crypto';

const ID_HEX = 24;

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, ID_HEX);
}

export interface GroundTruthVersionRef {
  readonly imageId: string;
  readonly version: number;
  readonly densityMapId: string;
}

export function groundTruthStateId(versions: readonly GroundTruthVersionRef[]): string {
  const lines = versions.map((v) => `${v.imageId}:${v.version}:${v.densityMapId}`).sort();
  return `gt_${digest(lines.join('\n'))}`;
}

export interface SnapshotRow {
  readonly id: string;
  /** (score id, value) pairs; ids are unique within a row. */
  readonly scores: readonly (readonly [string, number])[];
}

export interface SnapshotInput {
  readonly datasetId: string;
  readonly modality: string;
  readonly groundTruthState: string;
  readonly filters: Readonly<Record<string, string | number | null>>;
  readonly rows: readonly SnapshotRow[];
}

const byKey = <T>(key: (t: T) => string) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);

export function snapshotId(input: SnapshotInput): string {
  const canonical = {
    datasetId: input.datasetId,
    modality: input.modality,
    groundTruthState: input.groundTruthState,
    filters: Object.keys(input.filters)
      .sort()
      .map((k) => [k, input.filters[k] ?? null]),
    rows: [...input.rows].sort(byKey((r) => r.id)).map((r) => [r.id, [...r.scores].sort(byKey((s) => s[0]))]),
  };
  return `lb_${digest(JSON.stringify(canonical))}`;
}

export const SNAPSHOT_ID = /^lb_[0-9a-f]{24}$/;
