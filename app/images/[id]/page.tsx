import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { getImageWithDataset } from '@/db/queries/datasets';
import { canRead } from '@/lib/auth/access';
import { actorOf, currentUser } from '@/lib/auth/current-user';
import { fixationsForImage, latestDensityMap } from '@/db/queries/ground-truth';
import { isolines, isolineSvgPath } from '@/lib/imaging/isolines';
import { RunComparison } from './run-comparison';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Image' };

const SCALE = 2;
/** Contour levels as fractions of the map's maximum. */
const ISOLINE_LEVELS = [0.25, 0.5, 0.75];

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ a?: string; b?: string }> };

function observerColour(index: number): string {
  return `hsl(${(index * 137.508) % 360} 85% 50%)`;
}

export default async function ImagePage({ params, searchParams }: Props) {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const db = await getDb();
  const found = await getImageWithDataset(db, id);
  if (!found || !canRead(actorOf(await currentUser(db)), found.dataset)) notFound();
  const { image, dataset } = found;
  const modality = 'simulated' as const;
  const [fixations, density] = await Promise.all([fixationsForImage(db, id, modality), latestDensityMap(db, id, modality)]);
  const observers = [...new Set(fixations.map((f) => f.observerLabel))];
  const w = image.width * SCALE;
  const h = image.height * SCALE;
  const src = `/api/v1/images/${id}/file`;
  let contours: { level: number; d: string }[] = [];
  if (density) {
    let max = 0;
    for (const v of density.grid.data) max = Math.max(max, v);
    contours = isolines(density.grid, ISOLINE_LEVELS.map((f) => f * max)).map((c, i) => ({
      level: ISOLINE_LEVELS[i] ?? 0,
      d: isolineSvgPath(c.segments, SCALE),
    }));
  }

  return (
    <div className="space-y-6">
      <nav className="text-sm text-stone-600">
        <Link href={`/datasets/${dataset.slug}`} className="text-blue-700 hover:underline">
          {dataset.name}
        </Link>{' '}
        / {image.name}
      </nav>
      <div className="flex flex-wrap items-baseline gap-3">
        <h1 className="text-2xl font-semibold">{image.name}</h1>
        <span className="text-stone-700">class: <strong data-testid="image-class">{image.classLabel ?? 'unlabelled'}</strong></span>
        <span className="rounded bg-amber-100 px-2 py-0.5 text-sm font-medium text-amber-900" data-testid="modality-label">
          gaze data: {modality}
        </span>
      </div>
      <p className="text-sm text-stone-600" data-testid="gaze-summary">
        {observers.length} {modality} observers · {fixations.length} fixations
        {density
          ? ` · density map v${density.version}${density.sigmaPx === null ? ' (imported)' : `, σ = ${density.sigmaPx.toFixed(1)} px (1° of visual angle)`}`
          : ' · no density map yet'}
      </p>

      <div className="grid gap-6 lg:grid-cols-3">
        <figure className="space-y-2">
          <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} className="h-auto max-w-full rounded border border-stone-200" role="img" aria-label="Image with fixations">
            <image href={src} width={w} height={h} />
            {fixations.map((f, i) => (
              <circle
                key={i}
                data-testid="fixation"
                cx={f.x * SCALE}
                cy={f.y * SCALE}
                r={Math.max(3, Math.sqrt(f.durationMs) / 3)}
                fill={observerColour(observers.indexOf(f.observerLabel))}
                fillOpacity={0.7}
                stroke="white"
                strokeWidth={1}
              >
                <title>{`${f.observerLabel}: ${Math.round(f.durationMs)} ms`}</title>
              </circle>
            ))}
          </svg>
          <figcaption className="text-sm text-stone-600">Fixations ({modality}), colour = observer, size = duration</figcaption>
        </figure>

        <figure className="space-y-2">
          <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} className="h-auto max-w-full rounded border border-stone-200" role="img" aria-label="Density map heatmap">
            <image href={src} width={w} height={h} />
            {density ? (
              <image data-testid="density-heatmap" href={`/api/v1/images/${id}/density?modality=${modality}`} width={w} height={h} opacity={0.75} />
            ) : null}
          </svg>
          <figcaption className="text-sm text-stone-600">Fixation density map ({modality}), jet heatmap</figcaption>
        </figure>

        <figure className="space-y-2">
          <svg viewBox={`0 0 ${w} ${h}`} width={w} height={h} className="h-auto max-w-full rounded border border-stone-200" role="img" aria-label="Density isolines">
            <image href={src} width={w} height={h} />
            {contours.map((c) => (
              <path key={c.level} data-testid="isoline" d={c.d} fill="none" stroke="white" strokeWidth={2 + 2 * c.level} strokeOpacity={0.9} />
            ))}
          </svg>
          <figcaption className="text-sm text-stone-600">Isolines at {ISOLINE_LEVELS.map((l) => `${l * 100}%`).join(', ')} of the maximum density</figcaption>
        </figure>
      </div>
      <p className="text-xs text-stone-600">
        Downloads: <a className="text-blue-700 hover:underline" href={`/api/v1/images/${id}/density.npy?modality=${modality}`}>density.npy</a> ·{' '}
        <a className="text-blue-700 hover:underline" href={`/api/v1/images/${id}/density.png16?modality=${modality}`}>density PNG (16-bit)</a> ·{' '}
        <a className="text-blue-700 hover:underline" href={`/api/v1/datasets/${dataset.id}/fixations.csv`}>fixations.csv (dataset)</a>
      </p>
      <RunComparison image={{ id, width: image.width, height: image.height }} modality={modality} densityMapId={density?.id ?? null} selected={await searchParams} />
    </div>
  );
}
