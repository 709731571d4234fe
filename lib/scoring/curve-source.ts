/**
 * How an insertion/deletion score was obtained (issue 18), stored per score row
 * (`scores.curve_source`; null for metrics without a curve) and shown on the leaderboard:
 *  - 'recomputed': the server computed the whole curve itself;
 *  - 'client-verified': the browser's curve, accepted after the server recomputed k seeded random
 *    points and both endpoints and every one agreed within τ (lib/scoring/curve-check.ts);
 *  - 'client-rejected': a browser curve came but a checked point (or the class, or the step)
 *    disagreed; the server recomputed the whole curve and stored its own.
 * Pure, so pages and the leaderboard import it without the server-side check code.
 */
export const CURVE_SOURCES = ['recomputed', 'client-verified', 'client-rejected'] as const;
export type CurveSource = (typeof CURVE_SOURCES)[number];

export const CURVE_SOURCE_LABELS: Readonly<Record<CurveSource, string>> = {
  recomputed: 'recomputed in full',
  'client-verified': 'client curve verified',
  'client-rejected': 'client curve rejected, recomputed',
};

/** One leaderboard cell's mix of sources; `k`/`tolerance` of the verified scores (min–max of k). */
export interface CurveProvenance {
  readonly recomputed: number;
  readonly verified: number;
  readonly rejected: number;
  readonly k: { readonly min: number; readonly max: number } | null;
  readonly tolerance: number | null;
}

/** "client curve verified at 72 points (τ = 0.001)" and the like, for one cell. */
export function describeProvenance(p: CurveProvenance): string {
  const parts: string[] = [];
  if (p.recomputed > 0) parts.push(`${p.recomputed} ${CURVE_SOURCE_LABELS.recomputed}`);
  if (p.verified > 0) {
    const k = p.k === null ? '?' : p.k.min === p.k.max ? String(p.k.min) : `${p.k.min}–${p.k.max}`;
    parts.push(`${p.verified} ${CURVE_SOURCE_LABELS['client-verified']} at ${k} points (τ = ${p.tolerance ?? '?'})`);
  }
  if (p.rejected > 0) parts.push(`${p.rejected} ${CURVE_SOURCE_LABELS['client-rejected']}`);
  return parts.join(' · ');
}

/** Compact form for a table cell: "full 2 · verified 3 (k 70, τ 0.001) · rejected 1". */
export function shortProvenance(p: CurveProvenance): string {
  const parts: string[] = [];
  if (p.recomputed > 0) parts.push(`full ${p.recomputed}`);
  if (p.verified > 0) {
    const k = p.k === null ? '?' : p.k.min === p.k.max ? String(p.k.min) : `${p.k.min}–${p.k.max}`;
    parts.push(`verified ${p.verified} (k ${k}, τ ${p.tolerance ?? '?'})`);
  }
  if (p.rejected > 0) parts.push(`rejected ${p.rejected}`);
  return parts.join(' · ');
}
