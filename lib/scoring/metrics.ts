/**
 * The metrics the scoring service stores and the leaderboard shows, with their direction. Ground-
 * truth metrics are the lib/metrics registry's (conventions in each metric's file); insertion and
 * deletion are the RISE AUCs of lib/evaluation/evaluate.ts; ROAD is its combined score.
 */
import { GROUND_TRUTH_METRICS } from '../metrics/index';

/** Scored against every ground-truth version, for every run (EMD only when the run asks). */
export const GROUND_TRUTH_SCORE_METRICS = ['cc', 'ssim', 'nss', 'aucJudd', 'aucShuffled', 'sim', 'kld', 'infoGain'] as const;
export const OPTIONAL_GROUND_TRUTH_METRICS = ['emd'] as const;
export type GroundTruthScoreMetric = (typeof GROUND_TRUTH_SCORE_METRICS)[number] | (typeof OPTIONAL_GROUND_TRUTH_METRICS)[number];

/** Scored with the stored model, without ground truth (density_map_id null). */
export const EVALUATION_SCORE_METRICS = ['insertion', 'deletion', 'road'] as const;
export type EvaluationScoreMetric = (typeof EVALUATION_SCORE_METRICS)[number];

export interface ColumnSpec {
  readonly key: string;
  readonly label: string;
  readonly direction: 'higher' | 'lower';
  readonly groundTruth: boolean;
}

const gt = (key: GroundTruthScoreMetric): ColumnSpec => ({
  key,
  label: GROUND_TRUTH_METRICS[key].label,
  direction: GROUND_TRUTH_METRICS[key].direction,
  groundTruth: true,
});

/** Leaderboard columns in display order (the seed tables' PCC, SSIM, Insertion, Deletion among them). */
export const LEADERBOARD_COLUMNS: readonly ColumnSpec[] = [
  ...GROUND_TRUTH_SCORE_METRICS.map(gt),
  { key: 'insertion', label: 'Insertion AUC', direction: 'higher', groundTruth: false },
  { key: 'deletion', label: 'Deletion AUC', direction: 'lower', groundTruth: false },
];

export const ALL_SCORE_COLUMNS: readonly ColumnSpec[] = [
  ...LEADERBOARD_COLUMNS,
  gt('emd'),
  { key: 'road', label: 'ROAD', direction: 'higher', groundTruth: false },
];

export function columnSpec(key: string): ColumnSpec | undefined {
  return ALL_SCORE_COLUMNS.find((c) => c.key === key);
}
