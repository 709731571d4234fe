/** Study rows → API bodies (lib/api/studies.ts). */
import type { z } from 'zod';
import type { StudyRow } from '@/db/queries/studies';
import { isOwner, type Actor } from '@/lib/auth/access';
import { StudyConfig } from '@/lib/studies/config';
import { allowedTransitions } from '@/lib/studies/lifecycle';
import type { StudyBody } from './studies';

export function studyLink(slug: string): string {
  return `/s/${slug}`;
}

export function presentStudy(row: StudyRow, dataset: { id: string; slug: string; name: string }, sessionsStarted: number, actor: Actor): z.infer<typeof StudyBody> {
  return {
    id: row.id, slug: row.slug, name: row.name, status: row.status, dataset: { id: dataset.id, slug: dataset.slug, name: dataset.name },
    mine: isOwner(actor, row), consentText: row.consentText, completionCode: row.completionCode, redirectUrl: row.redirectUrl,
    participantCap: row.participantCap, config: StudyConfig.parse(row.config), link: studyLink(row.slug), sessionsStarted,
    transitions: [...allowedTransitions(row.status)], createdAt: row.createdAt.toISOString(),
  };
}
