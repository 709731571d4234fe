'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ApiError, apiJson, apiUpload, errorText } from './api-client';

const input = 'w-full rounded border border-stone-300 px-3 py-2';

export function slugify(name: string): string {
  return name.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 64).replace(/-+$/, '');
}

function FieldError({ error, field }: { error: ApiError | null; field: string }) {
  if (!error || error.field !== field) return null;
  return (
    <p className="text-sm text-red-700" role="alert">
      {error.message}
    </p>
  );
}

function OtherError({ error, fields }: { error: ApiError | null; fields: string[] }) {
  if (!error || fields.includes(error.field ?? '')) return null;
  return (
    <p className="text-sm text-red-700" role="alert">
      {error.message}
    </p>
  );
}

const asApiError = (e: unknown) => (e instanceof ApiError ? e : new ApiError(0, 'error', errorText(e)));

export function DatasetCreateForm() {
  const router = useRouter();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      const created = await apiJson<{ slug: string }>('/api/v1/datasets', {
        json: { name, slug, description: String(form.get('description') ?? ''), visibility: String(form.get('visibility') ?? 'private') },
      });
      router.push(`/workspace/datasets/${created.slug}`);
    } catch (err) {
      setError(asApiError(err));
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} className="max-w-xl space-y-4">
      <label className="block space-y-1">
        <span className="text-sm font-medium">Name</span>
        <input name="name" required value={name} className={input} onChange={(e) => {
          setName(e.target.value);
          if (!slugEdited) setSlug(slugify(e.target.value));
        }} />
        <FieldError error={error} field="name" />
      </label>
      <label className="block space-y-1">
        <span className="text-sm font-medium">Slug (URL name)</span>
        <input name="slug" required value={slug} className={input} onChange={(e) => {
          setSlug(e.target.value);
          setSlugEdited(true);
        }} />
        <FieldError error={error} field="slug" />
      </label>
      <label className="block space-y-1">
        <span className="text-sm font-medium">Description</span>
        <textarea name="description" rows={3} className={input} />
        <FieldError error={error} field="description" />
      </label>
      <fieldset className="space-y-1">
        <legend className="text-sm font-medium">Visibility</legend>
        <label className="mr-4 text-sm"><input type="radio" name="visibility" value="private" defaultChecked /> private (only you)</label>
        <label className="text-sm"><input type="radio" name="visibility" value="public" /> public (anyone can view it)</label>
      </fieldset>
      <OtherError error={error} fields={['name', 'slug', 'description']} />
      <button type="submit" disabled={busy} className="rounded bg-stone-900 px-4 py-2 text-white disabled:opacity-50">
        Create dataset
      </button>
    </form>
  );
}

export function DatasetSettingsForm({ id, name, description, visibility }: { id: string; name: string; description: string; visibility: 'public' | 'private' }) {
  const router = useRouter();
  const [error, setError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError(null);
    setSaved(false);
    try {
      await apiJson(`/api/v1/datasets/${id}`, { method: 'PATCH', json: { name: form.get('name'), description: form.get('description'), visibility: form.get('visibility') } });
      setSaved(true);
      router.refresh();
    } catch (err) {
      setError(asApiError(err));
    }
  }
  return (
    <form onSubmit={submit} className="max-w-xl space-y-3">
      <label className="block space-y-1">
        <span className="text-sm font-medium">Name</span>
        <input name="name" defaultValue={name} className={input} />
        <FieldError error={error} field="name" />
      </label>
      <label className="block space-y-1">
        <span className="text-sm font-medium">Description</span>
        <textarea name="description" defaultValue={description} rows={3} className={input} />
      </label>
      <label className="block space-y-1">
        <span className="text-sm font-medium">Visibility</span>
        <select name="visibility" defaultValue={visibility} className={input} aria-label="Visibility">
          <option value="private">private (only you)</option>
          <option value="public">public (anyone can view it)</option>
        </select>
      </label>
      <OtherError error={error} fields={['name']} />
      <button type="submit" className="rounded bg-stone-900 px-4 py-2 text-white">Save</button>
      {saved ? <span className="ml-3 text-sm text-green-700">Saved.</span> : null}
    </form>
  );
}

/** Image files and/or zips, with class labels from file names (default), zip folders, or none. */
export function ImageUploader({ datasetId }: { datasetId: string }) {
  const router = useRouter();
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    setError(null);
    setResult(null);
    setProgress(0);
    try {
      const res = await apiUpload<{ added: unknown[] }>(`/api/v1/datasets/${datasetId}/images`, form, setProgress);
      setResult(`${res.added.length} images added.`);
      formEl.reset();
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setProgress(null);
    }
  }
  return (
    <form onSubmit={submit} className="space-y-3">
      <label className="block space-y-1">
        <span className="text-sm font-medium">Images (PNG, JPEG, WebP) or zip files of images</span>
        <input name="files" type="file" multiple required accept="image/png,image/jpeg,image/webp,.zip,application/zip" aria-label="Image files or zip" className="block text-sm" />
      </label>
      <label className="block space-y-1">
        <span className="text-sm font-medium">Class labels</span>
        <select name="labelMode" defaultValue="prefix" className="rounded border border-stone-300 px-3 py-2 text-sm" aria-label="Class labels">
          <option value="prefix">from file names: &lt;class&gt;_&lt;n&gt;.jpg</option>
          <option value="folder">from the folder inside the zip</option>
          <option value="none">none</option>
        </select>
      </label>
      <button type="submit" disabled={progress !== null} className="rounded bg-stone-900 px-4 py-2 text-white disabled:opacity-50">
        Upload
      </button>
      {progress !== null ? (
        <progress value={progress} max={1} className="ml-3 align-middle" aria-label="Upload progress" />
      ) : null}
      {error ? (
        <p className="text-sm text-red-700" role="alert">
          {error}
        </p>
      ) : null}
      {result ? (
        <p className="text-sm text-green-700" role="status" data-testid="upload-result">
          {result}
        </p>
      ) : null}
    </form>
  );
}

export function ImageLabelEditor({ imageId, label }: { imageId: string; label: string | null }) {
  const [value, setValue] = useState(label ?? '');
  const [state, setState] = useState<'idle' | 'saved' | string>('idle');
  return (
    <form
      className="flex gap-1 px-2 py-1"
      onSubmit={async (e) => {
        e.preventDefault();
        try {
          await apiJson(`/api/v1/images/${imageId}`, { method: 'PATCH', json: { classLabel: value.trim() === '' ? null : value.trim() } });
          setState('saved');
        } catch (err) {
          setState(errorText(err));
        }
      }}
    >
      <input value={value} onChange={(e) => setValue(e.target.value)} placeholder="unlabelled" aria-label="Class label" data-testid="class-label-input" className="w-full min-w-0 rounded border border-stone-200 px-1 text-xs" />
      <button type="submit" className="text-xs text-blue-700" title={state !== 'idle' && state !== 'saved' ? state : undefined}>
        {state === 'saved' ? '✓' : 'set'}
      </button>
    </form>
  );
}
