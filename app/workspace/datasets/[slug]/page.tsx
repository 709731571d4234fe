import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { DatasetSettingsForm, ImageLabelEditor, ImageUploader } from '@/components/dataset-forms';
import { DeleteDialog } from '@/components/delete-dialog';
import { getDb } from '@/db/client';
import { classCounts, countDatasetStudies, getDatasetBySlug, listDatasetImages } from '@/db/queries/datasets';
import { canRead, canWrite } from '@/lib/auth/access';
import { actorOf, currentUser } from '@/lib/auth/current-user';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ slug: string }> };

/** Images shown on the page; the API lists all. */
const GRID_LIMIT = 500;

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).slug };
}

export default async function WorkspaceDatasetPage({ params }: Props) {
  const { slug } = await params;
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect(`/signin?next=/workspace/datasets/${encodeURIComponent(slug)}`);
  const actor = actorOf(user);
  const dataset = await getDatasetBySlug(db, slug);
  if (!dataset || !canRead(actor, dataset) || !canWrite(actor, dataset)) notFound();
  const [images, classes, studies] = await Promise.all([listDatasetImages(db, dataset.id), classCounts(db, dataset.id), countDatasetStudies(db, dataset.id)]);
  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <p className="text-sm text-stone-600"><Link href="/workspace" className="text-blue-700 hover:underline">Workspace</Link> / datasets</p>
        <h1 className="text-2xl font-semibold">{dataset.name}</h1>
        <p className="text-sm text-stone-600">
          <span data-testid="workspace-image-count">{images.length}</span> images · {dataset.visibility}
          {dataset.visibility === 'public' ? <> · <Link href={`/datasets/${dataset.slug}`} className="text-blue-700 hover:underline">public page</Link></> : null}
        </p>
        <p className="text-sm">
          <Link href={`/workspace/runs/new?dataset=${encodeURIComponent(dataset.slug)}`} className="text-blue-700 hover:underline">Run explainers on this dataset</Link>
        </p>
        <p className="text-sm text-stone-600" data-testid="class-counts">
          {classes.map((c) => `${c.label ?? 'unlabelled'}: ${c.count}`).join(' · ')}
        </p>
      </div>
      <section className="space-y-3" aria-labelledby="upload-heading">
        <h2 id="upload-heading" className="text-xl font-semibold">Add images</h2>
        <ImageUploader datasetId={dataset.id} />
      </section>
      <section className="space-y-3" aria-labelledby="images-heading">
        <h2 id="images-heading" className="text-xl font-semibold">Images</h2>
        {images.length > GRID_LIMIT ? <p className="text-sm text-stone-600">Showing the first {GRID_LIMIT} of {images.length}.</p> : null}
        <ul className="grid grid-cols-2 gap-3 sm:grid-cols-4 lg:grid-cols-6" aria-label="Dataset images">
          {images.slice(0, GRID_LIMIT).map((img) => (
            <li key={img.id} className="overflow-hidden rounded border border-stone-200 bg-white">
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={`/api/v1/images/${img.id}/file`} alt={img.name} width={img.width} height={img.height} className="h-auto w-full" loading="lazy" />
              <span className="block truncate px-2 pt-1 text-xs text-stone-600" title={img.name}>{img.name}</span>
              <ImageLabelEditor imageId={img.id} label={img.classLabel} />
            </li>
          ))}
        </ul>
      </section>
      <section className="space-y-3" aria-labelledby="settings-heading">
        <h2 id="settings-heading" className="text-xl font-semibold">Settings</h2>
        <DatasetSettingsForm id={dataset.id} name={dataset.name} description={dataset.description} visibility={dataset.visibility} />
      </section>
      <DeleteDialog kind="dataset" slug={dataset.slug} endpoint={`/api/v1/datasets/${dataset.id}`}
        consequences={`Deletes its ${images.length} images and everything made from them: ${studies} studies with their participants' gaze data, density maps, explanation runs and scores.`} />
    </div>
  );
}
