import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { getDb } from '@/db/client';
import { LeaderboardSearch, leaderboardQuery } from '@/lib/http/leaderboard-query';
import { pageActor } from '@/lib/http/page-actor';
import { readableDataset } from '@/lib/http/resources';
import { buildLeaderboard, LeaderboardQueryError, type LeaderboardBody } from '@/lib/leaderboard/build';
import { citedSnapshot } from '@/lib/leaderboard/cited';
import { describeProvenance, shortProvenance } from '@/lib/scoring/curve-source';
import { ConsistencySummary } from './consistency-summary';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ dataset: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Leaderboard · ${(await params).dataset}` };
}

function num(v: number | null | undefined, digits = 3): string {
  if (v === null || v === undefined) return '—';
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : v.toFixed(digits);
}

function flat(search: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(search).flatMap(([k, v]) => (typeof v === 'string' && v !== '' ? [[k, v]] : [])));
}

export default async function LeaderboardPage({ params, searchParams }: Props) {
  const { dataset: key } = await params;
  const db = await getDb();
  const actor = await pageActor(db);
  const dataset = await readableDataset(db, actor, key);
  if (!dataset) notFound();
  const raw = flat(await searchParams);
  const search = LeaderboardSearch.safeParse(raw);
  let body: LeaderboardBody;
  let cited: { stale: boolean; currentSnapshot: string } | null = null;
  let problem: string | null = search.success ? null : (search.error.issues[0]?.message ?? 'invalid filter');
  try {
    if (search.success && search.data.snapshot) {
      const c = await citedSnapshot(db, actor, dataset, search.data.snapshot);
      if (!c) notFound();
      body = c.body;
      cited = { stale: c.stale, currentSnapshot: c.currentSnapshot };
    } else {
      body = await buildLeaderboard(db, actor, dataset, search.success ? leaderboardQuery(search.data) : {});
    }
  } catch (error) {
    if (!(error instanceof LeaderboardQueryError)) throw error;
    problem = error.message;
    body = await buildLeaderboard(db, actor, dataset, {});
  }
  const base = `/leaderboard/${dataset.slug}`;
  const linkWith = (extra: Record<string, string>) => {
    const q = new URLSearchParams({ ...(body.filters.classLabel ? { class: body.filters.classLabel } : {}), ...(body.filters.version ? { version: String(body.filters.version) } : {}), modality: body.modality, ...extra });
    return `${base}?${q.toString()}`;
  };

  return (
    <div className="space-y-6">
      <nav className="text-sm text-stone-600">
        <Link href={`/datasets/${dataset.slug}`} className="text-blue-700 hover:underline">{dataset.name}</Link> / leaderboard
      </nav>
      <h1 className="text-2xl font-semibold">Leaderboard: {dataset.name}</h1>
      <p className="max-w-4xl text-sm text-stone-700">
        Each row is a model × explainer run, the human ceiling (leave-one-observer-out) or a baseline. Ground-truth columns are scored
        against the <strong data-testid="leaderboard-modality">{body.modality}</strong> density maps in force
        {body.filters.version ? ` (version ${body.filters.version} of every image)` : ''} on <span data-testid="leaderboard-images">{body.images}</span> images;
        insertion and deletion run the model itself (RISE conventions); under each of their cells, how the curves were obtained: recomputed in
        full by the server, a browser&apos;s curve verified at k randomly drawn points within τ, or a browser&apos;s curve rejected and recomputed. Cells: mean over images, sample variance below; hover for the 95 % bootstrap CI
        and n. ▲ = significantly better than the next row (paired permutation test on common images, p &lt; 0.05).
      </p>
      {problem ? <p role="alert" className="rounded bg-red-50 px-3 py-2 text-sm text-red-800">{problem}</p> : null}
      {cited ? (
        <p data-testid="snapshot-status" className={`rounded px-3 py-2 text-sm ${cited.stale ? 'bg-amber-50 text-amber-900' : 'bg-green-50 text-green-900'}`}>
          Snapshot {search.success ? search.data.snapshot : ''} as it was served{cited.stale ? ' — stale: the scores or the ground truth have changed since' : ' — still current'}.{' '}
          {cited.stale ? <Link className="text-blue-700 hover:underline" href={linkWith({})}>Current leaderboard ({cited.currentSnapshot})</Link> : null}
        </p>
      ) : null}

      <form method="get" action={base} className="flex flex-wrap items-end gap-3 text-sm" aria-label="Filters">
        <label className="flex flex-col">
          modality
          <select name="modality" defaultValue={body.modality} className="rounded border border-stone-300 px-2 py-1">
            {(body.modalities.length ? body.modalities : [body.modality]).map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label className="flex flex-col">
          class
          <select name="class" defaultValue={body.filters.classLabel ?? ''} className="rounded border border-stone-300 px-2 py-1">
            <option value="">all</option>
            {body.classes.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label className="flex flex-col">
          ground-truth version
          <input name="version" type="number" min={1} defaultValue={body.filters.version ?? ''} placeholder="latest" className="w-24 rounded border border-stone-300 px-2 py-1" />
        </label>
        <input type="hidden" name="sort" value={body.sort.column} />
        <button type="submit" className="rounded bg-stone-800 px-3 py-1 text-white">Apply</button>
      </form>

      <div className="overflow-x-auto">
        <table className="min-w-full border-collapse text-sm" data-testid="leaderboard-table">
          <thead>
            <tr className="border-b border-stone-300 text-left">
              <th className="px-2 py-1">#</th>
              <th className="px-2 py-1">model × explainer</th>
              {body.columns.map((c) => (
                <th key={c.key} className="px-2 py-1 text-right" data-testid={`column-${c.key}`} aria-sort={body.sort.column === c.key ? (c.direction === 'higher' === (body.sort.order === 'best') ? 'descending' : 'ascending') : undefined}>
                  <Link href={linkWith({ sort: c.key, ...(body.sort.column === c.key && body.sort.order === 'best' ? { order: 'worst' } : {}) })} className="hover:underline" title={`${c.direction === 'higher' ? 'higher' : 'lower'} is better; sort by ${c.label}`}>
                    {c.label} {c.direction === 'higher' ? '↑' : '↓'}
                  </Link>
                </th>
              ))}
              <th className="px-2 py-1 text-right">images</th>
            </tr>
          </thead>
          <tbody>
            {body.rows.map((row, i) => {
              const meta = row.meta as { runId?: string; runName?: string; status?: string; demo?: boolean } | undefined;
              return (
                <tr key={row.id} data-testid="leaderboard-row" data-kind={row.kind} className={`border-b border-stone-100 ${row.kind === 'run' ? '' : 'bg-stone-100/60 italic'}`}>
                  <td className="px-2 py-1 text-stone-500">{i + 1}</td>
                  <td className="px-2 py-1">
                    {meta?.runId ? <Link className="text-blue-700 hover:underline" href={`/runs/${meta.runId}`}>{row.label}</Link> : row.label}
                    {meta?.runName ? <span className="block text-xs text-stone-500">{meta.runName}{meta.status && meta.status !== 'complete' ? ` · ${meta.status}` : ''}</span> : null}
                    {row.significance?.better ? (
                      <span data-testid="significance-mark" className="ml-1 text-green-700" title={`significantly better than the next row on ${body.sort.column} (paired permutation test, p = ${row.significance.p.toPrecision(2)})`}>▲</span>
                    ) : null}
                  </td>
                  {body.columns.map((c) => {
                    const cell = row.cells[c.key];
                    const provenance = row.provenance?.[c.key];
                    return (
                      <td key={c.key} data-testid={`cell-${c.key}`} className="px-2 py-1 text-right tabular-nums" title={cell ? `${c.label}: mean ${num(cell.mean, 4)}${cell.ci ? `, 95 % CI [${num(cell.ci.lower, 4)}, ${num(cell.ci.upper, 4)}]` : ''}, n = ${cell.n}` : `${c.label}: no score`}>
                        {cell ? (
                          <>
                            <span className="block">{num(cell.mean)}</span>
                            <span className="block text-xs text-stone-500">{cell.variance === null ? '' : `var ${num(cell.variance)}`}</span>
                            {provenance ? (
                              <span className="block text-[10px] not-italic text-stone-500" data-testid={`provenance-${c.key}`} title={describeProvenance(provenance)}>
                                {shortProvenance(provenance)}
                              </span>
                            ) : null}
                          </>
                        ) : '—'}
                      </td>
                    );
                  })}
                  <td className="px-2 py-1 text-right tabular-nums">{row.images}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <p className="text-xs text-stone-600" data-testid="snapshot-id">
        Cite this table as snapshot <code>{body.snapshot}</code> (ground-truth state <code>{body.groundTruthState}</code>):{' '}
        <Link className="text-blue-700 hover:underline" href={`${base}?snapshot=${body.snapshot}`}>{`${base}?snapshot=${body.snapshot}`}</Link> · JSON at{' '}
        <Link className="text-blue-700 hover:underline" href={`/api/v1/datasets/${dataset.id}/leaderboard?snapshot=${body.snapshot}`}>/api/v1/datasets/{dataset.id}/leaderboard</Link>
      </p>
      <ConsistencySummary consistency={body.consistency} modality={body.modality} />
    </div>
  );
}
