'use client';
/**
 * The participant flow at /s/<slug> (issue 5, steps 1–11) as a small state machine. Each step is
 * its own component; this file only moves between them and owns the session runtime (API, upload
 * queue, gaze source). Camera set-up is loaded with next/dynamic (ssr: false): WebGazer, TF.js and
 * MediaPipe never reach the browser before that step. Returning after a reload resumes at the
 * next unfinished trial (webcam sessions calibrate again first: calibration lives in memory only).
 */
import dynamic from 'next/dynamic';
import { useCallback, useEffect, useRef, useState } from 'react';
import { exitFullscreen, requestFullscreen } from '@/lib/gaze/client/device-check';
import type { GazeSource } from '@/lib/gaze/client/gaze-source';
import { MouseGazeSource } from '@/lib/gaze/client/mouse-source';
import { ApiError, SessionApi, getPublicStudy, startSession } from '@/lib/gaze/client/participant-api';
import { SessionRuntime } from '@/lib/gaze/client/session-runtime';
import { deleteUploadDb } from '@/lib/gaze/client/idb-batch-store';
import { clearSession, loadSession } from '@/lib/gaze/client/session-store';
import type { StudyLink } from '@/lib/gaze/client/study-link';
import type { CompleteSessionResponse, GeometryRequest, PublicStudyResponse, Trial, ValidationResult } from '@/lib/studies/contract';
import { CalibrationStep } from './calibration-step';
import { ChinrestStep } from './chinrest-step';
import { ConsentStep } from './consent-step';
import { DeviceCheckStep } from './device-check-step';
import { EndStep, WithdrawnStep } from './end-step';
import { TrialRunner } from './trial-runner';
import { Button, StepFrame, WithdrawControl } from './ui';
import { ValidationReport, ValidationStep } from './validation-step';

const CameraStep = dynamic(() => import('./camera-step'), {
  ssr: false,
  loading: () => <p className="py-8 text-stone-600">Loading the camera set-up…</p>,
});

type Phase =
  | { kind: 'loading' }
  | { kind: 'unavailable'; message: string }
  | { kind: 'consent' }
  | { kind: 'resume' }
  | { kind: 'device' }
  | { kind: 'chinrest' }
  | { kind: 'camera' }
  | { kind: 'calibration'; attempt: number }
  | { kind: 'validation'; attempt: number }
  | { kind: 'validation-result'; attempt: number; result: ValidationResult }
  | { kind: 'trials-intro' }
  | { kind: 'trials' }
  | { kind: 'end'; result: CompleteSessionResponse }
  | { kind: 'withdrawn' }
  | { kind: 'error'; message: string };

const message = (err: unknown) => (err instanceof Error ? err.message : String(err));

function unavailableText(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 404) return 'This study link is not valid.';
    if (err.error === 'already_started') return 'You have already taken part in (or started) this study. Each person can take part once.';
    if (err.status === 409) return `This study is not taking participants at the moment (${err.message}).`;
  }
  return `The study could not be loaded: ${message(err)}`;
}

export function ParticipantFlow({ slug, link }: { slug: string; link: StudyLink }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });
  const [study, setStudy] = useState<PublicStudyResponse | null>(null);
  const [runtime, setRuntime] = useState<SessionRuntime | null>(null);
  const [trials, setTrials] = useState<Trial[]>([]);
  const [geometry, setGeometry] = useState<{ screenPxPerDeg: number; request: GeometryRequest | null } | null>(null);
  const [resumeAt, setResumeAt] = useState(0);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const runtimeRef = useRef<SessionRuntime | null>(null);
  runtimeRef.current = runtime;

  const makeRuntime = useCallback(
    (s: ConstructorParameters<typeof SessionRuntime>[0]) =>
      new SessionRuntime(s, window.sessionStorage, {
        onQueueState: (state) => setNotice(state === 'waiting_retry' ? 'Connection problem: your data is kept and sent again shortly…' : null),
        onUploadError: (detail) => console.error(`gazebench upload: ${detail}`),
      }),
    [],
  );

  // Step 1: the study, and a session this tab already started (reload → resume).
  useEffect(() => {
    let cancelled = false;
    void (async () => {
      try {
        const s = await getPublicStudy(slug);
        if (cancelled) return;
        setStudy(s);
        const stored = loadSession(window.sessionStorage, slug);
        if (stored) {
          try {
            const rt = makeRuntime(stored);
            let state = await rt.api.state();
            const completed =
              state.status === 'in_progress'
                ? await rt.resumePending().catch((err: unknown) => {
                    // The viewed trial is shown again instead (its earlier samples are discarded by the server).
                    console.warn(`gazebench: could not complete the interrupted trial: ${message(err)}`);
                    return null;
                  })
                : null;
            if (completed) state = await rt.api.state();
            if (cancelled) return;
            if (state.status === 'in_progress') {
              setRuntime(rt);
              setTrials(state.trials);
              setResumeAt(state.nextTrialPosition ?? state.trials.length);
              setAttempt(state.validations.attempts);
              if (state.geometry) setGeometry({ screenPxPerDeg: state.geometry.screenPxPerDeg, request: state.geometry });
              setPhase({ kind: 'resume' });
              return;
            }
          } catch (err) {
            // The stored session is gone (withdrawn, deleted, token refused): start afresh below.
            console.warn(`gazebench: stored session not resumable: ${message(err)}`);
          }
          clearSession(window.sessionStorage, slug);
          await deleteUploadDb(stored.sessionId).catch((err: unknown) => console.warn(`gazebench: ${message(err)}`));
        }
        setPhase({ kind: 'consent' });
      } catch (err) {
        if (!cancelled) setPhase({ kind: 'unavailable', message: unavailableText(err) });
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [slug, makeRuntime]);

  // Leaving the page or unmounting never leaves the camera on.
  useEffect(() => {
    const off = () => void runtimeRef.current?.gazeSource?.stop();
    window.addEventListener('pagehide', off);
    return () => {
      window.removeEventListener('pagehide', off);
      off();
    };
  }, []);

  const fail = useCallback((err: unknown) => setPhase({ kind: 'error', message: message(err) }), []);

  const beginSession = useCallback(
    async (modality: 'webcam' | 'mouse') => {
      const r = await startSession(slug, { modality, ...(link.externalIds ? { externalIds: link.externalIds } : {}) });
      const rt = makeRuntime({ slug, sessionId: r.sessionId, token: r.token, modality: r.modality, nextSeq: 0, clockOrigin: performance.timeOrigin });
      setRuntime(rt);
      setTrials(r.trials);
      setResumeAt(0);
      setAttempt(0);
      return rt;
    },
    [slug, link.externalIds, makeRuntime],
  );

  const startMouse = useCallback(async (rt: SessionRuntime) => {
    const mouse = new MouseGazeSource();
    await mouse.start();
    rt.attachSource(mouse);
    setPhase({ kind: 'trials-intro' });
  }, []);

  const afterGeometry = useCallback(
    (rt: SessionRuntime) => {
      if (rt.modality === 'mouse') void startMouse(rt).catch(fail);
      else setPhase({ kind: 'camera' });
    },
    [startMouse, fail],
  );

  const onDevice = useCallback(
    (modality: 'webcam' | 'mouse') => {
      setBusy(true);
      beginSession(modality)
        .then(() => setPhase({ kind: 'chinrest' }))
        .catch((err: unknown) => setPhase({ kind: 'unavailable', message: unavailableText(err) }))
        .finally(() => setBusy(false));
    },
    [beginSession],
  );

  const onGeometry = useCallback(
    async (g: GeometryRequest) => {
      if (!runtime) return;
      await runtime.api.putGeometry(g);
      setGeometry({ screenPxPerDeg: g.screenPxPerDeg, request: g });
      afterGeometry(runtime);
    },
    [runtime, afterGeometry],
  );

  const onCameraReady = useCallback(
    (source: GazeSource) => {
      if (!runtime) return;
      runtime.attachSource(source);
      setPhase({ kind: 'calibration', attempt: attempt + 1 });
    },
    [runtime, attempt],
  );

  /** The mouse alternative: the same session switches modality before any trial (never mixed). */
  const switchToMouse = useCallback(async () => {
    if (!runtime) return;
    setBusy(true);
    try {
      await runtime.gazeSource?.stop();
      await runtime.switchModality('mouse');
      await startMouse(runtime);
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  }, [runtime, startMouse, fail]);

  const finish = useCallback(async () => {
    if (!runtime) return;
    setBusy(true);
    try {
      const result = await runtime.complete();
      exitFullscreen();
      setPhase({ kind: 'end', result });
    } catch (err) {
      fail(err);
    } finally {
      setBusy(false);
    }
  }, [runtime, fail]);

  const withdraw = useCallback(async () => {
    setBusy(true);
    try {
      if (runtime) await runtime.withdraw();
      exitFullscreen();
      setPhase({ kind: 'withdrawn' });
    } catch (err) {
      setPhase({ kind: 'error', message: `Your data could not be deleted yet (${message(err)}). Please press Withdraw again.` });
    } finally {
      setBusy(false);
    }
  }, [runtime]);

  const onValidation = useCallback((result: ValidationResult) => setPhase({ kind: 'validation-result', attempt: result.attempt, result }), []);
  // The server accepts maxCalibrationAttempts initial validations; a calibration beyond that (after a
  // failed drift check or a reload) still retrains the tracker, and the drift checks watch it.
  const maxAttempts = study?.config.maxCalibrationAttempts ?? 3;
  const onCalibrated = useCallback(
    () =>
      setPhase((p) =>
        p.kind !== 'calibration' ? p : p.attempt > maxAttempts ? { kind: 'trials-intro' } : { kind: 'validation', attempt: p.attempt },
      ),
    [maxAttempts],
  );
  const onDriftFailed = useCallback(
    (next: number) => {
      setResumeAt(next);
      setPhase({ kind: 'calibration', attempt: attempt + 1 });
    },
    [attempt],
  );
  const onTrialsDone = useCallback(() => void finish(), [finish]);

  useEffect(() => {
    if (phase.kind === 'calibration') setAttempt(phase.attempt);
  }, [phase]);

  const showWithdraw = !['loading', 'unavailable', 'end', 'withdrawn'].includes(phase.kind);
  const config = study?.config;

  return (
    <div data-testid="participant-flow" data-phase={phase.kind}>
      {notice ? (
        <p className="fixed left-1/2 top-2 z-50 -translate-x-1/2 rounded bg-amber-100 px-3 py-1 text-sm text-amber-900" data-testid="upload-notice">
          {notice}
        </p>
      ) : null}
      {phase.kind === 'loading' ? <p className="py-8 text-stone-600">Loading the study…</p> : null}
      {phase.kind === 'unavailable' ? (
        <StepFrame step="unavailable" title="Study not available">
          <p data-testid="unavailable-message">{phase.message}</p>
        </StepFrame>
      ) : null}
      {phase.kind === 'error' ? (
        <StepFrame step="error" title="Something went wrong">
          <p data-testid="error-message">{phase.message}</p>
          <p className="text-sm text-stone-600">Reload the page to continue where you left off.</p>
        </StepFrame>
      ) : null}
      {phase.kind === 'consent' && study ? <ConsentStep study={study} preview={link.mturkPreview} onConsent={() => setPhase({ kind: 'device' })} /> : null}
      {phase.kind === 'resume' && runtime ? (
        <StepFrame step="resume" title="Welcome back">
          <p>You can continue where you left off{runtime.modality === 'webcam' && geometry ? ', after a short calibration' : ''}.</p>
          <Button
            testId="resume-continue"
            onClick={() =>
              void requestFullscreen().then(() => {
                if (resumeAt >= trials.length) void finish();
                else if (!geometry) setPhase({ kind: 'chinrest' });
                else afterGeometry(runtime);
              })
            }
          >
            Continue in full screen
          </Button>
        </StepFrame>
      ) : null}
      {phase.kind === 'device' && config ? busy ? <p className="py-8">Starting…</p> : <DeviceCheckStep config={config} onDone={onDevice} /> : null}
      {phase.kind === 'chinrest' ? <ChinrestStep onDone={onGeometry} /> : null}
      {phase.kind === 'camera' ? (
        <CameraStep onReady={onCameraReady} onMouseInstead={config?.modality === 'both' && geometry?.request ? () => void switchToMouse() : null} />
      ) : null}
      {phase.kind === 'calibration' && runtime && config ? (
        <CalibrationStep key={`cal-${phase.attempt}`} runtime={runtime} config={config} attempt={phase.attempt} onDone={onCalibrated} />
      ) : null}
      {phase.kind === 'validation' && runtime && config ? (
        <ValidationStep key={`val-${phase.attempt}`} runtime={runtime} config={config} attempt={phase.attempt} onResult={onValidation} />
      ) : null}
      {phase.kind === 'validation-result' && config ? (
        <StepFrame step="validation-result" title={phase.result.passed ? 'Calibration check passed' : 'Calibration check not passed'}>
          <ValidationReport result={phase.result} />
          {phase.result.passed ? (
            <Button onClick={() => setPhase({ kind: 'trials-intro' })} testId="validation-continue">
              Continue
            </Button>
          ) : phase.result.attemptsLeft > 0 ? (
            <>
              <p className="text-sm text-stone-700">
                The estimate was more than {config.validationThresholdDeg}° off. Check the lighting, keep your head still and try again ({phase.result.attemptsLeft} left).
              </p>
              <Button onClick={() => setPhase({ kind: 'calibration', attempt: phase.attempt + 1 })} testId="validation-recalibrate">
                Calibrate again
              </Button>
            </>
          ) : (
            <>
              <p className="text-sm text-stone-700">The webcam could not be calibrated well enough for this study.</p>
              <div className="flex gap-2">
                {config.modality === 'both' && resumeAt === 0 && trials.every((t) => t.status === 'pending') ? (
                  <Button onClick={() => void switchToMouse()} disabled={busy} testId="validation-use-mouse">
                    Continue with the mouse instead
                  </Button>
                ) : null}
                <Button variant="secondary" onClick={() => void finish()} disabled={busy} testId="validation-end">
                  End the study
                </Button>
              </div>
            </>
          )}
        </StepFrame>
      ) : null}
      {phase.kind === 'trials-intro' && runtime && config ? (
        <StepFrame step="trials-intro" title="The images">
          <ul className="list-disc space-y-1 pl-5 text-sm text-stone-700">
            <li>Before each image a black cross appears: look at it.</li>
            <li>Then look at the image freely, as you like, for {config.viewingMs / 1000} seconds.</li>
            {trials.some((t) => t.kind === 'attention') ? <li>When a red ring appears on an image, look at it.</li> : null}
            {trials.some((t) => t.kind === 'drift') ? <li>Now and then a blue dot appears: look at it until it goes away.</li> : null}
            {runtime.modality === 'mouse' ? (
              <li>The images are blurred: move the mouse to see sharply around the cursor, wherever you want to look.</li>
            ) : (
              <li>Keep your head still and stay in full screen.</li>
            )}
          </ul>
          <Button onClick={() => setPhase({ kind: 'trials' })} testId="trials-start">
            Start
          </Button>
        </StepFrame>
      ) : null}
      {phase.kind === 'trials' && runtime && config ? (
        <TrialRunner
          runtime={runtime}
          config={config}
          trials={trials}
          startPosition={resumeAt}
          calibrationAttempt={Math.max(1, attempt)}
          screenPxPerDeg={geometry?.screenPxPerDeg ?? 40}
          onDriftFailed={onDriftFailed}
          onFinished={onTrialsDone}
        />
      ) : null}
      {phase.kind === 'end' ? <EndStep result={phase.result} /> : null}
      {phase.kind === 'withdrawn' ? <WithdrawnStep /> : null}
      {showWithdraw ? <WithdrawControl onWithdraw={() => void withdraw()} busy={busy} /> : null}
    </div>
  );
}
