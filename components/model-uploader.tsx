'use client';
/**
 * Model upload in three steps (lib/models/upload.ts): upload the bundle (staged and checked on the
 * server), check the settings with test predictions on a few dataset images — the save button
 * only works once the current settings have been tried — then save the model card.
 */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ApiError, apiJson, apiUpload, errorText } from './api-client';
import { slugify } from './dataset-forms';

interface Staged {
  uploadId: string;
  format: string;
  bytes: number;
  sha256: string;
  files: { name: string; bytes: number }[];
  detected: { labels: string[]; preprocessing: string; inputSize: [number, number]; targetLayer: string | null; numClasses: number; head: string; configSource: string };
  card: { name?: string; architecture?: string; trainingData?: string; license?: string };
  layers: string[];
  notes: string[];
}

interface Predictions {
  dataset: { slug: string; name: string };
  predictions: { imageId: string; imageName: string; classLabel: string | null; top: { label: string; probability: number }[] }[];
}

export const PRESETS: readonly { value: string; text: string }[] = [
  { value: 'unit', text: 'unit — x/255 (models trained on [0,1] inputs)' },
  { value: 'inception', text: 'inception — x/127.5 − 1 (Xception, InceptionV3, MobileNet)' },
  { value: 'imagenet-caffe', text: 'imagenet-caffe — BGR, minus ImageNet mean (ResNet50, VGG16)' },
  { value: 'imagenet-torch', text: 'imagenet-torch — x/255, ImageNet mean/std (DenseNet121)' },
  { value: 'teachable-machine', text: 'teachable-machine — centre crop, x/127 − 1 (Teachable Machine exports)' },
];

const input = 'w-full rounded border border-stone-300 px-3 py-2';

export function ModelUploader({ datasets, defaultDatasetId }: { datasets: { id: string; name: string; imageCount: number }[]; defaultDatasetId: string | null }) {
  const router = useRouter();
  const [staged, setStaged] = useState<Staged | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [settings, setSettings] = useState({ preprocessing: 'unit', height: 224, width: 224, labels: '', targetLayer: '', datasetId: defaultDatasetId ?? '' });
  const [predictions, setPredictions] = useState<Predictions | null>(null);
  const [triedKey, setTriedKey] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [card, setCard] = useState({ name: '', slug: '', architecture: '', trainingData: '', license: '', visibility: 'private' });

  const config = {
    labels: settings.labels.split('\n').map((l) => l.trim()).filter((l) => l !== ''),
    preprocessing: settings.preprocessing,
    inputSize: [settings.height, settings.width] as [number, number],
    targetLayer: settings.targetLayer === '' ? null : settings.targetLayer,
  };
  const key = JSON.stringify(config);

  async function predict(uploadId: string, cfg: typeof config, datasetId: string) {
    setBusy(true);
    setError(null);
    try {
      const res = await apiJson<Predictions>(`/api/v1/models/uploads/${uploadId}/predict`, { json: { ...cfg, ...(datasetId ? { datasetId } : {}), count: 4 } });
      setPredictions(res);
      setTriedKey(JSON.stringify(cfg));
    } catch (e) {
      setError(errorText(e));
      setPredictions(null);
    } finally {
      setBusy(false);
    }
  }

  async function upload(files: FileList) {
    const form = new FormData();
    for (const f of Array.from(files)) form.append('files', f, f.name);
    setError(null);
    setStaged(null);
    setPredictions(null);
    setProgress(0);
    try {
      const s = await apiUpload<Staged>('/api/v1/models/uploads', form, setProgress);
      setStaged(s);
      const next = { ...settings, preprocessing: s.detected.preprocessing, height: s.detected.inputSize[0], width: s.detected.inputSize[1], labels: s.detected.labels.join('\n'), targetLayer: s.detected.targetLayer ?? '' };
      setSettings(next);
      const name = s.card.name ?? '';
      setCard((c) => ({ ...c, name, slug: slugify(name), architecture: s.card.architecture ?? '', trainingData: s.card.trainingData ?? '', license: s.card.license ?? '' }));
      // The same shape as `config` (targetLayer null, not absent), so this prediction counts as tried.
      await predict(s.uploadId, { labels: s.detected.labels, preprocessing: s.detected.preprocessing, inputSize: s.detected.inputSize, targetLayer: s.detected.targetLayer ?? null }, next.datasetId);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setProgress(null);
    }
  }

  async function save() {
    if (!staged) return;
    setBusy(true);
    setError(null);
    try {
      const model = await apiJson<{ slug: string }>('/api/v1/models', { json: { uploadId: staged.uploadId, ...card, ...config } });
      router.push(`/workspace/models/${model.slug}`);
    } catch (e) {
      setError(e instanceof ApiError && e.field ? `${e.field}: ${e.message}` : errorText(e));
      setBusy(false);
    }
  }

  return (
    <div className="space-y-8">
      <section className="space-y-2">
        <h2 className="text-lg font-semibold">1. Bundle</h2>
        <p className="text-sm text-stone-700">Select model.json, every weight shard it lists (*.bin) and, if you have one, gazebench.json.</p>
        <input type="file" multiple accept=".json,.bin,application/json,application/octet-stream" aria-label="Model files" onChange={(e) => e.target.files && e.target.files.length > 0 && void upload(e.target.files)} />
        {progress !== null ? <progress value={progress} max={1} aria-label="Upload progress" /> : null}
        {staged ? (
          <p className="text-sm text-stone-700" data-testid="staged-summary">
            {staged.format}, {staged.files.length} files, {(staged.bytes / 1024 / 1024).toFixed(2)} MiB, {staged.detected.numClasses} classes, sha256 {staged.sha256.slice(0, 12)}…
          </p>
        ) : null}
        {staged?.notes.map((n) => <p key={n} className="text-xs text-stone-500">{n}</p>)}
      </section>

      {staged ? (
        <section className="space-y-3">
          <h2 className="text-lg font-semibold">2. Settings and test prediction</h2>
          <div className="grid max-w-3xl gap-3 sm:grid-cols-2">
            <label className="space-y-1 sm:col-span-2">
              <span className="text-sm font-medium">Preprocessing</span>
              <select value={settings.preprocessing} onChange={(e) => setSettings({ ...settings, preprocessing: e.target.value })} className={input} aria-label="Preprocessing">
                {PRESETS.map((p) => <option key={p.value} value={p.value}>{p.text}</option>)}
              </select>
            </label>
            <label className="space-y-1">
              <span className="text-sm font-medium">Input height</span>
              <input type="number" min={1} value={settings.height} onChange={(e) => setSettings({ ...settings, height: Number(e.target.value) })} className={input} />
            </label>
            <label className="space-y-1">
              <span className="text-sm font-medium">Input width</span>
              <input type="number" min={1} value={settings.width} onChange={(e) => setSettings({ ...settings, width: Number(e.target.value) })} className={input} />
            </label>
            <label className="space-y-1">
              <span className="text-sm font-medium">Target layer (Grad-CAM)</span>
              {staged.layers.length > 0 ? (
                <select value={settings.targetLayer} onChange={(e) => setSettings({ ...settings, targetLayer: e.target.value })} className={input} aria-label="Target layer">
                  <option value="">(none)</option>
                  {staged.layers.map((l) => <option key={l} value={l}>{l}</option>)}
                </select>
              ) : <input value={settings.targetLayer} onChange={(e) => setSettings({ ...settings, targetLayer: e.target.value })} className={input} aria-label="Target layer" />}
            </label>
            <label className="space-y-1">
              <span className="text-sm font-medium">Test images from</span>
              <select value={settings.datasetId} onChange={(e) => setSettings({ ...settings, datasetId: e.target.value })} className={input} aria-label="Test dataset">
                {datasets.map((d) => <option key={d.id} value={d.id}>{d.name} ({d.imageCount})</option>)}
              </select>
            </label>
            <label className="space-y-1 sm:col-span-2">
              <span className="text-sm font-medium">Class labels, one per line, in output order ({staged.detected.numClasses})</span>
              <textarea rows={5} value={settings.labels} onChange={(e) => setSettings({ ...settings, labels: e.target.value })} className={input} aria-label="Class labels" />
            </label>
          </div>
          <button type="button" disabled={busy} onClick={() => void predict(staged.uploadId, config, settings.datasetId)} className="rounded border border-stone-400 px-4 py-2 disabled:opacity-50">
            Run test prediction
          </button>
          {predictions ? (
            <table className="text-sm" data-testid="predictions">
              <caption className="text-left text-stone-600">Top 3 on {predictions.dataset.name} — does the model recognise these?</caption>
              <tbody>
                {predictions.predictions.map((p) => (
                  <tr key={p.imageId} className="border-t border-stone-200" data-testid="prediction">
                    {/* eslint-disable-next-line @next/next/no-img-element */}
                    <td className="py-1 pr-3"><img src={`/api/v1/images/${p.imageId}/file`} alt={p.imageName} width={64} height={64} /></td>
                    <td className="pr-3">{p.classLabel ?? 'unlabelled'}</td>
                    {p.top.map((t, i) => (
                      <td key={t.label} className="pr-3" data-testid={i === 0 ? 'prediction-top1' : undefined}>
                        {t.label} {(t.probability * 100).toFixed(1)}%
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </section>
      ) : null}

      {staged ? (
        <section className="max-w-3xl space-y-3">
          <h2 className="text-lg font-semibold">3. Model card</h2>
          <div className="grid gap-3 sm:grid-cols-2">
            <label className="space-y-1"><span className="text-sm font-medium">Name</span>
              <input value={card.name} onChange={(e) => setCard({ ...card, name: e.target.value, slug: card.slug === slugify(card.name) ? slugify(e.target.value) : card.slug })} className={input} aria-label="Model name" /></label>
            <label className="space-y-1"><span className="text-sm font-medium">Slug</span>
              <input value={card.slug} onChange={(e) => setCard({ ...card, slug: e.target.value })} className={input} aria-label="Model slug" /></label>
            <label className="space-y-1 sm:col-span-2"><span className="text-sm font-medium">Architecture</span>
              <input value={card.architecture} onChange={(e) => setCard({ ...card, architecture: e.target.value })} className={input} /></label>
            <label className="space-y-1 sm:col-span-2"><span className="text-sm font-medium">Training data</span>
              <textarea rows={2} value={card.trainingData} onChange={(e) => setCard({ ...card, trainingData: e.target.value })} className={input} /></label>
            <label className="space-y-1"><span className="text-sm font-medium">Licence</span>
              <input value={card.license} onChange={(e) => setCard({ ...card, license: e.target.value })} className={input} /></label>
            <label className="space-y-1"><span className="text-sm font-medium">Visibility</span>
              <select value={card.visibility} onChange={(e) => setCard({ ...card, visibility: e.target.value })} className={input}>
                <option value="private">private (only you)</option>
                <option value="public">public</option>
              </select></label>
          </div>
          <button type="button" disabled={busy || triedKey !== key} onClick={() => void save()} className="rounded bg-stone-900 px-4 py-2 text-white disabled:opacity-40">
            Save model
          </button>
          {triedKey !== key ? <p className="text-xs text-stone-500">Run a test prediction with these settings first.</p> : null}
        </section>
      ) : null}
      {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
    </div>
  );
}
