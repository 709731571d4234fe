'use client';
import { useEffect } from 'react';
import type { CompleteSessionResponse } from '@/lib/studies/contract';
import { Button, StepFrame } from './ui';

/** Only http(s) redirects are followed (a study's redirect URL is researcher input). */
function safeRedirect(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url, window.location.href);
    return u.protocol === 'https:' || u.protocol === 'http:' ? u.href : null;
  } catch {
    return null;
  }
}

const REDIRECT_AFTER_MS = 5000;

/** Step 11: thanks, completion code or redirect. The camera is already off and local state gone. */
export function EndStep({ result }: { result: CompleteSessionResponse }) {
  const redirect = safeRedirect(result.redirectUrl);
  useEffect(() => {
    if (!redirect) return;
    const t = setTimeout(() => window.location.assign(redirect), REDIRECT_AFTER_MS);
    return () => clearTimeout(t);
  }, [redirect]);
  return (
    <StepFrame step="end" title="Thank you!">
      <p data-testid="end-message" data-decision={result.decision}>
        {result.decision === 'rejected'
          ? 'The study has ended. Unfortunately the recording quality was not sufficient for this study, so your data will not be used.'
          : 'You have finished the study. The camera is off and nothing of this session is left in your browser.'}
      </p>
      {result.completionCode ? (
        <p>
          Your completion code:{' '}
          <code className="rounded bg-stone-200 px-2 py-1 text-lg" data-testid="completion-code">
            {result.completionCode}
          </code>
        </p>
      ) : null}
      {redirect ? (
        <div className="space-y-2">
          <p className="text-sm text-stone-600">You will be taken back in a few seconds.</p>
          <Button onClick={() => window.location.assign(redirect)} testId="end-redirect">
            Return now
          </Button>
        </div>
      ) : null}
    </StepFrame>
  );
}

export function WithdrawnStep() {
  return (
    <StepFrame step="withdrawn" title="You have withdrawn">
      <p data-testid="withdrawn-message">
        Everything recorded from you in this study has been deleted, the camera is off, and nothing is left in your browser. You can close this page.
      </p>
    </StepFrame>
  );
}
