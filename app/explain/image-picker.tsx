'use client';

import { useEffect, useState } from 'react';

export interface DatasetOption {
  readonly slug: string;
  readonly name: string;
  readonly imageCount: number;
}

export type ImageItem =
  | { readonly key: string; readonly name: string; readonly kind: 'dataset'; readonly url: string; readonly classLabel: string | null }
  | { readonly key: string; readonly name: string; readonly kind: 'local'; readonly file: File };

interface DatasetImage {
  id: string;
  name: string;
  classLabel: string | null;
  url: string;
}

interface Props {
  readonly datasets: readonly DatasetOption[];
  readonly selected: readonly ImageItem[];
  readonly onChange: (next: ImageItem[]) => void;
  readonly disabled: boolean;
}

let localCounter = 0;

/** Dataset images (from /api/v1/datasets/{slug}/images) and local files; local files stay in the browser. */
export function ImagePicker({ datasets, selected, onChange, disabled }: Props) {
  const [slug, setSlug] = useState(datasets[0]?.slug ?? '');
  const [images, setImages] = useState<DatasetImage[]>([]);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (slug === '') return;
    const controller = new AbortController();
    setError(null);
    fetch(`/api/v1/datasets/${encodeURIComponent(slug)}/images`, { signal: controller.signal })
      .then(async (r) => {
        const body = (await r.json()) as { images?: DatasetImage[]; detail?: string };
        if (!r.ok || body.images === undefined) throw new Error(body.detail ?? `HTTP ${r.status}`);
        setImages(body.images);
      })
      .catch((e: unknown) => {
        if (!controller.signal.aborted) setError(`cannot list the images of ${slug}: ${e instanceof Error ? e.message : String(e)}`);
      });
    return () => controller.abort();
  }, [slug]);

  const isSelected = (id: string) => selected.some((s) => s.key === `dataset:${id}`);
  const toggle = (img: DatasetImage, on: boolean) => {
    const key = `dataset:${img.id}`;
    onChange(on ? [...selected, { key, name: img.name, kind: 'dataset', url: img.url, classLabel: img.classLabel }] : selected.filter((s) => s.key !== key));
  };
  const addFiles = (files: FileList | null) => {
    if (files === null) return;
    const added: ImageItem[] = Array.from(files).map((file) => ({ key: `local:${++localCounter}`, name: file.name, kind: 'local', file }));
    onChange([...selected, ...added]);
  };

  return (
    <fieldset className="space-y-3 rounded border border-stone-200 bg-white p-3">
      <legend className="px-1 text-sm font-medium">Images</legend>
      <label className="flex items-center gap-2 text-sm">
        Dataset
        <select value={slug} onChange={(e) => setSlug(e.target.value)} disabled={disabled} className="rounded border border-stone-300 px-1 py-0.5">
          {datasets.map((d) => (
            <option key={d.slug} value={d.slug}>{`${d.name} (${d.imageCount})`}</option>
          ))}
        </select>
      </label>
      {error !== null ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
      <ul aria-label="Dataset images" className="grid max-h-64 grid-cols-4 gap-1 overflow-y-auto sm:grid-cols-6">
        {images.map((img) => (
          <li key={img.id}>
            <label className="relative block cursor-pointer rounded border border-stone-200 p-0.5 text-[10px] has-[:checked]:border-blue-600 has-[:checked]:bg-blue-50">
              <input type="checkbox" className="absolute left-1 top-1 h-3 w-3" checked={isSelected(img.id)} onChange={(e) => toggle(img, e.target.checked)} disabled={disabled} aria-label={img.name} />
              {/* eslint-disable-next-line @next/next/no-img-element */}
              <img src={img.url} alt="" className="h-auto w-full" loading="lazy" />
              <span className="block truncate">{img.classLabel ?? img.name}</span>
            </label>
          </li>
        ))}
      </ul>
      <label className="block text-sm">
        Local images (stay in your browser)
        <input
          type="file"
          multiple
          accept="image/png,image/jpeg,image/webp"
          onChange={(e) => {
            addFiles(e.target.files);
            e.target.value = '';
          }}
          disabled={disabled}
          className="mt-1 block text-sm"
        />
      </label>
      <div>
        <p className="text-sm">Selected: {selected.length === 0 ? 'none' : selected.length}</p>
        <ul aria-label="Selected images" className="flex flex-wrap gap-1">
          {selected.map((s) => (
            <li key={s.key} className="flex items-center gap-1 rounded bg-stone-100 px-2 py-0.5 text-xs">
              {s.name}
              <button type="button" onClick={() => onChange(selected.filter((x) => x.key !== s.key))} disabled={disabled} aria-label={`Remove ${s.name}`} className="text-stone-500 hover:text-red-700">
                ×
              </button>
            </li>
          ))}
        </ul>
      </div>
    </fieldset>
  );
}
