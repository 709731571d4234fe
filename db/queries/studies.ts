/**
 * Studies: creation (researcher workspace, tests, the demo seed), the public view of a study link,
 * the observer counts behind balanced assignment, and the researcher's quality table and review
 * decision. Config is validated by lib/studies/config on the way in.
 */
import { and, asc, count, desc, eq, gt, inArray, or, sql } from 'drizzle-orm';
import { enqueueRecomputeGroundTruthInTx } from '@/lib/jobs/ground-truth';
import { StudyConfig, type StudyConfigInput } from '@/lib/studies/config';
import { FlowError } from '@/lib/studies/errors';
import { canTransition, FROZEN_AFTER_START, type StudyStatus } from '@/lib/studies/lifecycle';
import type { Db } from '../client';
import { datasets, fixations, gazeSessions, images, studies, trials } from '../schema';

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

/** The row of a new study; its config is parsed whole (every default filled in) before storing. */
function studyValues(input: CreateStudyInput) {
  return {
    slug: input.slug,
    datasetId: input.datasetId,
    ownerId: input.ownerId ?? null,
    name: input.name,
    status: input.status ?? 'draft',
    consentText: input.consentText,
    config: StudyConfig.parse(input.config ?? {}),
    participantCap: input.participantCap ?? null,
    completionCode: input.completionCode ?? null,
    redirectUrl: input.redirectUrl ?? null,
  };
}

export async function createStudy(db: Db, input: CreateStudyInput): Promise<StudyRow> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(studies)
      .values(studyValues(input))
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

/** The lock startSession takes: study edits take it too, so no session starts halfway through one. */
async function lockStudy(tx: Db, slug: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`gazebench:study:${slug}`}))`);
}

/** Creates a study unless the slug is taken (undefined then). */
export async function createStudyIfFree(db: Db, input: CreateStudyInput): Promise<StudyRow | undefined> {
  const [row] = await db
    .insert(studies)
    .values(studyValues(input))
    .onConflictDoNothing({ target: studies.slug })
    .returning();
  return row;
}

/** Sessions ever started on the study: the rows still there plus the withdrawn ones. */
export async function sessionsStarted(db: Db, study: Pick<StudyRow, 'id' | 'withdrawnCount'>): Promise<number> {
  const [row] = await db.select({ n: count() }).from(gazeSessions).where(eq(gazeSessions.studyId, study.id));
  return Number(row?.n ?? 0) + study.withdrawnCount;
}

export interface StudyListItem extends StudyRow {
  datasetSlug: string;
  datasetName: string;
  started: number;
  accepted: number;
}

/** The studies `ownerId` owns, newest first, with their dataset and session counts. */
export async function listStudiesOwnedBy(db: Db, ownerId: string): Promise<StudyListItem[]> {
  const rows = await db
    .select({
      study: studies,
      datasetSlug: datasets.slug,
      datasetName: datasets.name,
      sessions: sql<number>`count(${gazeSessions.id})`.mapWith(Number),
      accepted: sql<number>`count(${gazeSessions.id}) filter (where ${gazeSessions.status} = 'accepted')`.mapWith(Number),
    })
    .from(studies)
    .innerJoin(datasets, eq(datasets.id, studies.datasetId))
    .leftJoin(gazeSessions, eq(gazeSessions.studyId, studies.id))
    .where(eq(studies.ownerId, ownerId))
    .groupBy(studies.id, datasets.id)
    .orderBy(desc(studies.createdAt), asc(studies.id));
  return rows.map((r) => ({ ...r.study, datasetSlug: r.datasetSlug, datasetName: r.datasetName, started: r.sessions + r.study.withdrawnCount, accepted: r.accepted }));
}

export interface StudyPatch {
  name?: string;
  status?: StudyStatus;
  consentText?: string;
  /** Top-level StudyConfig fields to replace; the merged config is validated whole. */
  config?: Record<string, unknown>;
  participantCap?: number | null;
  completionCode?: string | null;
  redirectUrl?: string | null;
}

/**
 * Applies a researcher's edit in one transaction, under the lock participants take to start a
 * session: a status change must be a legal transition (409 otherwise), and the config and consent
 * text are frozen once a session has started (409). A config that does not validate after
 * merging is 400 naming `config.<field>`.
 */
export async function updateStudy(db: Db, studyId: string, patch: StudyPatch): Promise<StudyRow> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(studies).where(eq(studies.id, studyId)).for('update');
    if (!current) throw new FlowError(404, 'not_found', 'study not found');
    await lockStudy(tx, current.slug);
    if (patch.status !== undefined && !canTransition(current.status, patch.status)) {
      throw new FlowError(409, 'illegal_transition', `a ${current.status} study cannot become ${patch.status}`, 'status');
    }
    const frozen = FROZEN_AFTER_START.find((k) => patch[k] !== undefined);
    if (frozen && (await sessionsStarted(tx, current)) > 0) {
      throw new FlowError(409, 'study_started', `participants have started this study: its ${frozen === 'config' ? 'configuration' : 'consent text'} can no longer change`, frozen);
    }
    let config = current.config;
    if (patch.config !== undefined) {
      const merged = StudyConfig.strict().safeParse({ ...StudyConfig.parse(current.config), ...patch.config });
      if (!merged.success) {
        const issue = merged.error.issues[0];
        throw new FlowError(400, 'invalid_request', issue?.message ?? 'invalid config', ['config', ...(issue?.path ?? [])].join('.'));
      }
      config = merged.data;
    }
    const [row] = await tx
      .update(studies)
      .set({
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.consentText !== undefined ? { consentText: patch.consentText } : {}),
        ...(patch.participantCap !== undefined ? { participantCap: patch.participantCap } : {}),
        ...(patch.completionCode !== undefined ? { completionCode: patch.completionCode } : {}),
        ...(patch.redirectUrl !== undefined ? { redirectUrl: patch.redirectUrl } : {}),
        config,
      })
      .where(eq(studies.id, current.id))
      .returning();
    if (!row) throw new Error('updateStudy: update returned nothing');
    return row;
  });
}

/** What the progress view is computed from: sessions by status, their accuracy, and per image its observers. */
export async function studyProgressRows(db: Db, study: Pick<StudyRow, 'id' | 'datasetId'>, now = new Date()) {
  const byStatus = await db
    .select({ status: gazeSessions.status, n: count() })
    .from(gazeSessions)
    .where(eq(gazeSessions.studyId, study.id))
    .groupBy(gazeSessions.status);
  const accuracy = await db
    .select({ accuracyDeg: sql<number | null>`(${gazeSessions.quality} #>> '{summary,validation,accuracyDeg}')::float8` })
    .from(gazeSessions)
    .where(and(eq(gazeSessions.studyId, study.id), sql`${gazeSessions.status} <> 'in_progress'`));
  const loads = await imageLoads(db, study, now);
  const accepted = await db
    .select({ imageId: trials.imageId, n: sql<number>`count(distinct ${gazeSessions.id})`.mapWith(Number) })
    .from(trials)
    .innerJoin(gazeSessions, eq(gazeSessions.id, trials.sessionId))
    .where(and(eq(gazeSessions.studyId, study.id), eq(gazeSessions.status, 'accepted'), eq(trials.kind, 'image'), eq(trials.status, 'complete')))
    .groupBy(trials.imageId);
  const names = await db.select({ id: images.id, name: images.name }).from(images).where(eq(images.datasetId, study.datasetId));
  const acceptedBy = new Map(accepted.map((a) => [a.imageId, a.n]));
  const nameBy = new Map(names.map((n) => [n.id, n.name]));
  return {
    byStatus: new Map(byStatus.map((r) => [r.status, Number(r.n)])),
    accuracy: accuracy.map((a) => (a.accuracyDeg === null ? null : Number(a.accuracyDeg))),
    images: loads.map((l) => ({ imageId: l.id, name: nameBy.get(l.id) ?? '', position: l.position, assigned: l.observers, accepted: acceptedBy.get(l.id) ?? 0 })),
  };
}
