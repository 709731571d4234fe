/**
 * Weighted ridge regression with an intercept, as scikit-learn `linear_model.Ridge(alpha,
 * fit_intercept=True).fit(X, y, sample_weight=w)` (the surrogate model of LIME, `lime_base.py`):
 *
 *   minimise Σ_i w_i (y_i − b − x_iᵀβ)² + α‖β‖²   (the intercept b is not penalised)
 *
 * solved as scikit-learn does: centre X and y on their w-weighted means x̄, ȳ, then
 * (X̃ᵀWX̃ + αI) β = X̃ᵀW ỹ (Cholesky; the matrix is positive definite when α > 0) and
 * b = ȳ − x̄ᵀβ. Weights are not normalised (scaling every w_i by c is the same as α/c).
 * `r2` is `Ridge.score(X, y, sample_weight=w)`: 1 − Σw(y − ŷ)² / Σw(y − ȳ)²; when y is constant
 * (zero denominator) it is 1 for an exact fit and 0 otherwise, as scikit-learn's `r2_score`.
 * Pure TypeScript, float64 throughout.
 */
import { MetricError } from '@/lib/metrics/errors';

export interface DesignMatrix {
  /** Row-major n × p values. */
  readonly data: ArrayLike<number>;
  readonly rows: number;
  readonly cols: number;
}

export interface RidgeFit {
  readonly coef: Float64Array;
  readonly intercept: number;
  readonly r2: number;
}

const FN = 'weightedRidge';

function check(x: DesignMatrix, y: ArrayLike<number>, w: ArrayLike<number>, alpha: number): void {
  const { rows, cols, data } = x;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) throw new MetricError(FN, 'x', `needs at least one row and column, got ${rows}x${cols}`);
  if (data.length !== rows * cols) throw new MetricError(FN, 'x', `has ${data.length} values, expected ${rows}x${cols}`);
  if (y.length !== rows) throw new MetricError(FN, 'y', `has ${y.length} values for ${rows} rows`);
  if (w.length !== rows) throw new MetricError(FN, 'weights', `has ${w.length} values for ${rows} rows`);
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i] as number)) throw new MetricError(FN, 'x', `non-finite value at index ${i}`);
  for (let i = 0; i < rows; i++) {
    if (!Number.isFinite(y[i] as number)) throw new MetricError(FN, 'y', `non-finite value at index ${i}`);
    if (!Number.isFinite(w[i] as number) || (w[i] as number) < 0) throw new MetricError(FN, 'weights', `must be finite and >= 0, got ${w[i]} at index ${i}`);
  }
  if (!Number.isFinite(alpha) || alpha < 0) throw new MetricError(FN, 'alpha', `must be a finite number >= 0, got ${alpha}`);
}

/** Solves A z = b in place for symmetric positive definite A (p × p, row-major); returns z. */
function choleskySolve(a: Float64Array, b: Float64Array, p: number): Float64Array {
  const l = new Float64Array(p * p);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * p + j] as number;
      for (let k = 0; k < j; k++) s -= (l[i * p + k] as number) * (l[j * p + k] as number);
      if (i === j) {
        if (!(s > 0)) throw new MetricError(FN, 'x', 'the normal equations are singular (use alpha > 0 or more varied rows)');
        l[i * p + i] = Math.sqrt(s);
      } else {
        l[i * p + j] = s / (l[j * p + j] as number);
      }
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i] as number;
    for (let k = 0; k < i; k++) s -= (l[i * p + k] as number) * (z[k] as number);
    z[i] = s / (l[i * p + i] as number);
  }
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i] as number;
    for (let k = i + 1; k < p; k++) s -= (l[k * p + i] as number) * (z[k] as number);
    z[i] = s / (l[i * p + i] as number);
  }
  return z;
}

export function weightedRidge(x: DesignMatrix, y: ArrayLike<number>, weights: ArrayLike<number>, alpha: number): RidgeFit {
  check(x, y, weights, alpha);
  const { rows: n, cols: p, data } = x;
  let wSum = 0;
  for (let i = 0; i < n; i++) wSum += weights[i] as number;
  if (!(wSum > 0)) throw new MetricError(FN, 'weights', 'sum to 0');
  const xMean = new Float64Array(p);
  let yMean = 0;
  for (let i = 0; i < n; i++) {
    const wi = (weights[i] as number) / wSum;
    yMean += wi * (y[i] as number);
    for (let j = 0; j < p; j++) xMean[j] = (xMean[j] as number) + wi * (data[i * p + j] as number);
  }
  const gram = new Float64Array(p * p);
  const rhs = new Float64Array(p);
  const row = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    const wi = weights[i] as number;
    if (wi === 0) continue;
    for (let j = 0; j < p; j++) row[j] = (data[i * p + j] as number) - (xMean[j] as number);
    const yi = (y[i] as number) - yMean;
    for (let j = 0; j < p; j++) {
      const wr = wi * (row[j] as number);
      rhs[j] = (rhs[j] as number) + wr * yi;
      for (let k = 0; k <= j; k++) gram[j * p + k] = (gram[j * p + k] as number) + wr * (row[k] as number);
    }
  }
  for (let j = 0; j < p; j++) {
    gram[j * p + j] = (gram[j * p + j] as number) + alpha;
    for (let k = 0; k < j; k++) gram[k * p + j] = gram[j * p + k] as number;
  }
  const coef = choleskySolve(gram, rhs, p);
  let intercept = yMean;
  for (let j = 0; j < p; j++) intercept -= (xMean[j] as number) * (coef[j] as number);
  let residual = 0;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let pred = intercept;
    for (let j = 0; j < p; j++) pred += (data[i * p + j] as number) * (coef[j] as number);
    const wi = weights[i] as number;
    residual += wi * ((y[i] as number) - pred) ** 2;
    total += wi * ((y[i] as number) - yMean) ** 2;
  }
  const r2 = total > 0 ? 1 - residual / total : residual === 0 ? 1 : 0;
  return { coef, intercept, r2 };
}
