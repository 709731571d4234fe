'use client';
/**
 * Step 6: calibration, 9 or 13 points in a randomised order (lib/gaze/client/layout.ts), as in
 * jsPsych's webgazer-calibrate plugin. Click mode: the participant looks at each dot and clicks
 * it CLICKS_PER_POINT times (each click is one calibration pair, WebGazer's own interaction
 * model). Fixate mode: the dot waits SACCADE_MS for the eyes to arrive, then a pair is recorded
 * every FIXATE_STEP_MS for FIXATE_MS (jsPsych: time_to_saccade 1000, time_per_point 1000).
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { calibrationPoints } from '@/lib/gaze/client/layout';
import type { SessionRuntime } from '@/lib/gaze/client/session-runtime';
import { createRandom } from '@/lib/random';
import type { PublicStudyConfig } from '@/lib/studies/config';
import { Button, Dot, Stage, StepFrame, sleep } from './ui';

const CLICKS_PER_POINT = 3;
const SACCADE_MS = 1000;
const FIXATE_MS = 1000;
const FIXATE_STEP_MS = 100;

export function CalibrationStep({
  runtime,
  config,
  attempt,
  onDone,
}: {
  runtime: SessionRuntime;
  config: PublicStudyConfig;
  attempt: number;
  onDone: () => void;
}) {
  const [started, setStarted] = useState(false);
  const [index, setIndex] = useState(0);
  const [clicks, setClicks] = useState(0);
  const points = useMemo(
    () => calibrationPoints(config.calibrationPoints, { width: window.innerWidth, height: window.innerHeight }, createRandom((Date.now() ^ attempt) >>> 0)),
    [config.calibrationPoints, attempt],
  );
  const point = points[index];
  const alive = useRef(true);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  useEffect(() => {
    if (!started || !point) return;
    runtime.show({ kind: 'point', x: point.x, y: point.y });
    if (config.calibrationMode !== 'fixate') return;
    let cancelled = false;
    void (async () => {
      await sleep(SACCADE_MS);
      for (let t = 0; t < FIXATE_MS && !cancelled; t += FIXATE_STEP_MS) {
        runtime.gazeSource?.calibrateAt(point.x, point.y);
        await sleep(FIXATE_STEP_MS);
      }
      if (!cancelled && alive.current) setIndex((i) => i + 1);
    })();
    return () => {
      cancelled = true;
    };
  }, [started, point, runtime, config.calibrationMode]);

  useEffect(() => {
    if (started && !point) {
      runtime.show({ kind: 'blank' });
      onDone();
    }
  }, [started, point, runtime, onDone]);

  if (!started) {
    return (
      <StepFrame step="calibration-intro" title={attempt > 1 ? 'Calibrate again' : 'Calibration'}>
        <p className="text-sm text-stone-700">
          {config.calibrationMode === 'fixate'
            ? `Red dots appear one after the other (${config.calibrationPoints}). Look straight at each dot until it moves on. Keep your head still.`
            : `Red dots appear one after the other (${config.calibrationPoints}). Look straight at each dot and click it ${CLICKS_PER_POINT} times while looking at it. Keep your head still.`}
        </p>
        <Button onClick={() => setStarted(true)} testId="calibration-start">
          Start calibration
        </Button>
      </StepFrame>
    );
  }
  if (!point) return <Stage>{null}</Stage>;
  const onClick =
    config.calibrationMode === 'fixate'
      ? undefined
      : () => {
          runtime.gazeSource?.calibrateAt(point.x, point.y);
          if (clicks + 1 >= CLICKS_PER_POINT) {
            setClicks(0);
            setIndex((i) => i + 1);
          } else setClicks((c) => c + 1);
        };
  return (
    <Stage>
      <Dot x={point.x} y={point.y} size={28} onClick={onClick} testId="calibration-point" colour={clicks > 0 ? '#f97316' : '#dc2626'} />
      <p className="absolute bottom-3 left-3 text-xs text-white/80" data-testid="calibration-progress">
        {index + 1} / {points.length}
      </p>
    </Stage>
  );
}
