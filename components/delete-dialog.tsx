'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiJson, errorText } from './api-client';

/** Deletion after a typed confirmation: the slug must be typed again (the API checks it too). */
export function DeleteDialog({ kind, slug, endpoint, consequences }: { kind: string; slug: string; endpoint: string; consequences: string }) {
  const router = useRouter();
  const [typed, setTyped] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <section className="space-y-3 rounded border border-red-200 bg-red-50 p-4" aria-labelledby="delete-heading">
      <h2 id="delete-heading" className="font-semibold text-red-900">
        Delete this {kind}
      </h2>
      <p className="text-sm text-red-900">{consequences} This cannot be undone.</p>
      <label className="block space-y-1 text-sm">
        <span>
          Type <code className="font-semibold">{slug}</code> to confirm
        </span>
        <input value={typed} onChange={(e) => setTyped(e.target.value)} aria-label={`Type ${slug} to confirm`} className="block rounded border border-red-300 px-3 py-2" />
      </label>
      {error ? (
        <p className="text-sm text-red-700" role="alert">
          {error}
        </p>
      ) : null}
      <button
        type="button"
        disabled={typed !== slug || busy}
        className="rounded bg-red-700 px-4 py-2 text-white disabled:opacity-40"
        onClick={async () => {
          setBusy(true);
          setError(null);
          try {
            await apiJson(`${endpoint}?confirm=${encodeURIComponent(typed)}`, { method: 'DELETE' });
            router.push('/workspace');
            router.refresh();
          } catch (e) {
            setError(errorText(e));
            setBusy(false);
          }
        }}
      >
        Delete {kind}
      </button>
    </section>
  );
}
