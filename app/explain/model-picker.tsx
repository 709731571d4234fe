'use client';

import { useState } from 'react';
import { sortModelFiles } from '@/lib/explainers/browser/model-files';
import { DEMO_MODEL_URL, type ModelInfo, type ModelSource } from '@/lib/explainers/browser/protocol';

interface Props {
  readonly model: ModelInfo | null;
  readonly status: string;
  readonly error: string | null;
  readonly onLoad: (source: ModelSource) => void;
  readonly disabled: boolean;
}

/** The demo model or a local TF.js bundle (model.json + shards + optional gazebench.json), never uploaded. */
export function ModelPicker({ model, status, error, onLoad, disabled }: Props) {
  const [mode, setMode] = useState<'demo' | 'files'>('demo');
  const [fileError, setFileError] = useState<string | null>(null);

  const pickDemo = () => {
    setMode('demo');
    setFileError(null);
    onLoad({ kind: 'url', url: DEMO_MODEL_URL });
  };
  const pickFiles = (list: FileList | null) => {
    if (list === null || list.length === 0) return;
    const sorted = sortModelFiles(Array.from(list));
    if (!sorted.ok) {
      setFileError(sorted.reason);
      return;
    }
    setFileError(null);
    onLoad(sorted.source);
  };

  return (
    <fieldset className="space-y-2 rounded border border-stone-200 bg-white p-3">
      <legend className="px-1 text-sm font-medium">Model</legend>
      <label className="flex items-center gap-2 text-sm">
        <input type="radio" name="model-source" checked={mode === 'demo'} onChange={pickDemo} disabled={disabled} />
        Demo model (shapes CNN)
      </label>
      <label className="flex items-center gap-2 text-sm">
        <input type="radio" name="model-source" checked={mode === 'files'} onChange={() => setMode('files')} disabled={disabled} />
        Local model files
      </label>
      {mode === 'files' ? (
        <label className="block text-sm">
          Model files (model.json, weight shards, optional gazebench.json; they stay in your browser)
          <input type="file" multiple accept=".json,.bin,application/json,application/octet-stream" onChange={(e) => pickFiles(e.target.files)} disabled={disabled} className="mt-1 block text-sm" />
        </label>
      ) : null}
      <p className="text-sm text-stone-700" data-testid="model-status" aria-live="polite">
        {status}
      </p>
      {fileError !== null || error !== null ? <p role="alert" className="text-sm text-red-700">{fileError ?? error}</p> : null}
      {model !== null ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-3 text-xs text-stone-700">
          <dt>Name</dt>
          <dd data-testid="model-name">{model.name}</dd>
          <dt>Input</dt>
          <dd>{`${model.inputSize[1]}×${model.inputSize[0]}, ${model.preprocessing}, ${model.format}`}</dd>
          <dt>Classes</dt>
          <dd>{model.labels.join(', ')}</dd>
          <dt>CAM layer</dt>
          <dd>{model.targetLayer ?? 'last convolutional layer (auto)'}</dd>
          {model.notes.map((n, i) => (
            <dd key={i} className="col-span-2 text-stone-500">{n}</dd>
          ))}
        </dl>
      ) : null}
    </fieldset>
  );
}
