/**
 * Where the browser runner of a queue of runs lives: the first run's page, the rest in `queue`
 * (comma-separated ids), `autostart=1` when the runner should start without a click (right after
 * the researcher created the runs, or moved on from the previous run of the queue).
 */
export function runnerHref(ids: readonly string[], autostart: boolean): string {
  const [first, ...rest] = ids;
  if (first === undefined) return '/workspace/runs';
  const query = new URLSearchParams();
  if (rest.length > 0) query.set('queue', rest.join(','));
  if (autostart) query.set('autostart', '1');
  const q = query.toString();
  return `/workspace/runs/${first}${q ? `?${q}` : ''}`;
}
