'use client';

import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { bitmapRgba, decodeImage } from '@/app/explain/browser-image';
import { BackendSettings } from '@/app/explain/settings';
import { apiJson, csrfToken, errorText } from '@/components/api-client';
import { ExplainerClient, type StartedWorker } from '@/lib/explainers/browser/client';
import { formatEta } from '@/lib/explainers/browser/display';
import type { BackendChoice, CurvesMessage, MapMessage, ModelInfo } from '@/lib/explainers/browser/protocol';
import { etaFromDurations, planRequest } from '@/lib/explainers/browser/run-plan';
import { writeNpy } from '@/lib/io/npy';
import { runnerHref } from '../runner-href';

/** How often the finished run's scoring progress is read, and for how long at most. */
const SCORING_POLL_MS = 3000;
const SCORING_POLL_LIMIT_MS = 10 * 60 * 1000;

type Phase = 'starting' | 'ready' | 'running' | 'pausing' | 'paused' | 'done';

interface RunImage {
  readonly id: string;
  readonly name: string;
  readonly classLabel: string | null;
  readonly hasMap: boolean;
  readonly url: string;
}

interface RunSummary {
  readonly status: string;
  readonly progress: { readonly mapsReceived: number; readonly scoresExpected: number; readonly scoresDone: number; readonly scoresFailed: number };
}

interface Props {
  readonly run: { id: string; explainer: string; params: Record<string, unknown>; target: Record<string, unknown> };
  /** Step of the run's insertion/deletion curves when it evaluates both (computed here, checked by the server); null otherwise. */
  readonly curveStep: number | null;
  readonly model: { url: string; labels: readonly string[] };
  readonly leaderboard: string;
  readonly queue: readonly string[];
  readonly autostart: boolean;
}

function isAbort(error: unknown): boolean {
  return (error instanceof Error || error instanceof DOMException) && error.name === 'AbortError';
}

async function fetchImage(image: RunImage): Promise<Blob> {
  const res = await fetch(image.url, { credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${image.name}: HTTP ${res.status}`);
  return res.blob();
}

/**
 * Uploads one map, as NPY, or as JSON with its insertion/deletion curves when the run evaluates
 * them (the server spot-checks those instead of recomputing every point); false when the run
 * already had it (another tab or an earlier sitting).
 */
async function uploadMap(runId: string, image: RunImage, map: MapMessage, curves: CurvesMessage | undefined): Promise<boolean> {
  const init: RequestInit =
    curves === undefined
      ? { headers: { 'Content-Type': 'application/octet-stream', 'X-CSRF-Token': csrfToken() }, body: new Uint8Array(writeNpy({ width: map.width, height: map.height, data: map.data }, 'float32')) }
      : { headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() }, body: JSON.stringify({ imageId: image.id, width: map.width, height: map.height, data: Array.from(map.data), curves }) };
  const res = await fetch(`/api/v1/runs/${runId}/maps${curves === undefined ? `?image=${encodeURIComponent(image.id)}` : ''}`, { method: 'POST', credentials: 'same-origin', ...init });
  if (res.status === 409) return false;
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { detail?: string };
    throw new Error(`uploading the map of ${image.name}: ${body.detail ?? `HTTP ${res.status}`}`);
  }
  return true;
}

/**
 * Computes the run's missing maps in this browser, in dataset order, uploading each as soon as it
 * is made. The server's list of images with maps is the only state: a reload, another day or
 * another tab continues at the next image without a map. Pause cancels the image in progress (it
 * is recomputed on resume).
 */
export function BrowserRunner({ run, curveStep, model, leaderboard, queue, autostart }: Props) {
  const router = useRouter();
  // wasm by default: its maps are the ones the Node CLI computes (GPU backends differ in the last bits).
  const [backendChoice, setBackendChoice] = useState<BackendChoice>('wasm');
  const [worker, setWorker] = useState<StartedWorker | null>(null);
  const [modelInfo, setModelInfo] = useState<ModelInfo | null>(null);
  const [images, setImages] = useState<RunImage[] | null>(null);
  const [phase, setPhase] = useState<Phase>('starting');
  const [current, setCurrent] = useState<{ name: string; fraction: number } | null>(null);
  const [durations, setDurations] = useState<number[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [summary, setSummary] = useState<RunSummary | null>(null);
  // The loaded model's refusal of the run's method (ModelInfo.methods, lib/explainers/capability.ts):
  // shown instead of starting a run that would fail at its first image.
  const refusal = modelInfo?.methods.find((m) => m.method === run.explainer && !m.ok);
  const refused = refusal === undefined ? null : (refusal.reason ?? 'this model cannot run this method');
  const control = useRef<{ stop: boolean; cancel: (() => void) | null }>({ stop: false, cancel: null });
  const autostarted = useRef(false);
  const ranHere = useRef(false);

  const refresh = useCallback(async (): Promise<RunImage[]> => {
    const body = await apiJson<{ images: RunImage[] }>(`/api/v1/runs/${run.id}/images`);
    setImages(body.images);
    return body.images;
  }, [run.id]);

  useEffect(() => {
    let alive = true;
    let started: StartedWorker | null = null;
    setWorker(null);
    setModelInfo(null);
    setPhase('starting');
    (async () => {
      started = await ExplainerClient.start(backendChoice);
      if (!alive) return void started.client.dispose();
      setWorker(started);
      const [info, list] = await Promise.all([started.client.loadModel({ kind: 'url', url: model.url }), refresh()]);
      if (!alive) return;
      setModelInfo(info);
      setPhase(list.every((i) => i.hasMap) ? 'done' : 'ready');
    })().catch((e: unknown) => {
      if (!alive) return;
      setError(errorText(e));
      setPhase('paused');
    });
    return () => {
      alive = false;
      void started?.client.dispose();
    };
  }, [backendChoice, model.url, refresh]);

  const start = useCallback(async () => {
    if (worker === null || modelInfo === null || refused !== null) return;
    const ctl = { stop: false, cancel: null as (() => void) | null };
    control.current = ctl;
    ranHere.current = true;
    setError(null);
    setPhase('running');
    try {
      const list = await refresh();
      for (const image of list) {
        if (image.hasMap) continue;
        if (ctl.stop) break;
        const t0 = performance.now();
        setCurrent({ name: image.name, fraction: 0 });
        const plan = planRequest(run, image, modelInfo.labels);
        const decoded = await decodeImage(await fetchImage(image), image.name);
        const pixels = bitmapRgba(decoded.bitmap);
        decoded.bitmap.close();
        const result: { map: MapMessage | null; curves: CurvesMessage | undefined } = { map: null, curves: undefined };
        const request = worker.client.explain(
          {
            image: { width: pixels.width, height: pixels.height, rgba: new Uint8Array(pixels.data) },
            methods: [...plan.methods],
            params: plan.params,
            target: plan.target,
            seed: plan.seed,
            ...(curveStep !== null ? { curves: { step: curveStep, classIndex: plan.target.classIndex } } : {}),
          },
          {
            onProgress: (_m, done, total) => setCurrent({ name: image.name, fraction: total > 0 ? done / total : 0 }),
            onResult: (e) => {
              result.map = e.map;
              result.curves = e.curves;
            },
          },
        );
        ctl.cancel = request.cancel;
        try {
          await request.promise;
        } catch (e) {
          if (ctl.stop && isAbort(e)) break;
          throw e;
        } finally {
          ctl.cancel = null;
        }
        if (result.map === null) throw new Error(`the worker returned no map for ${image.name}`);
        await uploadMap(run.id, image, result.map, result.curves);
        setImages((prev) => prev?.map((i) => (i.id === image.id ? { ...i, hasMap: true } : i)) ?? prev);
        setDurations((prev) => [...prev, (performance.now() - t0) / 1000]);
      }
      const after = await refresh();
      setPhase(after.every((i) => i.hasMap) ? 'done' : 'paused');
    } catch (e) {
      setError(errorText(e));
      setPhase('paused');
    } finally {
      setCurrent(null);
    }
  }, [worker, modelInfo, refused, refresh, run, curveStep]);

  const pause = () => {
    control.current.stop = true;
    control.current.cancel?.();
    setPhase('pausing');
  };

  useEffect(() => {
    if (autostart && phase === 'ready' && !autostarted.current) {
      autostarted.current = true;
      // A reload after this shows Resume instead of starting again on its own.
      window.history.replaceState(window.history.state, '', runnerHref([run.id, ...queue], false));
      void start();
    }
  }, [autostart, phase, start, run.id, queue]);

  // Finished here with more runs queued: go on with the next one.
  useEffect(() => {
    if (phase === 'done' && ranHere.current && queue.length > 0) router.push(runnerHref(queue, true));
  }, [phase, queue, router]);

  // Finished: follow the server's scoring of the maps for a while.
  useEffect(() => {
    if (phase !== 'done') return;
    let alive = true;
    const t0 = Date.now();
    const poll = async () => {
      try {
        const s = await apiJson<RunSummary>(`/api/v1/runs/${run.id}`);
        if (!alive) return;
        setSummary(s);
        const settled = s.progress.scoresDone + s.progress.scoresFailed >= s.progress.scoresExpected;
        if (!settled && Date.now() - t0 < SCORING_POLL_LIMIT_MS) timer = setTimeout(() => void poll(), SCORING_POLL_MS);
      } catch (e) {
        if (alive) setError(errorText(e));
      }
    };
    let timer = setTimeout(() => void poll(), 0);
    return () => {
      alive = false;
      clearTimeout(timer);
    };
  }, [phase, run.id]);

  const total = images?.length ?? 0;
  const done = images?.filter((i) => i.hasMap).length ?? 0;
  const eta = etaFromDurations(durations, total - done - (current?.fraction ?? 0));
  const canStart = (phase === 'ready' || phase === 'paused') && worker !== null && modelInfo !== null && refused === null;
  let text: string;
  if (images === null) text = 'Loading the run…';
  else if (phase === 'done') text = `All ${total} maps uploaded`;
  else text = `${done} of ${total} maps uploaded${phase === 'running' || phase === 'pausing' ? ` · ${formatEta(eta)}` : ''}`;

  return (
    <div className="space-y-4">
      <BackendSettings choice={backendChoice} report={worker?.backend ?? null} error={null} onChoice={setBackendChoice} disabled={phase === 'running' || phase === 'pausing'} />
      <section aria-label="Browser run" className="space-y-2 rounded border border-stone-200 bg-white p-3">
        <p className="text-sm" data-testid="runner-model">{modelInfo === null ? 'Loading the model…' : `Model loaded: ${modelInfo.name} (${modelInfo.inputSize[0]}×${modelInfo.inputSize[1]})`}</p>
        <div className="flex flex-wrap items-center gap-3">
          <button type="button" onClick={() => void start()} disabled={!canStart} className="rounded bg-blue-700 px-4 py-1.5 text-white disabled:opacity-50">
            {done === 0 ? 'Start' : 'Resume'}
          </button>
          <button type="button" onClick={pause} disabled={phase !== 'running'} className="rounded border border-stone-300 px-4 py-1.5 disabled:opacity-50">
            Pause
          </button>
          <span className="text-sm text-stone-600" data-testid="runner-phase" data-phase={phase}>{phase}</span>
        </div>
        <progress aria-label="Run progress" max={Math.max(total, 1)} value={done} className="h-2 w-full max-w-xl" />
        <p className="text-sm text-stone-700" data-testid="runner-progress" data-done={done} data-total={total} aria-live="polite">{text}</p>
        {current !== null ? (
          <p className="text-xs text-stone-600" data-testid="runner-current">
            {current.name}: {Math.round(current.fraction * 100)} %
          </p>
        ) : null}
        {refused !== null ? (
          <p role="alert" className="text-sm text-amber-700" data-testid="runner-refused">
            {run.explainer} refused: {refused}
            {queue.length > 0 ? <> · <Link href={runnerHref(queue, true)} className="text-blue-700 hover:underline">Next run</Link></> : null}
          </p>
        ) : null}
        {error !== null ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
      </section>
      {phase === 'done' ? (
        <section aria-label="Results" className="space-y-1 text-sm" data-testid="runner-done">
          <p>
            {summary === null
              ? 'Every map is uploaded; the server is scoring them.'
              : `Run ${summary.status} · ${summary.progress.scoresDone} of ${summary.progress.scoresExpected} scores stored${summary.progress.scoresFailed ? `, ${summary.progress.scoresFailed} failed` : ''}.`}
          </p>
          <p>
            <Link href={`/runs/${run.id}`} className="text-blue-700 hover:underline">Open the run page</Link> ·{' '}
            <Link href={leaderboard} className="text-blue-700 hover:underline">Leaderboard</Link>
            {queue.length > 0 ? <> · <Link href={runnerHref(queue, true)} className="text-blue-700 hover:underline">Next run</Link></> : null}
          </p>
        </section>
      ) : null}
    </div>
  );
}
