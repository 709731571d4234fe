import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { ModelUploader } from '@/components/model-uploader';
import { getDb } from '@/db/client';
import { listDatasetsVisibleTo } from '@/db/queries/datasets';
import { DEMO_DATASET_SLUG } from '@/db/seed/demo';
import { currentUser } from '@/lib/auth/current-user';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Upload a model' };

export default async function NewModelPage() {
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect('/signin?next=/workspace/models/new');
  const datasets = (await listDatasetsVisibleTo(db, user.id)).filter((d) => d.imageCount > 0);
  const preferred = datasets.find((d) => d.slug === DEMO_DATASET_SLUG) ?? datasets[0];
  return (
    <div className="space-y-6">
      <div className="space-y-2">
        <h1 className="text-2xl font-semibold">Upload a TF.js model</h1>
        <p className="max-w-3xl text-stone-700">
          A LayersModel or GraphModel as written by <code>tensorflowjs_converter</code> (see the README for Keras ResNet50, Xception,
          VGG16 and DenseNet121). Explanations run in the browser, so the model is served to the browsers of those you share it with.
        </p>
      </div>
      <ModelUploader datasets={datasets.map((d) => ({ id: d.id, name: d.name, imageCount: d.imageCount }))} defaultDatasetId={preferred?.id ?? null} />
    </div>
  );
}
