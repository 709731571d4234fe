/**
 * The one error type every metric and imaging function throws on bad input.
 * It names the metric (or function), the argument and the reason, so a caller
 * (API route, CLI, worker) can report it verbatim and never store a NaN.
 */
export class MetricError extends Error {
  readonly metric: string;
  readonly argument: string;
  readonly reason: string;

  constructor(metric: string, argument: string, reason: string) {
    super(`${metric}: ${argument}: ${reason}`);
    this.name = 'MetricError';
    this.metric = metric;
    this.argument = argument;
    this.reason = reason;
  }
}
