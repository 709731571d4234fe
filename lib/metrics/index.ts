/**
 * Public surface of lib/metrics, and the registry of saliency-vs-ground-truth metrics that the
 * CLI (`gazebench score`, `verify-metrics`) and the scoring server iterate over.
 *
 * Registry keys are the reference table's metric names (tests/fixtures/reference-metrics.README.md);
 * each entry says which inputs it needs, whether higher or lower is better, the label shown in
 * tables, and how to compute it. Conventions live in each metric's file header.
 */
import { aucBorji } from './auc-borji';
import { aucJudd } from './auc-judd';
import { aucShuffled } from './auc-shuffled';
import { cc } from './cc';
import { emd } from './emd';
import { MetricError } from './errors';
import { infoGain } from './info-gain';
import { kld } from './kld';
import { nss } from './nss';
import { sim } from './sim';
import { ssim, ssimGaussian } from './ssim';
import type { Grid, Point } from './types';

export * from './adic';
export * from './auc-borji';
export * from './auc-judd';
export * from './auc-shuffled';
export * from './cc';
export * from './curve-auc';
export * from './emd';
export * from './errors';
export * from './info-gain';
export * from './insertion-deletion';
export * from './iou';
export * from './kld';
export * from './nss';
export * from './pointing-game';
export * from './road';
export * from './sim';
export * from './spearman';
export * from './ssim';
export * from './statistics';
export * from './types';
export * from './validate';

export type GroundTruthNeed = 'density' | 'fixations' | 'baseline' | 'negatives';

export interface GroundTruthInput {
  readonly saliency: Grid;
  /** Gaze fixation density map (GFDM) of the same size. */
  readonly density?: Grid;
  readonly fixations?: readonly Point[];
  /** Baseline map (centre bias) for information gain. */
  readonly baseline?: Grid;
  /** Fixations of other images for shuffled AUC, with the size of the image they were recorded on. */
  readonly negatives?: {
    readonly fixations: readonly Point[];
    readonly size?: { readonly width: number; readonly height: number };
  };
  /** Seed of the random metrics (AUC-Borji); DEFAULT_METRIC_SEED when absent. */
  readonly seed?: number;
}

export interface GroundTruthMetric {
  readonly direction: 'higher' | 'lower';
  readonly label: string;
  readonly needs: readonly GroundTruthNeed[];
  compute(input: GroundTruthInput): number;
}

/** Seed used by random metrics when the caller gives none, so scores are reproducible. */
export const DEFAULT_METRIC_SEED = 0;

function need<T>(metric: string, name: GroundTruthNeed, value: T | undefined): T {
  if (value === undefined) throw new MetricError(metric, name, `is required for ${metric}`);
  return value;
}

function densityMetric(label: string, direction: 'higher' | 'lower', fn: (s: Grid, d: Grid) => number, key: string): GroundTruthMetric {
  return { label, direction, needs: ['density'], compute: (i) => fn(i.saliency, need(key, 'density', i.density)) };
}

export const GROUND_TRUTH_METRICS = {
  cc: densityMetric('PCC', 'higher', cc, 'cc'),
  ssim: densityMetric('SSIM', 'higher', ssim, 'ssim'),
  ssimGaussian: densityMetric('SSIM (Gaussian)', 'higher', ssimGaussian, 'ssimGaussian'),
  sim: densityMetric('SIM', 'higher', sim, 'sim'),
  kld: densityMetric('KLD', 'lower', kld, 'kld'),
  nss: {
    label: 'NSS',
    direction: 'higher',
    needs: ['fixations'],
    compute: (i) => nss(i.saliency, need('nss', 'fixations', i.fixations)),
  },
  aucJudd: {
    label: 'AUC-Judd',
    direction: 'higher',
    needs: ['fixations'],
    compute: (i) => aucJudd(i.saliency, need('aucJudd', 'fixations', i.fixations)),
  },
  aucShuffled: {
    label: 'sAUC',
    direction: 'higher',
    needs: ['fixations', 'negatives'],
    compute: (i) => {
      const negatives = need('aucShuffled', 'negatives', i.negatives);
      const options = negatives.size === undefined ? {} : { negativeSize: negatives.size };
      return aucShuffled(i.saliency, need('aucShuffled', 'fixations', i.fixations), negatives.fixations, options);
    },
  },
  infoGain: {
    label: 'IG',
    direction: 'higher',
    needs: ['fixations', 'baseline'],
    compute: (i) => infoGain(i.saliency, need('infoGain', 'baseline', i.baseline), need('infoGain', 'fixations', i.fixations)),
  },
  emd: densityMetric('EMD', 'lower', emd, 'emd'),
  aucBorji: {
    label: 'AUC-Borji',
    direction: 'higher',
    needs: ['fixations'],
    compute: (i) => aucBorji(i.saliency, need('aucBorji', 'fixations', i.fixations), { seed: i.seed ?? DEFAULT_METRIC_SEED }),
  },
} as const satisfies Record<string, GroundTruthMetric>;

export type GroundTruthMetricName = keyof typeof GROUND_TRUTH_METRICS;

/** Registry names in table order (the reference's nine, then emd and aucBorji). */
export const GROUND_TRUTH_METRIC_NAMES = Object.keys(GROUND_TRUTH_METRICS) as GroundTruthMetricName[];

export function isGroundTruthMetricName(name: string): name is GroundTruthMetricName {
  return Object.hasOwn(GROUND_TRUTH_METRICS, name);
}

/** True when `input` has every input that the metric needs. */
export function canCompute(name: GroundTruthMetricName, input: GroundTruthInput): boolean {
  const has: Record<GroundTruthNeed, boolean> = {
    density: input.density !== undefined,
    fixations: input.fixations !== undefined && input.fixations.length > 0,
    baseline: input.baseline !== undefined,
    negatives: input.negatives !== undefined && input.negatives.fixations.length > 0,
  };
  return GROUND_TRUTH_METRICS[name].needs.every((n) => has[n]);
}
