import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { DeleteDialog } from '@/components/delete-dialog';
import { ModelSettingsForm } from '@/components/model-settings-form';
import { getDb } from '@/db/client';
import { getModelBySlug } from '@/db/queries/models';
import { canRead, canWrite } from '@/lib/auth/access';
import { actorOf, currentUser } from '@/lib/auth/current-user';
import { layerNames } from '@/lib/models/topology';
import { dataDir } from '@/lib/server/paths';
import { readBlob } from '@/lib/storage/blobs';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: (await params).slug };
}

export default async function WorkspaceModelPage({ params }: Props) {
  const { slug } = await params;
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect(`/signin?next=/workspace/models/${encodeURIComponent(slug)}`);
  const actor = actorOf(user);
  const model = await getModelBySlug(db, slug);
  if (!model || !canRead(actor, model) || !canWrite(actor, model)) notFound();
  const modelJson = model.files?.find((f) => f.name === 'model.json');
  const layers = modelJson ? layerNames(JSON.parse((await readBlob(dataDir(), modelJson.sha256)).toString('utf8'))) : [];
  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <p className="text-sm text-stone-600"><Link href="/workspace" className="text-blue-700 hover:underline">Workspace</Link> / models</p>
        <h1 className="text-2xl font-semibold" data-testid="model-name">{model.name}</h1>
        <p className="text-sm text-stone-600">
          owner {model.ownerId === null ? 'the platform' : model.ownerName || 'a researcher'} · {model.format} · {model.labels.length} classes · input {model.inputHeight}×{model.inputWidth} · {model.preprocessing} · target layer {model.targetLayer ?? 'none'} · {model.visibility}
        </p>
        {model.sha256 ? <p className="font-mono text-xs text-stone-500" data-testid="model-sha256">sha256 {model.sha256}</p> : null}
        <p className="text-sm">
          <a href={model.url} className="text-blue-700 hover:underline">model.json</a> ·{' '}
          <Link href={`/workspace/runs/new?model=${encodeURIComponent(model.slug)}`} className="text-blue-700 hover:underline">Run explainers with this model</Link>
        </p>
      </div>
      <section className="space-y-3">
        <h2 className="text-xl font-semibold">Model card and settings</h2>
        <ModelSettingsForm layers={layers} model={{ id: model.id, name: model.name, architecture: model.architecture, trainingData: model.trainingData, license: model.license, visibility: model.visibility, preprocessing: model.preprocessing, targetLayer: model.targetLayer, labels: model.labels }} />
      </section>
      {model.rewrites.length > 0 ? (
        <section className="space-y-2" aria-labelledby="model-rewrites">
          <h2 id="model-rewrites" className="text-xl font-semibold">Keras 3 rewrites</h2>
          <p className="text-sm text-stone-600">model.json was written by Keras 3; to load it in TF.js these forms were rewritten (the stored file is as uploaded):</p>
          <ul className="list-disc pl-5 font-mono text-xs text-stone-700" data-testid="model-rewrites">
            {model.rewrites.map((r, i) => <li key={i}>{r}</li>)}
          </ul>
        </section>
      ) : null}
      {model.files ? (
        <section className="space-y-2">
          <h2 className="text-xl font-semibold">Files</h2>
          <ul className="font-mono text-xs text-stone-700">
            {model.files.map((f) => <li key={f.name}>{f.name} · {f.bytes} bytes · {f.sha256}</li>)}
          </ul>
        </section>
      ) : null}
      <DeleteDialog kind="model" slug={model.slug} endpoint={`/api/v1/models/${model.id}`} consequences="Deletes the model with its explanation runs, maps and scores." />
    </div>
  );
}
