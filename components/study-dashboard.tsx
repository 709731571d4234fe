'use client';
/**
 * The researcher's view of one study: status buttons (PATCH /api/v1/studies/{id}), the share links
 * with the recruitment platforms' parameters, live progress (GET …/progress, polled), and the review
 * table (GET …/sessions, PATCH …/sessions/{sessionId}). Every mutation goes through apiJson, which
 * sends the session's CSRF token.
 */
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useState, useSyncExternalStore } from 'react';
import type { z } from 'zod';
import type { ProgressBody } from '@/lib/api/studies';
import type { StudySessionRow } from '@/lib/studies/contract';
import { apiJson, errorText } from './api-client';

/** How often progress and the review table refresh, ms. */
export const PROGRESS_REFRESH_MS = 4000;

type Status = 'draft' | 'open' | 'paused' | 'closed';
type Progress = z.infer<typeof ProgressBody>;

const ACTIONS: Record<Status, { label: string; hint: string }> = {
  open: { label: 'Open', hint: 'participants can start' },
  paused: { label: 'Pause', hint: 'new participants are turned away; those already in can finish' },
  closed: { label: 'Close', hint: 'final: the study never reopens' },
  draft: { label: 'Draft', hint: '' },
};

export function StudyStatusControls({ id, status, transitions }: { id: string; status: Status; transitions: Status[] }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function move(to: Status) {
    if (to === 'closed' && !window.confirm('Close this study for good? It cannot be reopened.')) return;
    setBusy(true);
    setError(null);
    try {
      await apiJson(`/api/v1/studies/${id}`, { method: 'PATCH', json: { status: to } });
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }
  return (
    <div className="space-y-2">
      <p>
        Status: <strong data-testid="study-status">{status}</strong>
      </p>
      <div className="flex flex-wrap gap-2">
        {transitions.map((to) => (
          <button key={to} type="button" disabled={busy} onClick={() => move(to)} title={ACTIONS[to].hint}
            className="rounded bg-stone-900 px-4 py-2 text-white disabled:opacity-50">
            {ACTIONS[to].label}
          </button>
        ))}
        {transitions.length === 0 ? <span className="text-sm text-stone-600">This study is closed; its data are final.</span> : null}
      </div>
      {error ? <p className="text-sm text-red-700" role="alert">{error}</p> : null}
    </div>
  );
}

const noSubscribe = () => () => undefined;

/** Absolute participant links (the page's own origin) for direct use, Prolific and MTurk. */
export function ShareLinks({ slug }: { slug: string }) {
  const origin = useSyncExternalStore(noSubscribe, () => window.location.origin, () => '');
  const link = `${origin}/s/${slug}`;
  const prolific = `${link}?PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}`;
  return (
    <div className="space-y-4">
      <div className="space-y-1">
        <h3 className="font-medium">Direct link</h3>
        <a href={`/s/${slug}`} className="break-all font-mono text-sm text-blue-700 hover:underline" data-testid="study-link">{link}</a>
        <p className="text-sm text-stone-600">Anyone with the link can take part while the study is open; each visit is a new anonymous participant.</p>
      </div>
      <div className="space-y-1">
        <h3 className="font-medium">Prolific</h3>
        <code className="block break-all rounded bg-stone-100 p-2 text-sm" data-testid="prolific-link">{prolific}</code>
        <p className="text-sm text-stone-600">
          Paste this as the study URL and choose &ldquo;URL parameters&rdquo;: Prolific replaces <code>{'{{%PROLIFIC_PID%}}'}</code>,{' '}
          <code>{'{{%STUDY_ID%}}'}</code> and <code>{'{{%SESSION_ID%}}'}</code> with the participant&apos;s ID, your study&apos;s ID and the
          submission&apos;s ID. The same participant cannot take part twice; we store the IDs only as a keyed hash. Put your completion code
          (or a redirect URL <code>https://app.prolific.com/submissions/complete?cc=…</code>) in the study so participants are sent back.
        </p>
      </div>
      <div className="space-y-1">
        <h3 className="font-medium">Amazon Mechanical Turk</h3>
        <code className="block break-all rounded bg-stone-100 p-2 text-sm" data-testid="mturk-link">{link}</code>
        <p className="text-sm text-stone-600">
          Use this as the URL of an ExternalQuestion HIT: MTurk appends <code>workerId</code>, <code>assignmentId</code> and <code>hitId</code>.
          While a worker previews the HIT (<code>assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE</code>) they see the information page only and
          nothing starts; a worker cannot take part twice. Give workers the completion code to paste into the HIT.
        </p>
      </div>
    </div>
  );
}

function usePolled<T>(url: string): { data: T | null; error: string | null; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    apiJson<T>(url).then(
      (d) => {
        setData(d);
        setError(null);
      },
      (err: unknown) => setError(errorText(err)),
    );
  }, [url]);
  useEffect(() => {
    load();
    const timer = window.setInterval(load, PROGRESS_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);
  return { data, error, reload: load };
}

const fmt = (v: number | null | undefined, digits = 2) => (v === null || v === undefined ? '–' : v.toFixed(digits));

export function StudyProgress({ id }: { id: string }) {
  const { data: p, error } = usePolled<Progress>(`/api/v1/studies/${id}/progress`);
  if (!p) return <p className="text-sm text-stone-600">{error ?? 'Loading progress…'}</p>;
  const s = p.sessions;
  const maxBin = Math.max(1, ...p.accuracy.bins.map((b) => b.count));
  return (
    <div className="space-y-6" data-testid="study-progress">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        {([
          ['started', s.started], ['in progress', s.inProgress], ['completed', s.completed], ['awaiting review', s.pendingReview],
          ['accepted', s.accepted], ['rejected', s.rejected], ['ended early', s.ended], ['withdrawn', s.withdrawn],
        ] as const).map(([label, value]) => (
          <div key={label} className="rounded border border-stone-200 bg-white px-3 py-2">
            <dt className="text-xs text-stone-600">{label}</dt>
            <dd className="text-xl font-semibold" data-testid={`progress-${label.replace(/ /g, '-')}`}>{value}</dd>
          </div>
        ))}
      </dl>
      {p.participantCap !== null ? <p className="text-sm text-stone-600">Participant cap: {p.participantCap}</p> : null}

      <div className="space-y-2">
        <h3 className="font-medium">
          Observers per image: <span data-testid="progress-at-target">{p.images.atTarget}</span> of {p.images.total} images have {p.observersPerImage} accepted observers
        </h3>
        <ul className="max-h-72 space-y-1 overflow-y-auto text-sm" aria-label="Observers per image">
          {p.images.list.map((img) => (
            <li key={img.imageId} className="flex items-center gap-2">
              <span className="w-40 truncate" title={img.name}>{img.name}</span>
              <span className="relative h-3 flex-1 rounded bg-stone-200" aria-hidden>
                <span className="absolute inset-y-0 left-0 rounded bg-stone-400" style={{ width: `${Math.min(100, (100 * img.assigned) / p.observersPerImage)}%` }} />
                <span className="absolute inset-y-0 left-0 rounded bg-green-700" style={{ width: `${Math.min(100, (100 * img.accepted) / p.observersPerImage)}%` }} />
              </span>
              <span className="w-24 text-right tabular-nums">{img.accepted} / {p.observersPerImage}</span>
            </li>
          ))}
        </ul>
        <p className="text-xs text-stone-600">Green: accepted observers; grey: sessions holding the image (awaiting review or in progress), which balanced assignment also counts.</p>
      </div>

      <div className="space-y-2">
        <h3 className="font-medium">Validation accuracy</h3>
        <p className="text-sm text-stone-600">
          {p.accuracy.sessions} finished sessions · median {fmt(p.accuracy.medianDeg)}° · {p.accuracy.withinThreshold} within the {p.accuracy.thresholdDeg}° threshold
          {p.accuracy.noData > 0 ? ` · ${p.accuracy.noData} without a usable validation` : ''}
        </p>
        <div className="flex h-24 items-end gap-px" aria-label="Validation accuracy histogram" role="img">
          {p.accuracy.bins.map((b) => (
            <div key={b.fromDeg} className="flex-1" title={`${b.fromDeg}${b.toDeg === null ? '+' : `–${b.toDeg}`}°: ${b.count}`}>
              <div className={b.fromDeg < p.accuracy.thresholdDeg ? 'bg-green-700' : 'bg-amber-600'} style={{ height: `${(96 * b.count) / maxBin}px` }} />
            </div>
          ))}
        </div>
        <p className="flex justify-between text-xs text-stone-600"><span>0°</span><span>{p.accuracy.bins.at(-1)?.fromDeg ?? 8}°+</span></p>
      </div>

      <div className="space-y-2">
        <h3 className="font-medium">Convergence</h3>
        {p.convergence.length === 0 ? (
          <p className="text-sm text-stone-600">No density maps yet: the curve appears once images have accepted observers and their maps are computed.</p>
        ) : (
          p.convergence.map((c) => (
            <div key={c.modality} className="space-y-1">
              <p className="text-sm text-stone-600">
                {c.modality}: agreement (CC) between two independent groups of n observers, over {c.images} images
                {c.observersNeeded.n !== null ? ` · about ${c.observersNeeded.n} observers per group reach CC ${c.observersNeeded.target}${c.observersNeeded.extrapolated ? ' (extrapolated)' : ''}` : ''}
              </p>
              <table className="text-sm">
                <thead><tr><th className="pr-4 text-left">n</th><th className="pr-4 text-left">CC</th><th className="text-left">NSS</th></tr></thead>
                <tbody>
                  {c.curve.map((pt) => (
                    <tr key={pt.n}><td className="pr-4 tabular-nums">{pt.n}</td><td className="pr-4 tabular-nums">{fmt(pt.cc)}</td><td className="tabular-nums">{fmt(pt.nss)}</td></tr>
                  ))}
                </tbody>
              </table>
            </div>
          ))
        )}
        <p className="text-xs text-stone-600">Computed on the dataset&apos;s ground truth for this modality (every accepted observer, of this and other studies).</p>
      </div>
      {error ? <p className="text-sm text-amber-700" role="status">Refresh failed: {error}</p> : null}
    </div>
  );
}

export function ReviewTable({ id }: { id: string }) {
  const { data, error, reload } = usePolled<{ sessions: StudySessionRow[] }>(`/api/v1/studies/${id}/sessions`);
  const [actionError, setActionError] = useState<string | null>(null);
  async function decide(sessionId: string, decision: 'accepted' | 'rejected') {
    setActionError(null);
    try {
      await apiJson(`/api/v1/studies/${id}/sessions/${sessionId}`, { method: 'PATCH', json: { decision } });
      reload();
    } catch (err) {
      setActionError(errorText(err));
    }
  }
  if (!data) return <p className="text-sm text-stone-600">{error ?? 'Loading sessions…'}</p>;
  if (data.sessions.length === 0) return <p className="text-sm text-stone-600" data-testid="no-sessions">No sessions yet.</p>;
  return (
    <div className="space-y-2">
      {actionError ? <p className="text-sm text-red-700" role="alert">{actionError}</p> : null}
      <div className="overflow-x-auto">
        <table className="w-full text-sm" aria-label="Sessions">
          <thead className="text-left text-stone-600">
            <tr>
              <th className="py-1 pr-3">participant</th><th className="pr-3">modality</th><th className="pr-3">status</th><th className="pr-3">auto</th>
              <th className="pr-3">accuracy</th><th className="pr-3">sampling</th><th className="pr-3">face lost</th><th className="pr-3">attention</th>
              <th className="pr-3">trials</th><th className="pr-3">why not accepted</th><th>review</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-stone-200">
            {data.sessions.map((s) => (
              <tr key={s.id} data-testid="session-row">
                <td className="py-1 pr-3 font-mono">{s.observerLabel}</td>
                <td className="pr-3">{s.modality}</td>
                <td className="pr-3" data-testid="session-status">{s.status}</td>
                <td className="pr-3">{s.decision ?? '–'}</td>
                <td className="pr-3 tabular-nums">{fmt(s.quality?.validation.accuracyDeg)}°</td>
                <td className="pr-3 tabular-nums">{fmt(s.quality?.samplingRateHz, 1)} Hz</td>
                <td className="pr-3 tabular-nums">{fmt(s.quality?.faceLostPct, 1)} %</td>
                <td className="pr-3 tabular-nums">{s.quality ? `${s.quality.attention.passed}/${s.quality.attention.checks}` : '–'}</td>
                <td className="pr-3 tabular-nums">{s.quality ? `${s.quality.trials.completed}/${s.quality.trials.total}` : '–'}</td>
                <td className="pr-3 text-xs">{s.quality?.reasons.join('; ') ?? ''}</td>
                <td className="whitespace-nowrap">
                  {s.status === 'in_progress' ? <span className="text-stone-500">in progress</span> : (
                    <>
                      <button type="button" disabled={s.status === 'accepted'} onClick={() => decide(s.id, 'accepted')} className="mr-2 text-green-800 hover:underline disabled:text-stone-400 disabled:no-underline">Accept</button>
                      <button type="button" disabled={s.status === 'rejected'} onClick={() => decide(s.id, 'rejected')} className="text-red-800 hover:underline disabled:text-stone-400 disabled:no-underline">Reject</button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
