'use client';

import { useEffect, useMemo, useRef, useState } from 'react';
import { displayMap, explanationJson, heatmapRgba, isolinePaths, overlayRgba, type Rgba } from '@/lib/explainers/browser/display';
import type { ExplanationMessage } from '@/lib/explainers/browser/protocol';
import type { Preprocessing } from '@/lib/models/bundle-core';
import { composePng, fileStem, paint, saveBlob, strokePaths } from './browser-image';

interface Props {
  readonly imageName: string;
  /** The image at panel size. */
  readonly base: Rgba;
  readonly explanation: ExplanationMessage;
  readonly labels: readonly string[];
  readonly backend: string;
  /** The model's preprocessing preset: where on the image the map lies (display.ts displayMap). */
  readonly preprocessing: Preprocessing;
}

const PANELS = ['heatmap', 'overlay', 'isolines'] as const;

/** One grid cell: heatmap, overlay and isolines of one method on one image, with downloads. */
export function ResultCell({ imageName, base, explanation, labels, backend, preprocessing }: Props) {
  const refs = useRef<Record<(typeof PANELS)[number], HTMLCanvasElement | null>>({ heatmap: null, overlay: null, isolines: null });
  const [error, setError] = useState<string | null>(null);
  const scaled = useMemo(() => displayMap(explanation.map, base.width, base.height, preprocessing), [explanation, base, preprocessing]);
  const label = `${explanation.method} on ${imageName}`;

  useEffect(() => {
    const { heatmap, overlay, isolines } = refs.current;
    if (heatmap === null || overlay === null || isolines === null) return;
    paint(heatmap, heatmapRgba(scaled));
    paint(overlay, overlayRgba(base, scaled));
    paint(isolines, base);
    strokePaths(isolines, isolinePaths(scaled));
  }, [scaled, base]);

  const downloadPng = async () => {
    const canvases = PANELS.map((p) => refs.current[p]).filter((c): c is HTMLCanvasElement => c !== null);
    try {
      saveBlob(await composePng(canvases), `${fileStem(imageName)}.${explanation.method}.png`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  const downloadJson = () => {
    const text = JSON.stringify(explanationJson(explanation, backend));
    saveBlob(new Blob([text], { type: 'application/json' }), `${fileStem(imageName)}.${explanation.method}.json`);
  };

  const className = labels[explanation.classIndex] ?? String(explanation.classIndex);
  return (
    <figure className="space-y-1" data-testid="result-cell" data-method={explanation.method} data-image={imageName} aria-label={label}>
      <div className="flex gap-1">
        {PANELS.map((panel) => (
          <canvas
            key={panel}
            ref={(el) => {
              refs.current[panel] = el;
            }}
            role="img"
            aria-label={`${label}: ${panel}`}
            className="h-auto w-28 rounded border border-stone-200 [image-rendering:pixelated]"
          />
        ))}
      </div>
      <figcaption className="text-xs text-stone-600">
        class <span data-testid="result-class">{className}</span> ({explanation.classIndex}) · score {explanation.score.toPrecision(4)} ·{' '}
        {Math.round(explanation.ms)} ms{explanation.layer !== undefined ? ` · layer ${explanation.layer}` : ''}
      </figcaption>
      <div className="flex gap-2 text-xs">
        <button type="button" onClick={() => void downloadPng()} className="rounded border border-stone-300 px-2 py-0.5 hover:bg-stone-100" aria-label={`Download PNG of ${label}`}>
          PNG
        </button>
        <button type="button" onClick={downloadJson} className="rounded border border-stone-300 px-2 py-0.5 hover:bg-stone-100" aria-label={`Download JSON of ${label}`}>
          JSON
        </button>
      </div>
      {error !== null ? <p role="alert" className="text-xs text-red-700">{error}</p> : null}
    </figure>
  );
}
