'use client';

import type { BackendChoice, BackendReport } from '@/lib/explainers/browser/protocol';

export interface TargetSettings {
  /** 'predicted' or a class index as text. */
  readonly classChoice: string;
  readonly output: 'logit' | 'probability';
  readonly seed: string;
  readonly layer: string;
}

const inputClass = 'rounded border border-stone-300 px-1 py-0.5';

/** Backend choice and what the worker reports about it. */
export function BackendSettings({ choice, report, error, onChoice, disabled }: {
  choice: BackendChoice;
  report: BackendReport | null;
  error: string | null;
  onChoice: (c: BackendChoice) => void;
  disabled: boolean;
}) {
  const probes = report === null ? [] : Object.entries(report.probeMs).map(([name, ms]) => `${name} ${ms.toFixed(1)} ms`);
  const unavailable = report === null ? [] : Object.entries(report.unavailable).map(([name, why]) => `${name}: ${why}`);
  return (
    <fieldset className="space-y-2 rounded border border-stone-200 bg-white p-3">
      <legend className="px-1 text-sm font-medium">Compute</legend>
      <div className="flex flex-wrap items-center gap-4 text-sm">
        <label className="flex items-center gap-2">
          Backend
          <select value={choice} onChange={(e) => onChoice(e.target.value as BackendChoice)} disabled={disabled} className={inputClass}>
            <option value="auto">auto (timing probe)</option>
            <option value="wasm">wasm</option>
            <option value="webgl">WebGL</option>
            <option value="webgpu">WebGPU</option>
          </select>
        </label>
      </div>
      <p className="text-sm" data-testid="backend" data-backend={report?.name ?? ''} aria-live="polite">
        {report !== null ? `Running on ${report.summary}` : error === null ? 'Starting TF.js in a worker…' : 'No backend'}
      </p>
      {probes.length > 0 ? <p className="text-xs text-stone-500">Probe: {probes.join(' · ')}</p> : null}
      {unavailable.length > 0 ? <p className="text-xs text-stone-500">Unavailable: {unavailable.join(' · ')}</p> : null}
      {report !== null && report.name !== 'wasm' ? (
        <p className="text-xs text-amber-800">GPU arithmetic differs from the Node CLI in the last bits; choose wasm for maps identical to the CLI&apos;s.</p>
      ) : null}
      {error !== null ? <p role="alert" className="text-sm text-red-700">{error}</p> : null}
    </fieldset>
  );
}

/** Class, target output, seed and CAM layer. */
export function TargetFields({ value, labels, onChange, disabled }: {
  value: TargetSettings;
  labels: readonly string[];
  onChange: (next: TargetSettings) => void;
  disabled: boolean;
}) {
  return (
    <fieldset className="flex flex-wrap items-center gap-4 rounded border border-stone-200 bg-white p-3 text-sm">
      <legend className="px-1 text-sm font-medium">Target</legend>
      <label className="flex items-center gap-2">
        Class
        <select value={value.classChoice} onChange={(e) => onChange({ ...value, classChoice: e.target.value })} disabled={disabled} className={inputClass}>
          <option value="predicted">predicted</option>
          {labels.map((l, i) => (
            <option key={i} value={String(i)}>{`${i}: ${l}`}</option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-2">
        Output
        <select value={value.output} onChange={(e) => onChange({ ...value, output: e.target.value === 'probability' ? 'probability' : 'logit' })} disabled={disabled} className={inputClass}>
          <option value="logit">logit</option>
          <option value="probability">probability</option>
        </select>
      </label>
      <label className="flex items-center gap-2">
        Seed
        <input type="number" step={1} value={value.seed} onChange={(e) => onChange({ ...value, seed: e.target.value })} disabled={disabled} className={`${inputClass} w-24`} />
      </label>
      <label className="flex items-center gap-2">
        CAM layer
        <input type="text" value={value.layer} placeholder="model default" onChange={(e) => onChange({ ...value, layer: e.target.value })} disabled={disabled} className={`${inputClass} w-36 font-mono`} />
      </label>
    </fieldset>
  );
}
