import Link from 'next/link';
import { CurveChart } from '@/app/_components/curve-chart';
import { getDb } from '@/db/client';
import { imageScores, runsWithMapFor } from '@/db/queries/runs';
import { canRead } from '@/lib/auth/access';
import { pageActor } from '@/lib/http/page-actor';
import { LEADERBOARD_COLUMNS } from '@/lib/scoring/metrics';

const SCALE = 2;

interface Props {
  readonly image: { id: string; width: number; height: number };
  readonly modality: string;
  /** Ground-truth version in force (scores shown are against it). */
  readonly densityMapId: string | null;
  readonly selected: { a?: string; b?: string };
}

type Curve = { curve: number[]; auc: number };

function curveOf(detail: Record<string, unknown> | null, value: number): Curve | undefined {
  const curve = detail?.curve;
  return Array.isArray(curve) && curve.every((v) => typeof v === 'number') ? { curve: curve as number[], auc: value } : undefined;
}

/**
 * Every run's saliency map of this image, two side by side (?a=&b= pick them; the first two by
 * default): the overlay on the image, the per-image scores against the ground truth in force, and
 * the insertion/deletion curves.
 */
export async function RunComparison({ image, modality, densityMapId, selected }: Props) {
  const db = await getDb();
  const actor = await pageActor(db);
  const runs = (await runsWithMapFor(db, image.id)).filter(({ run }) => canRead(actor, { ownerId: run.ownerId, visibility: run.visibility }));
  if (runs.length === 0) return <p className="text-sm text-stone-600">No explanation maps for this image yet.</p>;
  const ids = runs.map((r) => r.run.id);
  const a = ids.includes(selected.a ?? '') ? (selected.a as string) : ids[0];
  const b = ids.includes(selected.b ?? '') ? (selected.b as string) : ids.find((id) => id !== a);
  const shown = runs.filter((r) => r.run.id === a || r.run.id === b);
  const scores = await imageScores(db, image.id, shown.map((r) => r.run.id));
  const w = image.width * SCALE;
  const h = image.height * SCALE;
  return (
    <section className="space-y-3" aria-labelledby="runs-heading">
      <h2 id="runs-heading" className="text-lg font-semibold">Explanations ({runs.length} runs)</h2>
      <p className="text-sm text-stone-700">
        Compare:{' '}
        {runs.map((r) => (
          <span key={r.run.id} className="mr-2">
            <Link className="text-blue-700 hover:underline" href={`/images/${image.id}?a=${r.run.id}${r.run.id !== a && a ? `&b=${a}` : ''}`} data-testid="run-choice">
              {r.model.name} × {r.run.explainer}
            </Link>
          </span>
        ))}
      </p>
      <div className="grid gap-6 lg:grid-cols-2">
        {shown.map(({ run, model }) => {
          const mine = scores.filter((s) => s.runId === run.id);
          const gt = (metric: string) => mine.find((s) => s.metric === metric && (s.densityMapId === null ? false : s.densityMapId === densityMapId));
          const model_ = (metric: string) => mine.find((s) => s.metric === metric && s.densityMapId === null);
          const ins = model_('insertion');
          const del = model_('deletion');
          const insertion = ins ? curveOf(ins.detail, ins.value) : undefined;
          const deletion = del ? curveOf(del.detail, del.value) : undefined;
          return (
            <article key={run.id} className="space-y-2 rounded border border-stone-200 bg-white p-3" data-testid="run-panel">
              <h3 className="font-medium">
                <Link className="text-blue-700 hover:underline" href={`/runs/${run.id}`}>{model.name} × {run.explainer}</Link>
              </h3>
              <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} className="h-auto max-w-full" role="img" aria-label={`${run.explainer} saliency overlay`}>
                <image href={`/api/v1/images/${image.id}/file`} width={w} height={h} />
                <image data-testid="saliency-overlay" href={`/api/v1/runs/${run.id}/maps/${image.id}.png`} width={w} height={h} opacity={0.7} preserveAspectRatio="none" />
              </svg>
              <table className="text-sm" data-testid="image-scores">
                <tbody>
                  {LEADERBOARD_COLUMNS.map((c) => {
                    const s = c.groundTruth ? gt(c.key) : model_(c.key);
                    return (
                      <tr key={c.key}>
                        <td className="pr-3">{c.label} {c.direction === 'higher' ? '↑' : '↓'}</td>
                        <td className="text-right tabular-nums">{s ? s.value.toFixed(3) : '—'}</td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <p className="text-xs text-stone-500">Ground-truth metrics against the {modality} density map in force.</p>
              {insertion || deletion ? <CurveChart {...(insertion ? { insertion } : {})} {...(deletion ? { deletion } : {})} title={`${run.explainer} insertion and deletion`} /> : null}
            </article>
          );
        })}
      </div>
    </section>
  );
}
