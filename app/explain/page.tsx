import type { Metadata } from 'next';
import { getDb } from '@/db/client';
import { listPublicDatasets } from '@/db/queries/datasets';
import { Playground } from './playground';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Explain' };

/** The explanation playground: TF.js runs in a Web Worker in the visitor's browser (issue 4). */
export default async function ExplainPage() {
  const datasets = await listPublicDatasets(await getDb());
  return (
    <div className="space-y-6">
      <div className="max-w-3xl space-y-2">
        <h1 className="text-2xl font-semibold">Explanation playground</h1>
        <p className="text-stone-700">
          Compute saliency maps — Grad-CAM, FEM, RISE, LIME and more — for the demo model or your own TF.js model, on dataset
          images or your own files. Everything runs in this browser, in a background worker with TF.js; local models and images
          are never uploaded. With the wasm backend the maps are the ones the <code>gazebench explain</code> CLI computes.
        </p>
      </div>
      <Playground datasets={datasets.map((d) => ({ slug: d.slug, name: d.name, imageCount: d.imageCount }))} />
    </div>
  );
}
