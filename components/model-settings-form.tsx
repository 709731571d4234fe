'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiJson, errorText } from './api-client';
import { PRESETS } from './model-uploader';

export interface EditableModel {
  id: string;
  name: string;
  architecture: string;
  trainingData: string;
  license: string;
  visibility: 'public' | 'private';
  preprocessing: string;
  targetLayer: string | null;
  labels: string[];
}

const input = 'w-full rounded border border-stone-300 px-3 py-2';

export function ModelSettingsForm({ model, layers }: { model: EditableModel; layers: string[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const target = String(f.get('targetLayer') ?? '');
    setError(null);
    setSaved(false);
    try {
      await apiJson(`/api/v1/models/${model.id}`, {
        method: 'PATCH',
        json: {
          name: f.get('name'), architecture: f.get('architecture'), trainingData: f.get('trainingData'), license: f.get('license'),
          visibility: f.get('visibility'), preprocessing: f.get('preprocessing'), targetLayer: target === '' ? null : target,
          labels: String(f.get('labels') ?? '').split('\n').map((l) => l.trim()).filter((l) => l !== ''),
        },
      });
      setSaved(true);
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    }
  }
  return (
    <form onSubmit={submit} className="grid max-w-3xl gap-3 sm:grid-cols-2">
      <label className="space-y-1"><span className="text-sm font-medium">Name</span><input name="name" defaultValue={model.name} className={input} /></label>
      <label className="space-y-1"><span className="text-sm font-medium">Visibility</span>
        <select name="visibility" defaultValue={model.visibility} className={input}><option value="private">private</option><option value="public">public</option></select></label>
      <label className="space-y-1 sm:col-span-2"><span className="text-sm font-medium">Architecture</span><input name="architecture" defaultValue={model.architecture} className={input} /></label>
      <label className="space-y-1 sm:col-span-2"><span className="text-sm font-medium">Training data</span><textarea name="trainingData" rows={2} defaultValue={model.trainingData} className={input} /></label>
      <label className="space-y-1"><span className="text-sm font-medium">Licence</span><input name="license" defaultValue={model.license} className={input} /></label>
      <label className="space-y-1"><span className="text-sm font-medium">Preprocessing</span>
        <select name="preprocessing" defaultValue={model.preprocessing} className={input}>{PRESETS.map((p) => <option key={p.value} value={p.value}>{p.text}</option>)}</select></label>
      <label className="space-y-1"><span className="text-sm font-medium">Target layer</span>
        {layers.length > 0 ? (
          <select name="targetLayer" defaultValue={model.targetLayer ?? ''} className={input}><option value="">(none)</option>{layers.map((l) => <option key={l} value={l}>{l}</option>)}</select>
        ) : <input name="targetLayer" defaultValue={model.targetLayer ?? ''} className={input} />}</label>
      <label className="space-y-1 sm:col-span-2"><span className="text-sm font-medium">Class labels, in output order</span>
        <textarea name="labels" rows={4} defaultValue={model.labels.join('\n')} className={input} /></label>
      <div className="sm:col-span-2">
        <button type="submit" className="rounded bg-stone-900 px-4 py-2 text-white">Save</button>
        {saved ? <span className="ml-3 text-sm text-green-700">Saved.</span> : null}
        {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
      </div>
    </form>
  );
}
