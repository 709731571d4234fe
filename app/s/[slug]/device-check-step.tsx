'use client';
import { useCallback, useEffect, useState } from 'react';
import { evaluateDevice, probeDevice, requestFullscreen, type DeviceVerdict } from '@/lib/gaze/client/device-check';
import type { PublicStudyConfig } from '@/lib/studies/config';
import { Button, StepFrame } from './ui';

/**
 * Step 3: desktop, camera present, window large enough; full screen is requested on continue.
 * When the webcam cannot be used and the study allows it, the mouse alternative is offered.
 */
export function DeviceCheckStep({ config, onDone }: { config: PublicStudyConfig; onDone: (modality: 'webcam' | 'mouse') => void }) {
  const [verdict, setVerdict] = useState<DeviceVerdict | null>(null);
  const [error, setError] = useState<string | null>(null);

  const check = useCallback(() => {
    probeDevice()
      .then((facts) => setVerdict(evaluateDevice(facts, config.minWindow)))
      .catch((err: unknown) => setError(`The device check failed: ${err instanceof Error ? err.message : String(err)}`));
  }, [config.minWindow]);

  useEffect(() => {
    check();
    window.addEventListener('resize', check);
    return () => window.removeEventListener('resize', check);
  }, [check]);

  const go = async (modality: 'webcam' | 'mouse') => {
    await requestFullscreen();
    onDone(modality);
  };

  const wantsWebcam = config.modality !== 'mouse';
  const mouseAllowed = config.modality !== 'webcam';
  const ready = verdict !== null && verdict.desktop && verdict.windowOk;
  const problems = verdict ? verdict.problems.filter((p) => wantsWebcam || !p.includes('camera')) : [];

  return (
    <StepFrame step="device" title="Checking your computer">
      {error ? <p className="text-red-700">{error}</p> : null}
      {verdict === null ? (
        <p>Checking…</p>
      ) : (
        <ul className="space-y-1 text-sm" data-testid="device-checks">
          <li data-ok={verdict.desktop}>{verdict.desktop ? '✓' : '✗'} Desktop browser with a mouse or trackpad</li>
          {wantsWebcam ? <li data-ok={verdict.webcam}>{verdict.webcam ? '✓' : '✗'} Camera available</li> : null}
          <li data-ok={verdict.windowOk}>
            {verdict.windowOk ? '✓' : '✗'} Window at least {config.minWindow.width}×{config.minWindow.height} pixels
          </li>
        </ul>
      )}
      {problems.length > 0 ? (
        <div className="space-y-1 rounded-md bg-amber-50 p-3 text-sm text-amber-900" data-testid="device-problems">
          {problems.map((p) => (
            <p key={p}>{p}</p>
          ))}
        </div>
      ) : null}
      <p className="text-sm text-stone-600">The study continues in full screen. Please keep this window in full screen until the end.</p>
      <div className="flex flex-wrap gap-2">
        {ready && (verdict.webcam || !wantsWebcam) ? (
          <Button onClick={() => void go(wantsWebcam ? 'webcam' : 'mouse')} testId="device-continue">
            Continue in full screen
          </Button>
        ) : null}
        {ready && wantsWebcam && !verdict.webcam && mouseAllowed ? (
          <Button onClick={() => void go('mouse')} testId="device-use-mouse">
            Continue with the mouse instead
          </Button>
        ) : null}
        <Button variant="secondary" onClick={check} testId="device-recheck">
          Check again
        </Button>
      </div>
      {ready && wantsWebcam && !verdict.webcam && !mouseAllowed ? (
        <p className="text-sm text-stone-700" data-testid="device-webcam-required">
          This study can only be done with a webcam. If you cannot use one, please close this page (nothing has been recorded).
        </p>
      ) : null}
    </StepFrame>
  );
}
