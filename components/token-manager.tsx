'use client';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { apiJson, errorText } from './api-client';

export interface TokenRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  lastUsedAt: string | null;
  revokedAt: string | null;
  createdAt: string;
}

function when(iso: string | null): string {
  return iso ? new Date(iso).toISOString().replace('T', ' ').slice(0, 16) + ' UTC' : 'never';
}

/** Create (the secret is shown once), list and revoke API tokens. */
export function TokenManager({ tokens }: { tokens: TokenRow[] }) {
  const router = useRouter();
  const [created, setCreated] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function create(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError(null);
    try {
      const scopes = form.get('write') === 'on' ? ['read', 'write'] : ['read'];
      const res = await apiJson<{ token: string }>('/api/v1/tokens', { json: { name: String(form.get('name') ?? ''), scopes } });
      setCreated(res.token);
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function revoke(id: string) {
    setError(null);
    try {
      await apiJson(`/api/v1/tokens/${id}`, { method: 'DELETE' });
      router.refresh();
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="space-y-6">
      <form onSubmit={create} className="flex flex-wrap items-end gap-3">
        <label className="space-y-1">
          <span className="block text-sm font-medium">Token name</span>
          <input name="name" required maxLength={100} placeholder="laptop CLI" className="rounded border border-stone-300 px-3 py-2" />
        </label>
        <label className="flex items-center gap-2 pb-2 text-sm">
          <input type="checkbox" name="write" /> may change things (write scope)
        </label>
        <button type="submit" className="rounded bg-stone-900 px-4 py-2 text-white">
          Create token
        </button>
      </form>
      {error ? (
        <p className="text-sm text-red-700" role="alert">
          {error}
        </p>
      ) : null}
      {created ? (
        <div className="space-y-1 rounded border border-amber-300 bg-amber-50 p-3" data-testid="new-token">
          <p className="text-sm font-medium">Copy this token now: it is not shown again.</p>
          <code className="block break-all text-sm">{created}</code>
        </div>
      ) : null}
      <table className="w-full text-left text-sm">
        <thead className="text-stone-500">
          <tr>
            <th className="py-1">Name</th>
            <th>Token</th>
            <th>Scopes</th>
            <th>Created</th>
            <th>Last used</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr key={t.id} className="border-t border-stone-200" data-testid="token-row">
              <td className="py-1">{t.name}</td>
              <td>
                <code>{t.prefix}…</code>
              </td>
              <td>{t.scopes.join(', ')}</td>
              <td>{when(t.createdAt)}</td>
              <td>{when(t.lastUsedAt)}</td>
              <td>
                {t.revokedAt ? (
                  <span className="text-stone-500">revoked {when(t.revokedAt)}</span>
                ) : (
                  <button type="button" className="text-red-700 hover:underline" onClick={() => revoke(t.id)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
