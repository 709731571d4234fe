'use client';
/**
 * Steps 8–10: the trials. Image and attention trials: fixation cross (centre or random, for
 * `fixationCrossMs`), the image fitted to the viewport at a known rectangle for `viewingMs`, then
 * a blank for `blankMs` while the trial's samples are uploaded and the trial is completed (the
 * server detects fixations). Attention trials draw a target the participant was told to look at;
 * the server judges from the gaze. Drift trials show one validation point and post it as a
 * 'drift' validation; when it fails (webcam) the flow recalibrates and comes back to the next
 * trial. Mouse sessions see the image blurred except a foveal window around the cursor (SALICON).
 */
import { useEffect, useRef, useState } from 'react';
import type { Rect } from '@/lib/gaze/geometry';
import { fitImageRect, fixationCrossPosition, imageToScreen, validationPoints } from '@/lib/gaze/client/layout';
import type { SessionRuntime } from '@/lib/gaze/client/session-runtime';
import { createRandom } from '@/lib/random';
import type { PublicStudyConfig } from '@/lib/studies/config';
import type { Trial } from '@/lib/studies/contract';
import { MouseImage } from './mouse-image';
import { Dot, Stage, afterPaint, sleep } from './ui';
import { recordPoints } from './validation-step';

type View =
  | { kind: 'blank'; saving: boolean }
  | { kind: 'cross'; x: number; y: number }
  | { kind: 'image'; url: string; rect: Rect; trial: Extract<Trial, { kind: 'image' | 'attention' }> }
  | { kind: 'point'; x: number; y: number };

async function loadImage(runtime: SessionRuntime, imageUrl: string): Promise<string> {
  const url = await runtime.api.imageObjectUrl(imageUrl);
  const img = new Image();
  img.src = url;
  await img.decode();
  return url;
}

export function TrialRunner({
  runtime,
  config,
  trials,
  startPosition,
  calibrationAttempt,
  screenPxPerDeg,
  onDriftFailed,
  onFinished,
}: {
  runtime: SessionRuntime;
  config: PublicStudyConfig;
  trials: Trial[];
  startPosition: number;
  calibrationAttempt: number;
  screenPxPerDeg: number;
  onDriftFailed: (nextPosition: number) => void;
  onFinished: () => void;
}) {
  const [view, setView] = useState<View>({ kind: 'blank', saving: false });
  const [done, setDone] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  const alive = useRef(true);
  const imageTrials = trials.filter((t) => t.kind !== 'drift').length;

  useEffect(() => {
    alive.current = true;
    if (started.current) return;
    started.current = true;
    const random = createRandom(Date.now() >>> 0);
    const run = async () => {
      const ordered = [...trials].sort((a, b) => a.position - b.position);
      for (const trial of ordered) {
        if (!alive.current) return;
        if (trial.position < startPosition || trial.status === 'complete' || trial.status === 'skipped') continue;
        const viewport = { width: window.innerWidth, height: window.innerHeight };
        if (trial.kind === 'drift') {
          const [p] = validationPoints(9, viewport, random);
          if (!p) continue;
          const points = await recordPoints(runtime, [p], config.validationMoveMs, config.validationSampleMs, (q) => setView(q ? { kind: 'point', ...q } : { kind: 'blank', saving: false }), () => alive.current);
          if (!alive.current) return;
          const r = await runtime.api.postValidation({ kind: 'drift', attempt: calibrationAttempt, trialId: trial.id, points });
          if (!r.passed && runtime.modality === 'webcam') {
            onDriftFailed(trial.position + 1);
            return;
          }
          continue;
        }
        const rect = fitImageRect(trial, viewport);
        const cross = fixationCrossPosition(config.fixationCross, rect, random);
        setView({ kind: 'cross', ...cross });
        runtime.show({ kind: 'point', ...cross });
        const [url] = await Promise.all([loadImage(runtime, trial.imageUrl), sleep(config.fixationCrossMs)]);
        if (!alive.current) {
          URL.revokeObjectURL(url);
          return;
        }
        setView({ kind: 'image', url, rect, trial });
        await afterPaint();
        const shownAt = runtime.now();
        runtime.show({
          kind: 'image',
          imageId: trial.imageId,
          width: trial.width,
          height: trial.height,
          rect,
          ...(trial.kind === 'attention' ? { target: imageToScreen(trial.target, trial, rect) } : {}),
        });
        const ack = runtime.startTrial(trial.id, { rect, viewport, shownAt });
        ack.catch(() => undefined); // awaited, and its failure reported, through completeTrial below
        await sleep(config.viewingMs);
        // Stop recording first (completeTrial does so synchronously), then take the image away.
        const completing = runtime.completeTrial(trial.id);
        completing.catch(() => undefined); // awaited below
        setView({ kind: 'blank', saving: false });
        runtime.show({ kind: 'blank' });
        URL.revokeObjectURL(url);
        await sleep(config.blankMs);
        setView({ kind: 'blank', saving: true });
        await completing;
        if (!alive.current) return;
        setView({ kind: 'blank', saving: false });
        setDone((d) => d + 1);
      }
      if (alive.current) onFinished();
    };
    run().catch((err: unknown) => {
      if (alive.current) setError(err instanceof Error ? err.message : String(err));
    });
    return () => {
      alive.current = false;
    };
  }, [runtime, config, trials, startPosition, calibrationAttempt, onDriftFailed, onFinished]);

  const completedBefore = trials.filter((t) => t.kind !== 'drift' && t.position < startPosition).length;
  return (
    <Stage cursor={view.kind === 'image' && runtime.modality === 'webcam' ? 'none' : 'default'}>
      {view.kind === 'cross' ? <FixationCross x={view.x} y={view.y} /> : null}
      {view.kind === 'point' ? <Dot x={view.x} y={view.y} size={24} colour="#2563eb" testId="drift-point" /> : null}
      {view.kind === 'image' ? (
        runtime.modality === 'mouse' ? (
          <MouseImage url={view.url} rect={view.rect} windowPx={config.mouseWindowDeg * screenPxPerDeg} />
        ) : (
          <img
            src={view.url}
            alt=""
            data-testid="trial-image"
            data-trial-id={view.trial.id}
            draggable={false}
            className="absolute select-none"
            style={{ left: view.rect.x, top: view.rect.y, width: view.rect.width, height: view.rect.height, maxWidth: 'none' }}
          />
        )
      ) : null}
      {view.kind === 'image' && view.trial.kind === 'attention' ? <AttentionTarget trial={view.trial} rect={view.rect} ppd={screenPxPerDeg} /> : null}
      {view.kind === 'cross' || (view.kind === 'blank' && view.saving) ? (
        <p className="absolute bottom-3 left-3 text-xs text-white/80" data-testid="trial-progress">
          {view.kind === 'blank' ? 'Saving… ' : ''}
          {Math.min(imageTrials, completedBefore + done + 1)} / {imageTrials}
        </p>
      ) : null}
      {error ? (
        <div className="absolute inset-x-0 top-1/3 mx-auto w-fit max-w-lg rounded-md bg-white p-4 text-sm" data-testid="trial-error">
          Something went wrong: {error}. Reload the page to continue where you left off.
        </div>
      ) : null}
    </Stage>
  );
}

function FixationCross({ x, y }: { x: number; y: number }) {
  return (
    <div data-testid="fixation-cross" className="absolute" style={{ left: x - 15, top: y - 15, width: 30, height: 30 }}>
      <div className="absolute bg-black" style={{ left: 13, top: 0, width: 4, height: 30 }} />
      <div className="absolute bg-black" style={{ left: 0, top: 13, width: 30, height: 4 }} />
    </div>
  );
}

function AttentionTarget({ trial, rect, ppd }: { trial: Extract<Trial, { kind: 'attention' }>; rect: Rect; ppd: number }) {
  const p = imageToScreen(trial.target, trial, rect);
  const size = Math.max(24, ppd);
  return (
    <div
      data-testid="attention-target"
      className="pointer-events-none absolute rounded-full"
      style={{ left: p.x - size / 2, top: p.y - size / 2, width: size, height: size, border: '5px solid #dc2626', boxShadow: '0 0 0 3px white' }}
    />
  );
}
