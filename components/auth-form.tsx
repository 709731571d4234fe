'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState, type FormEvent } from 'react';
import { ApiError, apiJson } from './api-client';

/** Sign-in and sign-up: field errors from the API appear under their field. */
export function AuthForm({ mode, next }: { mode: 'signin' | 'signup'; next: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field?: string; detail: string } | null>(null);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const json: Record<string, string> = { email: String(form.get('email') ?? '').trim(), password: String(form.get('password') ?? '') };
    if (mode === 'signup') json.name = String(form.get('name') ?? '');
    setBusy(true);
    setError(null);
    try {
      await apiJson(`/api/v1/auth/${mode}`, { json });
      router.push(next);
      router.refresh();
    } catch (err) {
      setError(err instanceof ApiError ? { field: err.field, detail: err.message } : { detail: String(err) });
      setBusy(false);
    }
  }

  const fieldError = (field: string) =>
    error?.field === field ? (
      <p className="text-sm text-red-700" role="alert">
        {error.detail}
      </p>
    ) : null;
  const input = 'w-full rounded border border-stone-300 px-3 py-2';
  return (
    <form onSubmit={submit} className="max-w-sm space-y-4" noValidate>
      {mode === 'signup' ? (
        <label className="block space-y-1">
          <span className="text-sm font-medium">Name (optional)</span>
          <input name="name" autoComplete="name" className={input} />
          {fieldError('name')}
        </label>
      ) : null}
      <label className="block space-y-1">
        <span className="text-sm font-medium">Email</span>
        <input name="email" type="email" autoComplete="email" required className={input} />
        {fieldError('email')}
      </label>
      <label className="block space-y-1">
        <span className="text-sm font-medium">Password</span>
        <input name="password" type="password" autoComplete={mode === 'signup' ? 'new-password' : 'current-password'} required minLength={mode === 'signup' ? 10 : 1} className={input} />
        {mode === 'signup' ? <span className="text-xs text-stone-500">At least 10 characters.</span> : null}
        {fieldError('password')}
      </label>
      {error && !['name', 'email', 'password'].includes(error.field ?? '') ? (
        <p className="text-sm text-red-700" role="alert">
          {error.detail}
        </p>
      ) : null}
      <button type="submit" disabled={busy} className="rounded bg-stone-900 px-4 py-2 text-white disabled:opacity-50">
        {mode === 'signup' ? 'Create account' : 'Sign in'}
      </button>
      <p className="text-sm text-stone-600">
        {mode === 'signup' ? (
          <>
            Already have an account? <Link href="/signin" className="text-blue-700 hover:underline">Sign in</Link>
          </>
        ) : (
          <>
            New here? <Link href="/signup" className="text-blue-700 hover:underline">Create an account</Link>
          </>
        )}
      </p>
    </form>
  );
}
