'use client';
/**
 * Shared pieces of the participant pages: the step frame with its heading, buttons, the
 * full-viewport stage used from calibration on, and the withdraw control present on every step.
 */
import { useState, type ReactNode } from 'react';

export function StepFrame({ step, title, children }: { step: string; title: string; children: ReactNode }) {
  return (
    <section className="mx-auto max-w-2xl space-y-4 py-4" aria-labelledby="step-title" data-step={step}>
      <h1 id="step-title" className="text-2xl font-semibold tracking-tight">
        {title}
      </h1>
      {children}
    </section>
  );
}

export function Button({
  children,
  onClick,
  disabled,
  variant = 'primary',
  testId,
}: {
  children: ReactNode;
  onClick: () => void;
  disabled?: boolean;
  variant?: 'primary' | 'secondary' | 'danger';
  testId?: string;
}) {
  const colours = {
    primary: 'bg-blue-700 text-white hover:bg-blue-800 disabled:bg-stone-300',
    secondary: 'border border-stone-300 bg-white text-stone-800 hover:bg-stone-100 disabled:text-stone-400',
    danger: 'bg-red-700 text-white hover:bg-red-800 disabled:bg-stone-300',
  }[variant];
  return (
    <button type="button" onClick={onClick} disabled={disabled} data-testid={testId} className={`rounded-md px-4 py-2 text-sm font-medium ${colours}`}>
      {children}
    </button>
  );
}

/** Full-viewport layer for calibration, validation and trials (above the site header). */
export function Stage({ children, background = '#808080', cursor = 'default' }: { children: ReactNode; background?: string; cursor?: string }) {
  return (
    <div className="fixed inset-0 z-40 overflow-hidden" style={{ background, cursor }} data-testid="stage">
      {children}
    </div>
  );
}

/** A target dot at viewport CSS px (centre at x, y). */
export function Dot({ x, y, size = 20, colour = '#dc2626', onClick, testId }: { x: number; y: number; size?: number; colour?: string; onClick?: () => void; testId?: string }) {
  return (
    <button
      type="button"
      aria-label="target"
      data-testid={testId}
      data-x={x}
      data-y={y}
      onClick={onClick}
      className="absolute rounded-full"
      style={{ left: x - size / 2, top: y - size / 2, width: size, height: size, background: colour, border: '3px solid white', padding: 0, cursor: onClick ? 'pointer' : 'default' }}
    >
      <span className="absolute rounded-full bg-black" style={{ left: size / 2 - 5, top: size / 2 - 5, width: 4, height: 4 }} />
    </button>
  );
}

/**
 * "Withdraw" on every step: asks once more, then the parent deletes the session (DELETE with the
 * token), stops the camera and clears local state.
 */
export function WithdrawControl({ onWithdraw, busy }: { onWithdraw: () => void; busy: boolean }) {
  const [asking, setAsking] = useState(false);
  return (
    <div className="fixed bottom-3 right-3 z-50 text-sm" data-testid="withdraw-control">
      {asking ? (
        <div role="alertdialog" aria-label="Withdraw from the study" className="w-72 space-y-2 rounded-md border border-stone-300 bg-white p-3 shadow-lg">
          <p>Withdraw from the study? Everything recorded from you so far is deleted and the camera is switched off.</p>
          <div className="flex gap-2">
            <Button variant="danger" onClick={onWithdraw} disabled={busy} testId="withdraw-confirm">
              {busy ? 'Deleting…' : 'Withdraw and delete my data'}
            </Button>
            <Button variant="secondary" onClick={() => setAsking(false)} disabled={busy}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <button type="button" onClick={() => setAsking(true)} className="rounded bg-white/80 px-2 py-1 text-stone-600 underline hover:text-stone-900" data-testid="withdraw">
          Withdraw
        </button>
      )}
    </div>
  );
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Resolves after the next paint (two animation frames). */
export const afterPaint = () => new Promise<void>((r) => requestAnimationFrame(() => requestAnimationFrame(() => r())));
