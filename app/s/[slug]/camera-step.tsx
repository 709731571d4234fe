'use client';
/**
 * Step 5: camera set-up. Loaded with next/dynamic (ssr: false) by the participant flow, so this
 * file, the WebGazer adapter and — on start — WebGazer with TF.js and MediaPipe arrive only now,
 * never in the page's initial JavaScript. Shows WebGazer's camera preview in the frame below, with
 * face-in-box feedback (green when the face is found and centred) and a lighting hint; continues
 * once the face is centred. A source that is never handed over is stopped on unmount, so leaving
 * this step (withdrawal) always releases the camera.
 */
import { useEffect, useRef, useState } from 'react';
import { createWebcamSource } from '@/lib/gaze/client/create-source';
import type { FaceState, GazeSource } from '@/lib/gaze/client/gaze-source';
import { WebGazerSource } from '@/lib/gaze/client/webgazer-adapter';
import { Button, StepFrame } from './ui';

const FACE_TEXT: Record<FaceState, string> = {
  unknown: 'Looking for your face…',
  none: 'No face found. Sit in front of the camera, face it, and make sure your face is lit.',
  'off-centre': 'Move so that your face is in the middle of the picture.',
  centred: 'Your face is found and centred.',
};

export default function CameraStep({
  onReady,
  onMouseInstead,
}: {
  onReady: (source: GazeSource) => void;
  onMouseInstead: (() => void) | null;
}) {
  const [source, setSource] = useState<GazeSource | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [face, setFace] = useState<FaceState>('unknown');
  const [status, setStatus] = useState({ cameraLive: false, faceModelLoaded: false });
  const [attempt, setAttempt] = useState(0);
  const frameRef = useRef<HTMLDivElement>(null);
  const handedOver = useRef(false);

  useEffect(() => {
    let cancelled = false;
    let created: GazeSource | null = null;
    setError(null);
    createWebcamSource()
      .then(async (s) => {
        created = s;
        await s.start();
        // Unmounted while starting (withdrawal): release the camera it just opened.
        if (cancelled) await s.stop();
        else setSource(s);
      })
      .catch((err: unknown) => {
        if (cancelled) return;
        const name = err instanceof Error ? err.name : '';
        setError(
          name === 'NotAllowedError'
            ? 'The camera was not allowed. Allow camera access for this page (camera icon in the address bar) and try again.'
            : `The camera could not be started: ${err instanceof Error ? err.message : String(err)}`,
        );
      });
    return () => {
      cancelled = true;
      if (created && !handedOver.current) void created.stop();
    };
  }, [attempt]);

  useEffect(() => {
    if (!source) return;
    const place = () => {
      const r = frameRef.current?.getBoundingClientRect();
      if (source instanceof WebGazerSource && r) source.showPreview(true, { left: r.left, top: r.top });
    };
    place();
    window.addEventListener('resize', place);
    const timer = setInterval(() => {
      setFace(source.faceState());
      setStatus(source instanceof WebGazerSource ? source.status() : { cameraLive: true, faceModelLoaded: true });
    }, 200);
    return () => {
      clearInterval(timer);
      window.removeEventListener('resize', place);
      if (source instanceof WebGazerSource) source.showPreview(false);
    };
  }, [source]);

  const ready = source !== null && face === 'centred';
  const colour = face === 'centred' ? '#16a34a' : face === 'unknown' ? '#a8a29e' : '#dc2626';

  return (
    <StepFrame step="camera" title="Camera set-up">
      <p className="text-sm text-stone-700">
        Your browser asks to use the camera. The video stays on this computer: it is analysed here to find your eyes, and only gaze coordinates are
        sent.
      </p>
      <div className="flex items-start gap-6">
        <div
          ref={frameRef}
          data-testid="face-box"
          data-face-state={face}
          className="shrink-0 rounded-md bg-stone-200"
          style={{ width: 320, height: 240, outline: `6px solid ${colour}`, outlineOffset: 2 }}
        />
        <div className="space-y-3 text-sm">
          <p
            data-testid="camera-status"
            data-camera-live={status.cameraLive}
            data-face-model-loaded={status.faceModelLoaded}
            className="font-medium"
          >
            {error
              ? 'Camera not started'
              : !source
                ? 'Starting the camera and loading the face model…'
                : `${status.cameraLive ? 'Camera on' : 'Camera starting'} · ${status.faceModelLoaded ? 'face model loaded' : 'loading the face model'}`}
          </p>
          <p data-testid="face-feedback" style={{ color: colour }}>
            {FACE_TEXT[face]}
          </p>
          <p className="text-stone-600">
            Lighting: face a window or lamp so your face is evenly lit; avoid a bright light or window behind you. Keep your head still and about an
            arm’s length from the screen.
          </p>
        </div>
      </div>
      {error ? (
        <p className="text-red-700" data-testid="camera-error">
          {error}
        </p>
      ) : null}
      <div className="flex flex-wrap gap-2">
        <Button
          onClick={() => {
            if (!source) return;
            handedOver.current = true;
            onReady(source);
          }}
          disabled={!ready}
          testId="camera-continue"
        >
          Continue
        </Button>
        {error ? (
          <Button variant="secondary" onClick={() => setAttempt((a) => a + 1)}>
            Try again
          </Button>
        ) : null}
        {onMouseInstead ? (
          <Button variant="secondary" onClick={onMouseInstead} testId="camera-use-mouse">
            Use the mouse instead
          </Button>
        ) : null}
      </div>
    </StepFrame>
  );
}
