/**
 * Studies: creation (researcher workspace, tests, the demo seed), the public view of a study link,
 * the observer counts behind balanced assignment, and the researcher's quality table and review
 * decision. Config is validated by lib/studies/config on the way in.
 */
import { and, asc, count, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import { enqueueRecomputeGroundTruthInTx } from '@/lib/jobs/ground-truth';
import { StudyConfig, type StudyConfigInput } from '@/lib/studies/config';
import { FlowError } from '@/lib/studies/errors';
import type { Db } from '../client';
import { fixations, gazeSessions, images, studies, trials } from '../schema';

/** An in-progress session holds its images for this long; after that it no longer counts. */
export const SESSION_HOLD_MS = 2 * 60 * 60 * 1000;
/** Session statuses that count as an observer of their images (awaiting review counts). */
export const COUNTED_STATUSES = ['accepted', 'completed'] as const;

export interface CreateStudyInput {
  slug: string;
  datasetId: string;
  ownerId?: string | null;
  name: string;
  status?: 'draft' | 'open' | 'paused' | 'closed';
  consentText: string;
  config?: StudyConfigInput;
  participantCap?: number | null;
  completionCode?: string | null;
  redirectUrl?: string | null;
}

export type StudyRow = typeof studies.$inferSelect;

export async function createStudy(db: Db, input: CreateStudyInput): Promise<StudyRow> {
  const config = StudyConfig.parse(input.config ?? {});
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(studies)
      .values({
        slug: input.slug,
        datasetId: input.datasetId,
        ownerId: input.ownerId ?? null,
        name: input.name,
        status: input.status ?? 'draft',
        consentText: input.consentText,
        config,
        participantCap: input.participantCap ?? null,
        completionCode: input.completionCode ?? null,
        redirectUrl: input.redirectUrl ?? null,
      })
      .returning();
    if (!row) throw new Error('createStudy: insert returned nothing');
    return row;
  });
}

export async function getStudyBySlug(db: Db, slug: string): Promise<StudyRow | undefined> {
  return (await db.select().from(studies).where(eq(studies.slug, slug)).limit(1))[0];
}

export async function getStudyById(db: Db, id: string): Promise<StudyRow | undefined> {
  return (await db.select().from(studies).where(eq(studies.id, id)).limit(1))[0];
}

/** Sessions of a study that hold observer slots: counted statuses, plus recent in-progress ones. */
function holdsSlot(now: Date) {
  return or(
    inArray(gazeSessions.status, [...COUNTED_STATUSES]),
    and(eq(gazeSessions.status, 'in_progress'), gt(gazeSessions.createdAt, new Date(now.getTime() - SESSION_HOLD_MS))),
  );
}

/** Every image of the study's dataset with its number of observers in this study. */
export async function imageLoads(db: Db, study: Pick<StudyRow, 'id' | 'datasetId'>, now = new Date()) {
  return db
    .select({
      id: images.id,
      position: images.position,
      width: images.width,
      height: images.height,
      observers: sql<number>`count(distinct ${gazeSessions.id})`.mapWith(Number),
    })
    .from(images)
    .leftJoin(trials, and(eq(trials.imageId, images.id), eq(trials.kind, 'image')))
    .leftJoin(gazeSessions, and(eq(gazeSessions.id, trials.sessionId), eq(gazeSessions.studyId, study.id), holdsSlot(now)))
    .where(eq(images.datasetId, study.datasetId))
    .groupBy(images.id)
    .orderBy(asc(images.position), asc(images.id));
}

export async function sessionsHoldingSlots(db: Db, studyId: string, now = new Date()): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(gazeSessions)
    .where(and(eq(gazeSessions.studyId, studyId), holdsSlot(now)));
  return Number(row?.n ?? 0);
}

/**
 * Whether a participant may start: 404 for an unknown or draft study, 409 when paused, closed or
 * full (participant cap reached, or every image has its target number of observers).
 */
export async function assertStudyOpen(db: Db, study: StudyRow | undefined, now = new Date()) {
  if (!study || study.status === 'draft') throw new FlowError(404, 'not_found', 'study not found');
  if (study.status !== 'open') throw new FlowError(409, `study_${study.status}`, `this study is ${study.status}`);
  const config = StudyConfig.parse(study.config);
  if (study.participantCap !== null && (await sessionsHoldingSlots(db, study.id, now)) >= study.participantCap) {
    throw new FlowError(409, 'study_full', 'this study has all the participants it needs');
  }
  const loads = await imageLoads(db, study, now);
  if (loads.length === 0 || loads.every((l) => l.observers >= config.observersPerImage)) {
    throw new FlowError(409, 'study_full', 'every image of this study has its observers');
  }
  return { config, loads };
}

export async function listStudySessions(db: Db, studyId: string) {
  return db
    .select({
      id: gazeSessions.id,
      observerLabel: gazeSessions.observerLabel,
      modality: gazeSessions.modality,
      status: gazeSessions.status,
      quality: gazeSessions.quality,
      reviewDecision: gazeSessions.reviewDecision,
      createdAt: gazeSessions.createdAt,
      completedAt: gazeSessions.completedAt,
    })
    .from(gazeSessions)
    .where(eq(gazeSessions.studyId, studyId))
    .orderBy(desc(gazeSessions.createdAt));
}

/** Images a session contributed fixations to (the maps to recompute when it enters or leaves ground truth). */
export async function sessionImageIds(db: Db, sessionId: string): Promise<string[]> {
  const rows = await db.selectDistinct({ imageId: fixations.imageId }).from(fixations).where(eq(fixations.sessionId, sessionId));
  return rows.map((r) => r.imageId);
}

/**
 * Researcher override of the automatic decision. A session moving into or out of 'accepted'
 * changes ground truth: its images' maps are recomputed (enqueued in the same transaction).
 */
export async function setReviewDecision(db: Db, params: { studyId: string; sessionId: string; decision: 'accepted' | 'rejected'; by: string }) {
  return db.transaction(async (tx) => {
    const [s] = await tx
      .select()
      .from(gazeSessions)
      .where(and(eq(gazeSessions.id, params.sessionId), eq(gazeSessions.studyId, params.studyId)))
      .for('update');
    if (!s) throw new FlowError(404, 'not_found', 'session not found');
    if (s.status === 'in_progress') throw new FlowError(409, 'session_in_progress', 'the participant has not finished this session yet');
    const quality = { ...(s.quality ?? {}), review: { by: params.by, at: new Date().toISOString(), decision: params.decision } };
    await tx
      .update(gazeSessions)
      .set({ status: params.decision, reviewDecision: params.decision, quality, updatedAt: new Date() })
      .where(eq(gazeSessions.id, s.id));
    if ((s.status === 'accepted') !== (params.decision === 'accepted')) {
      const ids = await sessionImageIds(tx, s.id);
      await enqueueRecomputeGroundTruthInTx(tx, ids.map((imageId) => ({ imageId, modality: s.modality })));
    }
    return { id: s.id, status: params.decision, reviewDecision: params.decision };
  });
}
