/**
 * A study's live progress (issue 7, "Live progress"): session counts by fate, and the distribution
 * of validation accuracy. Pure; db/queries/studies.ts reads the rows and lib/api/studies.ts names
 * the shapes.
 *
 * Conventions:
 * - `started` counts every session ever started, withdrawn ones included (their rows are deleted
 *   on withdrawal, only the study's counter remains).
 * - `completed` counts sessions the participant finished (pending review, accepted, rejected, or
 *   ended early with their completed trials kept or discarded); `pendingReview` is the subset
 *   waiting for a researcher.
 * - A session's accuracy is its quality summary's validation accuracy (the validation the session
 *   used: its last passing one, else its last); sessions without a summary or without usable
 *   samples are counted as `noData`. Bins are half-open [from, to) of ACCURACY_BIN_DEG, the last
 *   one open-ended from ACCURACY_MAX_DEG: webcam accuracy rarely beats 1° and 8° is already twice
 *   WebGazer's published ~4° (Papoutsaki et al. 2016).
 */
export const ACCURACY_BIN_DEG = 0.5;
export const ACCURACY_MAX_DEG = 8;

export interface SessionCounts {
  started: number;
  inProgress: number;
  completed: number;
  pendingReview: number;
  accepted: number;
  rejected: number;
  ended: number;
  withdrawn: number;
}

export function sessionCounts(byStatus: ReadonlyMap<string, number> | Readonly<Record<string, number>>, withdrawn: number): SessionCounts {
  const get = (s: string) => (byStatus instanceof Map ? byStatus.get(s) : (byStatus as Record<string, number>)[s]) ?? 0;
  const inProgress = get('in_progress');
  const pendingReview = get('completed');
  const accepted = get('accepted');
  const rejected = get('rejected');
  const ended = get('ended');
  return {
    started: inProgress + pendingReview + accepted + rejected + ended + withdrawn,
    inProgress,
    completed: pendingReview + accepted + rejected + ended,
    pendingReview,
    accepted,
    rejected,
    ended,
    withdrawn,
  };
}

export interface AccuracyBin {
  fromDeg: number;
  /** null: the open last bin. */
  toDeg: number | null;
  count: number;
}

export interface AccuracyDistribution {
  thresholdDeg: number;
  sessions: number;
  /** Sessions at or under the study's validation threshold. */
  withinThreshold: number;
  noData: number;
  medianDeg: number | null;
  bins: AccuracyBin[];
}

export function accuracyDistribution(values: readonly (number | null)[], thresholdDeg: number): AccuracyDistribution {
  const nBins = Math.round(ACCURACY_MAX_DEG / ACCURACY_BIN_DEG);
  const bins: AccuracyBin[] = Array.from({ length: nBins + 1 }, (_, k) => ({
    fromDeg: k * ACCURACY_BIN_DEG,
    toDeg: k === nBins ? null : (k + 1) * ACCURACY_BIN_DEG,
    count: 0,
  }));
  const usable = values.filter((v): v is number => v !== null && Number.isFinite(v) && v >= 0);
  for (const v of usable) {
    const k = Math.min(nBins, Math.floor(v / ACCURACY_BIN_DEG));
    (bins[k] as AccuracyBin).count++;
  }
  const sorted = [...usable].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const medianDeg = sorted.length === 0 ? null : sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
  return {
    thresholdDeg,
    sessions: values.length,
    withinThreshold: usable.filter((v) => v <= thresholdDeg).length,
    noData: values.length - usable.length,
    medianDeg,
    bins,
  };
}
