import Link from 'next/link';
import type { listOwnRuns } from '@/db/queries/runs';

/** Runs with their map progress and links: run page, browser runner (while maps are missing), leaderboard. */
export function RunList({ runs }: { runs: Awaited<ReturnType<typeof listOwnRuns>> }) {
  if (runs.length === 0) return <p className="text-stone-600">No runs yet.</p>;
  return (
    <ul className="divide-y divide-stone-200 rounded border border-stone-200 bg-white" aria-label="Runs">
      {runs.map((r) => (
        <li key={r.id} className="flex flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2" data-testid="run-row">
          <Link href={`/runs/${r.id}`} className="font-medium text-blue-700 hover:underline">{r.name}</Link>
          <span className="text-sm text-stone-600">
            {r.model.name} × {r.explainer} on {r.dataset.name} · {r.maps} of {r.images} maps · {r.status}
          </span>
          {r.maps < r.images ? (
            <Link href={`/workspace/runs/${r.id}`} className="text-sm text-blue-700 hover:underline">{r.maps === 0 ? 'Run in browser' : 'Resume in browser'}</Link>
          ) : null}
          <Link href={`/leaderboard/${r.dataset.slug}`} className="text-sm text-blue-700 hover:underline">leaderboard</Link>
        </li>
      ))}
    </ul>
  );
}
