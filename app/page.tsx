import Link from 'next/link';
import { getDb } from '@/db/client';
import { listPublicDatasets } from '@/db/queries/datasets';

export const dynamic = 'force-dynamic';

export default async function HomePage() {
  const datasets = await listPublicDatasets(await getDb());
  return (
    <div className="space-y-10">
      <section className="max-w-3xl space-y-3">
        <h1 className="text-3xl font-semibold tracking-tight">Do saliency maps look where people look?</h1>
        <p className="text-stone-700">
          Gazebench compares explainable-AI saliency maps — Grad-CAM, FEM, RISE, LIME and more — with where humans
          actually look. Participants view images in their own browser while WebGazer estimates their gaze from the
          webcam; only gaze coordinates leave the browser, never video. The server turns gaze into fixations and
          fixation density maps, measures how much observers agree with each other, and scores every explanation
          against that ground truth (PCC, SSIM, NSS, AUC, SIM, KLD, IG, EMD) and without it (insertion, deletion).
        </p>
        <p className="text-stone-700">
          <Link href="/explain" className="font-medium text-blue-700 hover:underline">
            Open the explanation playground
          </Link>{' '}
          to compute saliency maps for the demo model or your own TF.js model, in your browser.
        </p>
      </section>

      <section id="datasets" aria-labelledby="datasets-heading" className="space-y-4">
        <h2 id="datasets-heading" className="text-xl font-semibold">
          Datasets
        </h2>
        {datasets.length === 0 ? (
          <p className="text-stone-600">No public datasets yet.</p>
        ) : (
          <ul className="grid gap-4 sm:grid-cols-2 lg:grid-cols-3">
            {datasets.map((d) => (
              <li key={d.id} className="rounded-lg border border-stone-200 bg-white p-4 shadow-sm">
                <Link href={`/datasets/${d.slug}`} className="text-lg font-medium text-blue-700 hover:underline">
                  {d.name}
                </Link>
                <p className="mt-1 text-sm text-stone-600" data-testid="image-count">
                  {d.imageCount} images
                  {d.isDemo ? <span className="ml-2 rounded bg-amber-100 px-1.5 py-0.5 text-xs text-amber-800">demo</span> : null}
                </p>
                <p className="mt-2 text-sm text-stone-700">{d.description}</p>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
