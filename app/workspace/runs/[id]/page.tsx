import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { canWrite } from '@/lib/auth/access';
import { actorOf, currentUser } from '@/lib/auth/current-user';
import { readableRun } from '@/lib/http/resources';
import { curveExpectation } from '@/lib/scoring/client-curves';
import { BrowserRunner } from './browser-runner';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Run in browser' };

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ queue?: string; autostart?: string }> };

/** The owner computes a run's missing maps in this browser (others get a 404, like the API). */
export default async function BrowserRunPage({ params, searchParams }: Props) {
  const { id } = await params;
  if (!z.uuid().safeParse(id).success) notFound();
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect(`/signin?next=/workspace/runs/${id}`);
  const actor = actorOf(user);
  const context = await readableRun(db, actor, id);
  if (!context || !canWrite(actor, context.run)) notFound();
  const { run, dataset, model } = context;
  const query = await searchParams;
  const queue = (query.queue ?? '').split(',').filter((q) => z.uuid().safeParse(q).success);
  return (
    <div className="space-y-6">
      <div className="space-y-1">
        <p className="text-sm text-stone-600"><Link href="/workspace" className="text-blue-700 hover:underline">Workspace</Link> / <Link href="/workspace/runs" className="text-blue-700 hover:underline">runs</Link></p>
        <h1 className="text-2xl font-semibold" data-testid="runner-title">{model.name} × {run.explainer} on {dataset.name}</h1>
        <p className="text-sm text-stone-700">
          {run.name} · params <code>{JSON.stringify(run.params)}</code> · target <code>{JSON.stringify(run.target)}</code> · {run.visibility}
        </p>
        <p className="text-sm">
          <Link href={`/runs/${run.id}`} className="text-blue-700 hover:underline">Run page (scores)</Link> ·{' '}
          <Link href={`/leaderboard/${dataset.slug}`} className="text-blue-700 hover:underline">{dataset.name} leaderboard</Link>
        </p>
      </div>
      <BrowserRunner
        run={{ id: run.id, explainer: run.explainer, params: run.params, target: run.target }}
        curveStep={curveExpectation(run, model)?.step ?? null}
        model={{ url: model.url, labels: model.labels }}
        leaderboard={`/leaderboard/${dataset.slug}`}
        queue={queue}
        autostart={query.autostart === '1'}
      />
    </div>
  );
}
