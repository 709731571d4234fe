import type { Metadata } from 'next';
import Link from 'next/link';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Gazebench', template: '%s · Gazebench' },
  description: 'Do explainable-AI saliency maps look where people look?',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
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
