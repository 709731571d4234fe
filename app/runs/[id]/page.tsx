import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { HistogramChart } from '@/app/_components/histogram-chart';
import { getDb } from '@/db/client';
import { currentDensityMaps, groundTruthModalities } from '@/db/queries/ground-truth';
import { runFailures, runMapIndex, runScores } from '@/db/queries/runs';
import { MODALITIES, type Modality } from '@/db/schema/common';
import { canWrite } from '@/lib/auth/access';
import { pageActor } from '@/lib/http/page-actor';
import { readableRun } from '@/lib/http/resources';
import { MODALITY_PREFERENCE } from '@/lib/leaderboard/build';
import { CURVE_SOURCE_LABELS, CURVE_SOURCES } from '@/lib/scoring/curve-source';
import { LEADERBOARD_COLUMNS } from '@/lib/scoring/metrics';
import { runProgress } from '@/lib/scoring/progress';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Run' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ modality?: string }> };

function num(v: number | undefined): string {
  return v === undefined ? '—' : v.toFixed(3);
}

export default async function RunPage({ params, searchParams }: Props) {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const db = await getDb();
  const actor = await pageActor(db);
  const context = await readableRun(db, actor, id);
  if (!context) notFound();
  const { run, dataset, model } = context;
  const modalities = await groundTruthModalities(db, dataset.id);
  const requested = (await searchParams).modality;
  const modality: Modality =
    requested && (MODALITIES as readonly string[]).includes(requested) ? (requested as Modality) : (run.modality ?? MODALITY_PREFERENCE.find((m) => modalities.includes(m)) ?? 'simulated');
  const [progress, maps, scores, failures, versions] = await Promise.all([
    runProgress(db, context),
    runMapIndex(db, run.id),
    runScores(db, run.id),
    runFailures(db, run.id),
    currentDensityMaps(db, dataset.id, modality),
  ]);
  const inForce = new Set(versions.map((v) => v.id));
  const byImage = new Map<string, { name: string; classLabel: string | null; values: Record<string, number> }>();
  for (const s of scores) {
    if (s.densityMapId !== null && !inForce.has(s.densityMapId)) continue;
    const row = byImage.get(s.imageId) ?? { name: s.imageName, classLabel: s.classLabel, values: {} };
    row.values[s.metric] = s.value;
    byImage.set(s.imageId, row);
  }
  const rows = [...byImage.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name));
  // How each insertion/deletion curve was obtained (issue 18); rejected browser curves with the reason.
  const curveCounts: Record<string, number> = {};
  const rejected: { image: string; metric: string; reason: string }[] = [];
  for (const s of scores) {
    if (!s.curveSource) continue;
    curveCounts[s.curveSource] = (curveCounts[s.curveSource] ?? 0) + 1;
    if (s.curveSource === 'client-rejected') {
      const check = (s.detail as { check?: { reason?: unknown } } | null)?.check;
      rejected.push({ image: s.imageName, metric: s.metric, reason: typeof check?.reason === 'string' ? check.reason : 'disagreed with the server' });
    }
  }
  const pct = progress.scoresExpected ? Math.round((100 * (progress.scoresDone + progress.scoresFailed)) / progress.scoresExpected) : 0;

  return (
    <div className="space-y-6">
      <nav className="text-sm text-stone-600">
        <Link href={`/leaderboard/${dataset.slug}`} className="text-blue-700 hover:underline">{dataset.name} leaderboard</Link> / run
      </nav>
      <div className="space-y-1">
        <h1 className="text-2xl font-semibold">{model.name} × {run.explainer}</h1>
        <p className="text-sm text-stone-700">
          {run.name} · status <strong data-testid="run-status">{run.status}</strong> · params <code>{JSON.stringify(run.params)}</code> · target <code>{JSON.stringify(run.target)}</code>
          {run.evaluateWithoutGroundTruth.length ? ` · evaluated: ${run.evaluateWithoutGroundTruth.join(', ')}${run.evaluationStep ? ` (step ${run.evaluationStep} px)` : ''}` : ''}
        </p>
      </div>
      <section aria-label="Progress" className="space-y-2" data-testid="run-progress">
        <p className="text-sm">
          Maps received: <strong>{progress.mapsReceived}</strong> / {progress.images} images · scores: <strong>{progress.scoresDone}</strong> stored
          {progress.scoresFailed ? `, ${progress.scoresFailed} failed` : ''} of {progress.scoresExpected} expected now
        </p>
        {progress.mapsReceived < progress.images && canWrite(actor, run) ? (
          <p className="text-sm">
            <Link href={`/workspace/runs/${run.id}`} className="text-blue-700 hover:underline">
              {progress.mapsReceived === 0 ? 'Compute the maps in this browser' : 'Resume computing the missing maps in this browser'}
            </Link>
          </p>
        ) : null}
        <div className="h-2 w-full max-w-xl rounded bg-stone-200"><div className="h-2 rounded bg-blue-600" style={{ width: `${pct}%` }} /></div>
        <p className="text-xs text-stone-600">
          Downloads: <a className="text-blue-700 hover:underline" href={`/api/v1/runs/${run.id}/scores.csv`}>scores.csv</a> ·{' '}
          <a className="text-blue-700 hover:underline" href={`/api/v1/runs/${run.id}/scores.json`}>scores.json</a> · maps: {maps.length} (NPY per image below)
        </p>
      </section>

      {Object.keys(curveCounts).length ? (
        <section className="space-y-1" aria-labelledby="curves-heading" data-testid="run-curve-sources">
          <h2 id="curves-heading" className="text-lg font-semibold">Insertion/deletion curves</h2>
          <p className="text-sm text-stone-700">
            {CURVE_SOURCES.filter((c) => curveCounts[c]).map((c) => `${curveCounts[c]} ${CURVE_SOURCE_LABELS[c]}`).join(' · ')}
          </p>
          {rejected.length ? (
            <ul className="list-disc pl-5 text-sm text-red-800" data-testid="run-curves-rejected">
              {rejected.slice(0, 50).map((r, i) => <li key={i}>{r.image} · {r.metric}: client curve rejected, recomputed — {r.reason}</li>)}
            </ul>
          ) : null}
        </section>
      ) : null}

      <section className="space-y-2" aria-labelledby="dist-heading">
        <h2 id="dist-heading" className="text-lg font-semibold">Distributions ({modality} ground truth in force)</h2>
        <div className="flex flex-wrap gap-3">
          {LEADERBOARD_COLUMNS.map((c) => (
            <HistogramChart key={c.key} label={`${c.label} ${c.direction === 'higher' ? '↑' : '↓'}`} values={rows.flatMap(([, r]) => (r.values[c.key] === undefined ? [] : [r.values[c.key] as number]))} />
          ))}
        </div>
      </section>

      <section className="space-y-2" aria-labelledby="images-heading">
        <h2 id="images-heading" className="text-lg font-semibold">Per image</h2>
        <div className="overflow-x-auto">
          <table className="min-w-full text-sm" data-testid="run-images">
            <thead>
              <tr className="border-b border-stone-300 text-left">
                <th className="px-2 py-1">image</th>
                <th className="px-2 py-1">class</th>
                {LEADERBOARD_COLUMNS.map((c) => <th key={c.key} className="px-2 py-1 text-right">{c.label}</th>)}
                <th className="px-2 py-1">map</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(([imageId, r]) => (
                <tr key={imageId} className="border-b border-stone-100">
                  <td className="px-2 py-1"><Link className="text-blue-700 hover:underline" href={`/images/${imageId}?a=${run.id}`}>{r.name}</Link></td>
                  <td className="px-2 py-1">{r.classLabel ?? ''}</td>
                  {LEADERBOARD_COLUMNS.map((c) => <td key={c.key} className="px-2 py-1 text-right tabular-nums">{num(r.values[c.key])}</td>)}
                  <td className="px-2 py-1"><a className="text-blue-700 hover:underline" href={`/api/v1/runs/${run.id}/maps/${imageId}.npy`}>npy</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      {failures.length ? (
        <section className="space-y-1" aria-labelledby="failures-heading">
          <h2 id="failures-heading" className="text-lg font-semibold">Metrics that could not be computed</h2>
          <ul className="list-disc pl-5 text-sm text-stone-700">
            {failures.slice(0, 50).map((f, i) => <li key={i}>{f.imageName} · {f.metric}: {f.message}</li>)}
          </ul>
        </section>
      ) : null}
    </div>
  );
}
