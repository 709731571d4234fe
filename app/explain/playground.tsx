'use client';

import { useCallback, useEffect, useRef, useState } from 'react';
import { ExplainerClient, type StartedWorker } from '@/lib/explainers/browser/client';
import { etaSeconds, formatEta, panelSize } from '@/lib/explainers/browser/display';
import { paramValues } from '@/lib/explainers/browser/params-form';
import { DEMO_MODEL_URL, type BackendChoice, type ModelInfo, type ModelSource } from '@/lib/explainers/browser/protocol';
import { bitmapRgba, decodeImage, type DecodedImage } from './browser-image';
import { ImagePicker, type DatasetOption, type ImageItem } from './image-picker';
import { initialMethodState, MethodPicker, type MethodState } from './method-picker';
import { ModelPicker } from './model-picker';
import { ResultGrid, type GridRow } from './result-grid';
import { BackendSettings, TargetFields, type TargetSettings } from './settings';

/** Method ticked when the page opens. */
const DEFAULT_METHOD = 'gradcam';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAbort(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && error.name === 'AbortError';
}

async function imageBlob(item: ImageItem): Promise<Blob> {
  if (item.kind === 'local') return item.file;
  const response = await fetch(item.url);
  if (!response.ok) throw new Error(`${item.name}: HTTP ${response.status}`);
  return response.blob();
}

interface Progress {
  readonly fraction: number;
  readonly text: string;
}

export function Playground({ datasets }: { datasets: readonly DatasetOption[] }) {
  const [backendChoice, setBackendChoice] = useState<BackendChoice>('auto');
  const [worker, setWorker] = useState<StartedWorker | null>(null);
  const [workerError, setWorkerError] = useState<string | null>(null);
  const [modelSource, setModelSource] = useState<ModelSource>({ kind: 'url', url: DEMO_MODEL_URL });
  const [model, setModel] = useState<ModelInfo | null>(null);
  const [modelStatus, setModelStatus] = useState('Waiting for the worker…');
  const [modelError, setModelError] = useState<string | null>(null);
  const [methodState, setMethodState] = useState<Record<string, MethodState>>({});
  const [images, setImages] = useState<ImageItem[]>([]);
  const [target, setTarget] = useState<TargetSettings>({ classChoice: 'predicted', output: 'logit', seed: '0', layer: '' });
  const [rows, setRows] = useState<GridRow[]>([]);
  const [gridMethods, setGridMethods] = useState<string[]>([]);
  const [running, setRunning] = useState(false);
  const [progress, setProgress] = useState<Progress | null>(null);
  const [runError, setRunError] = useState<string | null>(null);
  const cancelRef = useRef<{ cancelled: boolean; cancel: (() => void) | null }>({ cancelled: false, cancel: null });

  // One worker per backend choice; changing it starts a fresh worker (and reloads the model).
  useEffect(() => {
    let alive = true;
    let started: StartedWorker | null = null;
    setWorker(null);
    setWorkerError(null);
    ExplainerClient.start(backendChoice)
      .then((s) => {
        started = s;
        if (!alive) {
          void s.client.dispose();
          return;
        }
        setWorker(s);
        setMethodState((prev) => {
          const next = { ...prev };
          for (const m of s.methods) next[m.name] ??= initialMethodState(m, m.name === DEFAULT_METHOD);
          return next;
        });
      })
      .catch((e: unknown) => alive && setWorkerError(message(e)));
    return () => {
      alive = false;
      void started?.client.dispose();
    };
  }, [backendChoice]);

  useEffect(() => {
    if (worker === null) return;
    let alive = true;
    setModel(null);
    setModelError(null);
    setModelStatus('Loading the model…');
    worker.client
      .loadModel(modelSource)
      .then((info) => {
        if (!alive) return;
        setModel(info);
        setModelStatus('Model loaded');
      })
      .catch((e: unknown) => {
        if (!alive) return;
        setModelStatus('No model loaded');
        setModelError(message(e));
      });
    return () => {
      alive = false;
    };
  }, [worker, modelSource]);

  const run = useCallback(async () => {
    if (worker === null || model === null) return;
    const refused = new Set(model.methods.filter((c) => !c.ok).map((c) => c.method));
    const methods = worker.methods.filter((m) => methodState[m.name]?.selected === true && !refused.has(m.name));
    const params: Record<string, Record<string, unknown>> = {};
    for (const m of methods) {
      const parsed = paramValues(m.defaults, methodState[m.name]?.texts ?? {});
      if (!parsed.ok) return setRunError(`${m.name} ${parsed.field}: ${parsed.reason}`);
      params[m.name] = parsed.values;
    }
    const seed = Number(target.seed);
    if (!Number.isInteger(seed)) return setRunError(`Seed must be an integer, got '${target.seed}'`);
    if (methods.length === 0 || images.length === 0) return setRunError('Pick at least one image and one method');
    const names = methods.map((m) => m.name);
    const state = { cancelled: false, cancel: null as (() => void) | null };
    cancelRef.current = state;
    setRunError(null);
    setRunning(true);
    setGridMethods(names);
    setRows([]);
    const decoded: { item: ImageItem; image: DecodedImage }[] = [];
    try {
      setProgress({ fraction: 0, text: 'Decoding images…' });
      for (const item of images) decoded.push({ item, image: await decodeImage(await imageBlob(item), item.name) });
      setRows(decoded.map(({ item, image }) => {
        const size = panelSize(image.width, image.height);
        return { key: item.key, name: item.name, base: bitmapRgba(image.bitmap, size.width, size.height), results: {}, errors: {} };
      }));
      const total = decoded.length * names.length;
      const t0 = performance.now();
      const update = (cellsDone: number, partial: number, what: string) => {
        const fraction = (cellsDone + partial) / total;
        const eta = etaSeconds(fraction, (performance.now() - t0) / 1000);
        setProgress({ fraction, text: `${cellsDone} of ${total} done · ${what} · ${formatEta(eta)}` });
      };
      let cellsDone = 0;
      const setCell = (key: string, method: string, patch: Partial<Pick<GridRow, 'results' | 'errors'>>) =>
        setRows((prev) => prev.map((r) => (r.key !== key ? r : {
          ...r,
          results: patch.results ? { ...r.results, ...patch.results } : r.results,
          errors: patch.errors ? { ...r.errors, ...patch.errors } : r.errors,
        })));
      for (const { item, image } of decoded) {
        const full = bitmapRgba(image.bitmap);
        for (const method of names) {
          if (state.cancelled) break;
          update(cellsDone, 0, `${method} on ${item.name}`);
          // One request per cell, so a failing method leaves the others of the row intact.
          const request = worker.client.explain(
            {
              image: { width: full.width, height: full.height, rgba: new Uint8Array(full.data) },
              methods: [method],
              params: { [method]: params[method] ?? {} },
              target: { classIndex: target.classChoice === 'predicted' ? 'predicted' : Number(target.classChoice), output: target.output },
              seed,
              ...(target.layer.trim() !== '' ? { layer: target.layer.trim() } : {}),
            },
            {
              onProgress: (_m, done, of) => update(cellsDone, of > 0 ? done / of : 0, `${method} on ${item.name}`),
              onResult: (e) => setCell(item.key, method, { results: { [method]: e } }),
            },
          );
          state.cancel = request.cancel;
          try {
            await request.promise;
          } catch (e) {
            if (isAbort(e)) break;
            setCell(item.key, method, { errors: { [method]: message(e) } });
          }
          cellsDone++;
        }
        if (state.cancelled) break;
      }
      setProgress({ fraction: cellsDone / total, text: state.cancelled ? `Cancelled after ${cellsDone} of ${total}` : `${cellsDone} of ${total} done` });
    } catch (e) {
      setRunError(message(e));
      setProgress(null);
    } finally {
      for (const { image } of decoded) image.bitmap.close();
      state.cancel = null;
      setRunning(false);
    }
  }, [worker, model, methodState, images, target]);

  const cancel = () => {
    cancelRef.current.cancelled = true;
    cancelRef.current.cancel?.();
  };

  const busy = running || worker === null;
  return (
    <div className="space-y-6">
      <div className="grid gap-4 lg:grid-cols-2">
        <div className="space-y-4">
          <BackendSettings choice={backendChoice} report={worker?.backend ?? null} error={workerError} onChoice={setBackendChoice} disabled={running} />
          <ModelPicker model={model} status={modelStatus} error={modelError} onLoad={setModelSource} disabled={busy} />
          <TargetFields value={target} labels={model?.labels ?? []} onChange={setTarget} disabled={running} />
        </div>
        <div className="space-y-4">
          <ImagePicker datasets={datasets} selected={images} onChange={setImages} disabled={running} />
          <MethodPicker
            methods={worker?.methods ?? []}
            state={methodState}
            onChange={(name, next) => setMethodState((p) => ({ ...p, [name]: next }))}
            disabled={running}
            unavailable={Object.fromEntries((model?.methods ?? []).filter((c) => !c.ok).map((c) => [c.method, c.reason ?? 'cannot run on this model']))}
          />
        </div>
      </div>

      <section aria-label="Run" className="space-y-2">
        <div className="flex flex-wrap items-center gap-3">
          <button type="button" onClick={() => void run()} disabled={busy || model === null} className="rounded bg-blue-700 px-4 py-1.5 text-white disabled:opacity-50">
            Run
          </button>
          <button type="button" onClick={cancel} disabled={!running} className="rounded border border-stone-300 px-4 py-1.5 disabled:opacity-50">
            Cancel
          </button>
          {progress !== null ? (
            <>
              <progress aria-label="Progress" max={1} value={progress.fraction} className="h-2 w-64" />
              <span className="text-sm text-stone-700" data-testid="progress-text" aria-live="polite">{progress.text}</span>
            </>
          ) : null}
        </div>
        {runError !== null ? <p role="alert" className="text-sm text-red-700">{runError}</p> : null}
      </section>

      {rows.length > 0 ? <ResultGrid rows={rows} methods={gridMethods} labels={model?.labels ?? []} backend={worker?.backend.name ?? ''} preprocessing={model?.preprocessing ?? 'unit'} /> : null}
    </div>
  );
}
