'use client';

import { paramKind, paramTexts } from '@/lib/explainers/browser/params-form';
import type { MethodInfo } from '@/lib/explainers/browser/protocol';

export interface MethodState {
  readonly selected: boolean;
  /** Name of the preset last applied ('' = defaults). */
  readonly preset: string;
  /** Field texts per parameter (params-form.ts). */
  readonly texts: Readonly<Record<string, string>>;
}

export function initialMethodState(method: MethodInfo, selected: boolean): MethodState {
  return { selected, preset: '', texts: paramTexts(method.defaults) };
}

interface Props {
  readonly methods: readonly MethodInfo[];
  readonly state: Readonly<Record<string, MethodState>>;
  readonly onChange: (name: string, next: MethodState) => void;
  readonly disabled: boolean;
  /** Methods the loaded model cannot run, with the reason (ModelInfo.methods). */
  readonly unavailable?: Readonly<Record<string, string>>;
}

function ParamField({ method, name, value, text, onText, disabled }: {
  method: string; name: string; value: unknown; text: string; onText: (t: string) => void; disabled: boolean;
}) {
  const kind = paramKind(value);
  const label = `${method} ${name}`;
  const id = `param-${method}-${name}`;
  if (kind === 'boolean') {
    return (
      <label htmlFor={id} className="flex items-center gap-2 text-xs">
        <input id={id} type="checkbox" checked={text === 'true'} onChange={(e) => onText(e.target.checked ? 'true' : 'false')} disabled={disabled} aria-label={label} />
        {name}
      </label>
    );
  }
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-xs">
      <span className="w-28 shrink-0 truncate" title={name}>{name}</span>
      <input
        id={id}
        type={kind === 'number' ? 'number' : 'text'}
        step={kind === 'number' ? 'any' : undefined}
        value={text}
        onChange={(e) => onText(e.target.value)}
        disabled={disabled}
        aria-label={label}
        className="w-32 rounded border border-stone-300 px-1 py-0.5 font-mono"
      />
    </label>
  );
}

/** Method checkboxes from the worker's registry, each with its parameters and presets. */
export function MethodPicker({ methods, state, onChange, disabled, unavailable = {} }: Props) {
  return (
    <fieldset className="space-y-2 rounded border border-stone-200 bg-white p-3">
      <legend className="px-1 text-sm font-medium">Methods</legend>
      {methods.length === 0 ? <p className="text-sm text-stone-500">Loading the method list…</p> : null}
      {methods.map((m) => {
        const s = state[m.name] ?? initialMethodState(m, false);
        const presets = Object.keys(m.presets);
        const why = unavailable[m.name];
        return (
          <div key={m.name} className="space-y-1">
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                aria-label={m.name}
                checked={s.selected && why === undefined}
                onChange={(e) => onChange(m.name, { ...s, selected: e.target.checked })}
                disabled={disabled || why !== undefined}
                className="mt-1"
              />
              <span>
                <span className="font-mono font-medium">{m.name}</span> <span className="text-xs text-stone-500">({m.kind})</span>
                <span className="block text-xs text-stone-600">{m.description}</span>
                {why !== undefined ? <span className="block text-xs text-amber-700">Not available for this model: {why}</span> : null}
              </span>
            </label>
            {s.selected && why === undefined ? (
              <div className="ml-6 space-y-1 border-l border-stone-200 pl-3">
                {presets.length > 0 ? (
                  <label className="flex items-center gap-2 text-xs">
                    <span className="w-28 shrink-0">preset</span>
                    <select
                      value={s.preset}
                      aria-label={`${m.name} preset`}
                      disabled={disabled}
                      onChange={(e) => onChange(m.name, { ...s, preset: e.target.value, texts: paramTexts(m.defaults, m.presets[e.target.value]) })}
                      className="rounded border border-stone-300 px-1 py-0.5"
                    >
                      <option value="">defaults</option>
                      {presets.map((p) => (
                        <option key={p} value={p}>{p}</option>
                      ))}
                    </select>
                  </label>
                ) : null}
                {Object.entries(m.defaults).map(([key, value]) => (
                  <ParamField
                    key={key}
                    method={m.name}
                    name={key}
                    value={value}
                    text={s.texts[key] ?? ''}
                    disabled={disabled}
                    onText={(t) => onChange(m.name, { ...s, texts: { ...s.texts, [key]: t } })}
                  />
                ))}
              </div>
            ) : null}
          </div>
        );
      })}
    </fieldset>
  );
}
