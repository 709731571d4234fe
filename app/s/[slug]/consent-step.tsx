'use client';
import { useState } from 'react';
import type { PublicStudyResponse } from '@/lib/studies/contract';
import { Button, StepFrame } from './ui';

/** Step 2: information and consent (the study's own text, plus what the platform records). */
export function ConsentStep({ study, preview, onConsent }: { study: PublicStudyResponse; preview: boolean; onConsent: () => void }) {
  const [agreed, setAgreed] = useState(false);
  const c = study.config;
  const minutes = Math.max(3, Math.round((c.imagesPerParticipant * (c.viewingMs + c.blankMs + c.fixationCrossMs)) / 60_000 + 4));
  return (
    <StepFrame step="consent" title={study.name}>
      <div className="whitespace-pre-line rounded-md border border-stone-200 bg-white p-4 text-stone-800" data-testid="consent-text">
        {study.consentText}
      </div>
      <div className="space-y-2 text-sm text-stone-700">
        <p>
          You will look at {c.imagesPerParticipant} images for {c.viewingMs / 1000} s each; it takes about {minutes} minutes.
          {c.modality === 'mouse'
            ? ' You explore each image with the mouse: it is blurred except around the cursor.'
            : ' Your webcam estimates where you look. The camera video is processed in this browser and never leaves your computer: only gaze coordinates (numbers) and timings are sent.'}
        </p>
        <p>You can withdraw at any time with the “Withdraw” button in the corner; everything recorded from you is then deleted.</p>
      </div>
      {preview ? (
        <p className="rounded-md bg-amber-50 p-3 text-amber-900" data-testid="mturk-preview">
          This is a preview. Accept the HIT to take part.
        </p>
      ) : (
        <>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={agreed} onChange={(e) => setAgreed(e.target.checked)} data-testid="consent-checkbox" />
            <span>I have read the information above and agree to take part.</span>
          </label>
          <Button onClick={onConsent} disabled={!agreed} testId="consent-continue">
            Continue
          </Button>
        </>
      )}
    </StepFrame>
  );
}
