import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound, redirect } from 'next/navigation';
import { ReviewTable, ShareLinks, StudyProgress, StudyStatusControls } from '@/components/study-dashboard';
import { getDb } from '@/db/client';
import { getDatasetById } from '@/db/queries/datasets';
import { getStudyBySlug, sessionsStarted } from '@/db/queries/studies';
import { canWrite } from '@/lib/auth/access';
import { actorOf, currentUser } from '@/lib/auth/current-user';
import { StudyConfig } from '@/lib/studies/config';
import { allowedTransitions } from '@/lib/studies/lifecycle';

export const dynamic = 'force-dynamic';

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Study ${(await params).slug}` };
}

export default async function WorkspaceStudyPage({ params }: Props) {
  const { slug } = await params;
  const db = await getDb();
  const user = await currentUser(db);
  if (!user) redirect(`/signin?next=/workspace/studies/${encodeURIComponent(slug)}`);
  const study = await getStudyBySlug(db, slug);
  // Studies are private to their owner and admins.
  if (!study || !canWrite(actorOf(user), { ownerId: study.ownerId })) notFound();
  const [dataset, started] = await Promise.all([getDatasetById(db, study.datasetId), sessionsStarted(db, study)]);
  const c = StudyConfig.parse(study.config);
  const settings: [string, string][] = [
    ['Images per participant', String(c.imagesPerParticipant)],
    ['Target observers per image', String(c.observersPerImage)],
    ['Viewing time', `${c.viewingMs} ms`],
    ['Fixation cross', `${c.fixationCross}, ${c.fixationCrossMs} ms`],
    ['Calibration', `${c.calibrationPoints} points (${c.calibrationMode})`],
    ['Validation threshold', `${c.validationThresholdDeg}°`],
    ['Drift check', c.driftEvery > 0 ? `every ${c.driftEvery} images` : 'none'],
    ['Attention checks', c.attentionChecks.every > 0 ? `every ${c.attentionChecks.every} images` : 'none'],
    ['Modality', c.modality],
    ['Participant cap', study.participantCap === null ? 'none' : String(study.participantCap)],
    ['Completion code', study.completionCode ?? 'none'],
    ['Redirect URL', study.redirectUrl ?? 'none'],
  ];
  return (
    <div className="space-y-8">
      <div className="space-y-1">
        <p className="text-sm text-stone-600"><Link href="/workspace" className="text-blue-700 hover:underline">Workspace</Link> / studies</p>
        <h1 className="text-2xl font-semibold" data-testid="study-name">{study.name}</h1>
        <p className="text-sm text-stone-600">
          Dataset{' '}
          {dataset ? <Link href={`/workspace/datasets/${dataset.slug}`} className="text-blue-700 hover:underline">{dataset.name}</Link> : '–'} · created{' '}
          {study.createdAt.toISOString().slice(0, 10)}
        </p>
      </div>
      <section className="space-y-3" aria-labelledby="status-heading">
        <h2 id="status-heading" className="text-xl font-semibold">Status</h2>
        <StudyStatusControls id={study.id} status={study.status} transitions={[...allowedTransitions(study.status)]} />
        <p className="max-w-2xl text-sm text-stone-600">
          A draft&apos;s link is not live yet. Open to let participants in; pause to turn new participants away (those already in can
          finish); close when you are done — a closed study never reopens.
        </p>
      </section>
      <section className="space-y-3" aria-labelledby="share-heading">
        <h2 id="share-heading" className="text-xl font-semibold">Share</h2>
        <ShareLinks slug={study.slug} />
      </section>
      <section className="space-y-3" aria-labelledby="progress-heading">
        <h2 id="progress-heading" className="text-xl font-semibold">Progress</h2>
        <StudyProgress id={study.id} />
      </section>
      <section className="space-y-3" aria-labelledby="review-heading">
        <h2 id="review-heading" className="text-xl font-semibold">Review</h2>
        <p className="max-w-2xl text-sm text-stone-600">
          Sessions that meet the auto-accept rules are accepted, others wait for you. Accepting or rejecting changes the ground truth:
          the affected images&apos; density maps are recomputed.
        </p>
        <ReviewTable id={study.id} />
      </section>
      <section className="space-y-3" aria-labelledby="settings-heading">
        <h2 id="settings-heading" className="text-xl font-semibold">Settings</h2>
        <dl className="grid max-w-2xl grid-cols-2 gap-x-6 gap-y-1 text-sm">
          {settings.map(([k, v]) => (
            <div key={k} className="contents"><dt className="text-stone-600">{k}</dt><dd className="break-all">{v}</dd></div>
          ))}
        </dl>
        <details className="max-w-2xl text-sm">
          <summary className="cursor-pointer">Consent text</summary>
          <p className="mt-2 whitespace-pre-wrap">{study.consentText}</p>
        </details>
        <p className="max-w-2xl text-sm text-stone-600">
          {started > 0
            ? `${started} sessions have started: the configuration and consent text are frozen so that every participant sees the same study.`
            : 'No session has started yet: the configuration can still change (PATCH /api/v1/studies/{id}).'}
        </p>
      </section>
    </div>
  );
}
