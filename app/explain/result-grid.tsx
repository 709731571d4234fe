'use client';

import { useEffect, useRef } from 'react';
import type { Rgba } from '@/lib/explainers/browser/display';
import type { ExplanationMessage } from '@/lib/explainers/browser/protocol';
import type { Preprocessing } from '@/lib/models/bundle-core';
import { paint } from './browser-image';
import { ResultCell } from './result-cell';

export interface GridRow {
  readonly key: string;
  readonly name: string;
  readonly base: Rgba;
  readonly results: Readonly<Record<string, ExplanationMessage>>;
  /** Per method, why there is no result (an error message), if any. */
  readonly errors: Readonly<Record<string, string>>;
}

interface Props {
  readonly rows: readonly GridRow[];
  readonly methods: readonly string[];
  readonly labels: readonly string[];
  readonly backend: string;
  readonly preprocessing: Preprocessing;
}

function Original({ name, base }: { name: string; base: Rgba }) {
  const ref = useRef<HTMLCanvasElement | null>(null);
  useEffect(() => {
    if (ref.current !== null) paint(ref.current, base);
  }, [base]);
  return <canvas ref={ref} role="img" aria-label={`${name}: original`} className="h-auto w-28 rounded border border-stone-200" />;
}

/** The labs' grid display: one row per image, one column per method. */
export function ResultGrid({ rows, methods, labels, backend, preprocessing }: Props) {
  return (
    <div className="overflow-x-auto">
      <table className="border-separate border-spacing-3 text-left">
        <caption className="text-left text-sm text-stone-600">Rows: images · columns: methods · each cell: heatmap, overlay, isolines (25/50/75 %)</caption>
        <thead>
          <tr>
            <th scope="col" className="text-sm font-medium">Image</th>
            {methods.map((m) => (
              <th key={m} scope="col" className="text-sm font-medium">
                {m}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.key} className="align-top">
              <th scope="row" className="space-y-1 text-xs font-normal text-stone-700">
                <Original name={row.name} base={row.base} />
                <span className="block max-w-28 truncate">{row.name}</span>
              </th>
              {methods.map((m) => {
                const result = row.results[m];
                const error = row.errors[m];
                return (
                  <td key={m}>
                    {result !== undefined ? (
                      <ResultCell imageName={row.name} base={row.base} explanation={result} labels={labels} backend={backend} preprocessing={preprocessing} />
                    ) : error !== undefined ? (
                      <p role="alert" className="max-w-64 text-xs text-red-700">{error}</p>
                    ) : (
                      <p className="text-xs text-stone-500">waiting…</p>
                    )}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
