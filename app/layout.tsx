import type { Metadata } from 'next';
import Link from 'next/link';
import { SignOutButton } from '@/components/sign-out-button';
import { getDb } from '@/db/client';
import { currentUser } from '@/lib/auth/current-user';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Gazebench', template: '%s · Gazebench' },
  description: 'Do explainable-AI saliency maps look where people look?',
};

/**
 * Every page renders per request: the header shows who is signed in, and the CSP nonce of
 * proxy.ts must reach Next.js's scripts. Signed-in pages get the session's CSRF token in
 * <meta name="csrf-token"> for components/api-client.ts.
 */
export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser(await getDb());
  return (
    <html lang="en">
      <head>{user ? <meta name="csrf-token" content={user.csrfToken} /> : null}</head>
      <body className="min-h-screen bg-stone-50 text-stone-900">
        <header className="border-b border-stone-200 bg-white">
          <nav className="mx-auto flex max-w-6xl items-center gap-6 px-4 py-3" aria-label="Main">
            <Link href="/" className="text-lg font-semibold tracking-tight">
              Gazebench
            </Link>
            <Link href="/#datasets" className="text-sm text-stone-600 hover:text-stone-900">
              Datasets
            </Link>
            <Link href="/explain" className="text-sm text-stone-600 hover:text-stone-900">
              Explain
            </Link>
            {user ? (
              <Link href="/workspace" className="text-sm text-stone-600 hover:text-stone-900">
                Workspace
              </Link>
            ) : null}
            <Link href="/api-docs" className="text-sm text-stone-600 hover:text-stone-900">
              API
            </Link>
            <span className="ml-auto flex items-center gap-4">
              {user ? (
                <>
                  <Link href="/account" className="text-sm text-stone-700 hover:text-stone-900" data-testid="signed-in-user">
                    {user.name || user.email}
                    {user.role === 'admin' ? <span className="ml-1 rounded bg-stone-200 px-1 text-xs">admin</span> : null}
                  </Link>
                  <SignOutButton />
                </>
              ) : (
                <>
                  <Link href="/signin" className="text-sm text-stone-600 hover:text-stone-900">
                    Sign in
                  </Link>
                  <Link href="/signup" className="rounded bg-stone-900 px-3 py-1 text-sm text-white">
                    Sign up
                  </Link>
                </>
              )}
            </span>
          </nav>
        </header>
        <main className="mx-auto max-w-6xl px-4 py-8">{children}</main>
        <footer className="mx-auto max-w-6xl px-4 py-8 text-xs text-stone-500">
          Gazebench is free software under GPL-3.0-or-later. Participants&apos; camera video never leaves their browser.
        </footer>
      </body>
    </html>
  );
}
