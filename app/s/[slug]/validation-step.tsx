'use client';
/**
 * Step 7: validation (jsPsych webgazer-validate): 5–9 points in random order; for each, the eyes
 * get `validationMoveMs` (1 s) to arrive, then `validationSampleMs` (~1.5 s) of samples are kept.
 * The samples go to the server, which computes accuracy, precision, % within radius and the
 * sampling rate in degrees and decides pass/fail; the page only shows its answer.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { validationPoints } from '@/lib/gaze/client/layout';
import type { SessionRuntime } from '@/lib/gaze/client/session-runtime';
import { createRandom } from '@/lib/random';
import type { PublicStudyConfig } from '@/lib/studies/config';
import type { ValidationRequest, ValidationResult } from '@/lib/studies/contract';
import { Dot, Stage, sleep } from './ui';

/** Contract cap per validation point. */
const MAX_POINT_SAMPLES = 200;

type Point = { x: number; y: number };

/**
 * Shows each point, waits `moveMs`, then records `sampleMs` of samples (face-lost ones dropped:
 * a validation sample has no flags). Shared with the drift check.
 */
export async function recordPoints(
  runtime: SessionRuntime,
  points: Point[],
  moveMs: number,
  sampleMs: number,
  setCurrent: (p: Point | null) => void,
  alive: () => boolean,
): Promise<ValidationRequest['points']> {
  const out: ValidationRequest['points'] = [];
  for (const target of points) {
    if (!alive()) break;
    setCurrent(target);
    runtime.show({ kind: 'point', x: target.x, y: target.y });
    await sleep(moveMs);
    const samples: Array<[number, number, number]> = [];
    const untap = runtime.tap((s) => {
      if (!s.faceLost && samples.length < MAX_POINT_SAMPLES) samples.push([Math.round(s.t * 10) / 10, Math.round(s.x * 10) / 10, Math.round(s.y * 10) / 10]);
    });
    await sleep(sampleMs);
    untap();
    // Rounding can merge two close samples; the contract wants strictly increasing times.
    const increasing = samples.filter((s, i) => i === 0 || s[0] > (samples[i - 1] as [number, number, number])[0]);
    out.push({ target, samples: increasing });
  }
  setCurrent(null);
  runtime.show({ kind: 'blank' });
  return out;
}

export function ValidationStep({
  runtime,
  config,
  attempt,
  onResult,
}: {
  runtime: SessionRuntime;
  config: PublicStudyConfig;
  attempt: number;
  onResult: (r: ValidationResult) => void;
}) {
  const [current, setCurrent] = useState<Point | null>(null);
  const [error, setError] = useState<string | null>(null);
  const started = useRef(false);
  const alive = useRef(true);
  const points = useMemo(
    () => validationPoints(config.validationPoints, { width: window.innerWidth, height: window.innerHeight }, createRandom((Date.now() * 7 + attempt) >>> 0)),
    [config.validationPoints, attempt],
  );

  useEffect(() => {
    alive.current = true;
    if (!started.current) {
      started.current = true;
      void (async () => {
        try {
          await sleep(500);
          const recorded = await recordPoints(runtime, points, config.validationMoveMs, config.validationSampleMs, setCurrent, () => alive.current);
          if (!alive.current) return;
          const result = await runtime.api.postValidation({ kind: 'initial', attempt, points: recorded });
          if (alive.current) onResult(result);
        } catch (err) {
          if (alive.current) setError(err instanceof Error ? err.message : String(err));
        }
      })();
    }
    return () => {
      alive.current = false;
    };
  }, [runtime, points, config.validationMoveMs, config.validationSampleMs, attempt, onResult]);

  return (
    <Stage>
      {current ? <Dot x={current.x} y={current.y} size={24} colour="#2563eb" testId="validation-point" /> : null}
      <p className="absolute left-1/2 top-4 -translate-x-1/2 text-sm text-white" data-testid="validation-instructions">
        {error ? `The check could not be saved: ${error}` : current ? 'Look at the blue dot.' : 'Checking the calibration…'}
      </p>
    </Stage>
  );
}

export function ValidationReport({ result }: { result: ValidationResult }) {
  const f = (v: number | null, unit: string, digits = 1) => (v === null ? '—' : `${v.toFixed(digits)}${unit}`);
  return (
    <dl className="grid w-fit grid-cols-2 gap-x-6 gap-y-1 text-sm" data-testid="validation-report" data-passed={result.passed}>
      <dt>Accuracy (mean offset)</dt>
      <dd data-testid="validation-accuracy">{f(result.accuracyDeg, '°')}</dd>
      <dt>Precision (RMS sample to sample)</dt>
      <dd>{f(result.precisionDeg, '°', 2)}</dd>
      <dt>Samples near the dots</dt>
      <dd>{result.withinRadiusPct.toFixed(0)} %</dd>
      <dt>Sampling rate</dt>
      <dd>{f(result.samplingRateHz, ' Hz', 0)}</dd>
    </dl>
  );
}
