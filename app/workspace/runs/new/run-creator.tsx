'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { initialMethodState, MethodPicker, type MethodState } from '@/app/explain/method-picker';
import { apiJson, errorText } from '@/components/api-client';
import { ExplainerClient, type StartedWorker } from '@/lib/explainers/browser/client';
import { paramValues } from '@/lib/explainers/browser/params-form';
import { RUN_SEED_KEY } from '@/lib/explainers/browser/run-plan';
import { runnerHref } from '../runner-href';

type Evaluation = 'insertion' | 'deletion' | 'road';
/** The server's evaluation metrics (lib/scoring/metrics EVALUATION_SCORE_METRICS); ROAD is slow, off by default. */
const EVALUATIONS: readonly { key: Evaluation; label: string }[] = [
  { key: 'insertion', label: 'Insertion AUC' },
  { key: 'deletion', label: 'Deletion AUC' },
  { key: 'road', label: 'ROAD' },
];

export interface DatasetChoice {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly imageCount: number;
  readonly owner: string;
}

export interface ModelChoice {
  readonly id: string;
  readonly slug: string;
  readonly name: string;
  readonly labels: readonly string[];
  /** Input width in pixels: the default insertion/deletion step (one row). */
  readonly inputWidth: number;
  readonly owner: string;
  /** Methods the model cannot run, with the reason (the server's decision, lib/models/stored-methods.ts). */
  readonly refused: Readonly<Record<string, string>>;
}

const DEFAULT_METHOD = 'gradcam';
const input = 'rounded border border-stone-300 px-2 py-1';

function pick<T extends { slug: string }>(items: readonly T[], slug: string | null): T | undefined {
  return items.find((i) => i.slug === slug) ?? items[0];
}

export function RunCreator({ datasets, models, initialDataset, initialModel }: {
  datasets: readonly DatasetChoice[];
  models: readonly ModelChoice[];
  initialDataset: string | null;
  initialModel: string | null;
}) {
  const router = useRouter();
  const [datasetId, setDatasetId] = useState(pick(datasets, initialDataset)?.id ?? '');
  const [modelId, setModelId] = useState(pick(models, initialModel)?.id ?? '');
  const [worker, setWorker] = useState<StartedWorker | null>(null);
  const [workerError, setWorkerError] = useState<string | null>(null);
  const [methodState, setMethodState] = useState<Record<string, MethodState>>({});
  const [output, setOutput] = useState<'probability' | 'logit'>('probability');
  const [classRule, setClassRule] = useState('predicted');
  const [seed, setSeed] = useState('0');
  const [visibility, setVisibility] = useState<'private' | 'public'>('private');
  const [name, setName] = useState('');
  const [evaluate, setEvaluate] = useState<Record<Evaluation, boolean>>({ insertion: true, deletion: true, road: false });
  const [step, setStep] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const model = models.find((m) => m.id === modelId);
  const refused = model?.refused ?? {};

  // The method list and each method's parameters come from the explainer registry inside the
  // worker (TF.js never enters the page bundle); wasm starts without a backend timing probe.
  useEffect(() => {
    let alive = true;
    let started: StartedWorker | null = null;
    ExplainerClient.start('wasm')
      .then((s) => {
        started = s;
        if (!alive) return void s.client.dispose();
        setWorker(s);
        setMethodState(Object.fromEntries(s.methods.map((m) => [m.name, initialMethodState(m, m.name === DEFAULT_METHOD)])));
      })
      .catch((e: unknown) => alive && setWorkerError(errorText(e)));
    return () => {
      alive = false;
      void started?.client.dispose();
    };
  }, []);

  async function create(): Promise<void> {
    setError(null);
    const methods = (worker?.methods ?? []).filter((m) => methodState[m.name]?.selected === true && refused[m.name] === undefined);
    if (!datasetId) return setError('Choose a dataset');
    if (!model) return setError('Choose a model');
    if (methods.length === 0) return setError('Choose at least one explainer');
    const seedValue = Number(seed);
    if (!Number.isSafeInteger(seedValue)) return setError(`Seed must be an integer, got '${seed}'`);
    const stepValue = step.trim() === '' ? undefined : Number(step);
    if (stepValue !== undefined && !(Number.isSafeInteger(stepValue) && stepValue > 0)) return setError(`Pixels per step must be a positive integer, got '${step}'`);
    const evaluations = EVALUATIONS.map((e) => e.key).filter((k) => evaluate[k]);
    const bodies = [];
    for (const m of methods) {
      const parsed = paramValues(m.defaults, methodState[m.name]?.texts ?? {});
      if (!parsed.ok) return setError(`${m.name} ${parsed.field}: ${parsed.reason}`);
      bodies.push({
        datasetId,
        modelId: model.id,
        explainer: m.name,
        params: { ...parsed.values, [RUN_SEED_KEY]: seedValue },
        target: { output, class: classRule === 'predicted' || classRule === 'label' ? classRule : Number(classRule) },
        name: `${name.trim() || model.name} × ${m.name}`,
        visibility,
        evaluate: evaluations,
        ...(stepValue !== undefined && evaluations.length > 0 ? { evaluationStep: stepValue } : {}),
      });
    }
    setBusy(true);
    try {
      const ids: string[] = [];
      for (const body of bodies) ids.push((await apiJson<{ id: string }>('/api/v1/runs', { json: body })).id);
      router.push(runnerHref(ids, true));
    } catch (e) {
      setError(errorText(e));
      setBusy(false);
    }
  }

  if (datasets.length === 0 || models.length === 0) {
    return <p className="text-stone-700">You need a dataset with images and a model first (yours or a public one).</p>;
  }
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <div className="space-y-4">
        <fieldset className="space-y-3 rounded border border-stone-200 bg-white p-3 text-sm">
          <legend className="px-1 text-sm font-medium">Data and model</legend>
          <label className="flex items-center gap-2">
            <span className="w-24">Dataset</span>
            <select aria-label="Dataset" value={datasetId} onChange={(e) => setDatasetId(e.target.value)} disabled={busy} className={input}>
              {datasets.map((d) => <option key={d.id} value={d.id}>{`${d.name} (${d.imageCount} images, ${d.owner})`}</option>)}
            </select>
          </label>
          <label className="flex items-center gap-2">
            <span className="w-24">Model</span>
            <select aria-label="Model" value={modelId} onChange={(e) => setModelId(e.target.value)} disabled={busy} className={input}>
              {models.map((m) => <option key={m.id} value={m.id}>{`${m.name} (${m.labels.length} classes, ${m.owner})`}</option>)}
            </select>
          </label>
        </fieldset>
        <fieldset className="flex flex-wrap items-center gap-4 rounded border border-stone-200 bg-white p-3 text-sm">
          <legend className="px-1 text-sm font-medium">Target</legend>
          <label className="flex items-center gap-2">
            Class
            <select aria-label="Class" value={classRule} onChange={(e) => setClassRule(e.target.value)} disabled={busy} className={input}>
              <option value="predicted">predicted by the model</option>
              <option value="label">the image&apos;s label</option>
              {(model?.labels ?? []).map((l, i) => <option key={i} value={String(i)}>{`${i}: ${l}`}</option>)}
            </select>
          </label>
          <label className="flex items-center gap-2">
            Output
            <select aria-label="Output" value={output} onChange={(e) => setOutput(e.target.value === 'logit' ? 'logit' : 'probability')} disabled={busy} className={input}>
              <option value="probability">probability</option>
              <option value="logit">logit</option>
            </select>
          </label>
          <label className="flex items-center gap-2">
            Seed
            <input aria-label="Seed" type="number" step={1} value={seed} onChange={(e) => setSeed(e.target.value)} disabled={busy} className={`${input} w-24`} />
          </label>
        </fieldset>
        <fieldset className="flex flex-wrap items-center gap-4 rounded border border-stone-200 bg-white p-3 text-sm">
          <legend className="px-1 text-sm font-medium">Run</legend>
          <label className="flex items-center gap-2">
            Name
            <input aria-label="Run name" type="text" value={name} placeholder={model?.name ?? ''} onChange={(e) => setName(e.target.value)} disabled={busy} maxLength={150} className={`${input} w-56`} />
          </label>
          <label className="flex items-center gap-2">
            Visibility
            <select aria-label="Visibility" value={visibility} onChange={(e) => setVisibility(e.target.value === 'public' ? 'public' : 'private')} disabled={busy} className={input}>
              <option value="private">private</option>
              <option value="public">public (on a public dataset&apos;s leaderboard)</option>
            </select>
          </label>
        </fieldset>
        <fieldset className="flex flex-wrap items-center gap-4 rounded border border-stone-200 bg-white p-3 text-sm">
          <legend className="px-1 text-sm font-medium">Evaluation without ground truth (on the server, with this model)</legend>
          {EVALUATIONS.map((e) => (
            <label key={e.key} className="flex items-center gap-2">
              <input type="checkbox" aria-label={e.label} checked={evaluate[e.key]} onChange={(ev) => setEvaluate((p) => ({ ...p, [e.key]: ev.target.checked }))} disabled={busy} />
              {e.label}
            </label>
          ))}
          <label className="flex items-center gap-2">
            Pixels per step
            <input aria-label="Pixels per step" type="number" min={1} step={1} value={step} placeholder={model ? String(model.inputWidth) : ''} onChange={(e) => setStep(e.target.value)} disabled={busy} className={`${input} w-24`} />
          </label>
          <p className="w-full text-xs text-stone-500">RISE conventions; one step defaults to the model&apos;s input width (one row). Each image costs about 2 × (pixels ÷ step) forward passes.</p>
        </fieldset>
        <div className="flex items-center gap-3">
          <button type="button" onClick={() => void create()} disabled={busy || worker === null} className="rounded bg-blue-700 px-4 py-1.5 text-white disabled:opacity-50">
            Create and run in this browser
          </button>
          {busy ? <span className="text-sm text-stone-600">Creating…</span> : null}
        </div>
        {error !== null ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
        {workerError !== null ? <p role="alert" className="text-sm text-red-700">The explainer worker did not start: {workerError}</p> : null}
      </div>
      <MethodPicker methods={worker?.methods ?? []} state={methodState} onChange={(n, next) => setMethodState((p) => ({ ...p, [n]: next }))} disabled={busy} unavailable={refused} />
    </div>
  );
}
