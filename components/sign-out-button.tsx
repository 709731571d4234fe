'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { apiJson, errorText } from './api-client';

export function SignOutButton() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  return (
    <button
      type="button"
      className="text-sm text-stone-600 hover:text-stone-900"
      title={error ?? undefined}
      onClick={async () => {
        try {
          await apiJson('/api/v1/auth/signout', { method: 'POST' });
          router.push('/');
          router.refresh();
        } catch (e) {
          setError(errorText(e));
        }
      }}
    >
      Sign out
    </button>
  );
}
