/**
 * Participant sessions of a study (issue 5): start with balanced assignment, token check, state
 * for resuming, chinrest geometry, validations, completion with the quality decision, and
 * withdrawal. Every write runs in one transaction; refusals are FlowErrors thrown inside it, so a
 * rejected request changes nothing. Trials and samples are in ./trials.
 *
 * Tokens: 32 random bytes, base64url, given to the participant once; only SHA-256 is stored.
 * External IDs: only HMAC-SHA256 with the server secret (lib/studies/external-id).
 * Starts in one study are serialised by a transaction-scoped advisory lock, so two participants
 * starting at once see each other's assignments and one external ID gets one session.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { and, asc, eq, sql } from 'drizzle-orm';
import { sha256Hex } from '@/lib/auth/access';
import { pixelsPerDegree, MAX_SCREEN_PPD, MIN_SCREEN_PPD } from '@/lib/gaze/geometry';
import { summariseQuality, type Decision, type QualitySummary, type ValidationRecord } from '@/lib/gaze/quality';
import type { TraceStats } from '@/lib/gaze/samples';
import { validationPassed, validationStats } from '@/lib/gaze/validation';
import { enqueueRecomputeGroundTruthInTx } from '@/lib/jobs/ground-truth';
import { createRandom } from '@/lib/random';
import { planTrials, seedFromUuid } from '@/lib/studies/assignment';
import { StudyConfig } from '@/lib/studies/config';
import type { ExternalIds, Geometry, GeometryRequest, ValidationRequest, ValidationResult } from '@/lib/studies/contract';
import { FlowError } from '@/lib/studies/errors';
import { externalIdHash } from '@/lib/studies/external-id';
import type { Db } from '../client';
import { gazeSessions, images, studies, trials } from '../schema';
import { assertStudyOpen, getStudyBySlug, sessionImageIds } from './studies';

/** Client and server pixels per degree may differ by this share before the geometry is refused. */
const PPD_TOLERANCE = 0.05;

export type SessionRow = typeof gazeSessions.$inferSelect;

/** What gaze_sessions.quality holds. */
export interface QualityDoc {
  validations: Array<ValidationRecord & { at: string; trialId?: string }>;
  summary?: QualitySummary;
  decision?: Decision;
  review?: { by: string; at: string; decision: 'accepted' | 'rejected' };
}

export function qualityDoc(session: Pick<SessionRow, 'quality'>): QualityDoc {
  const q = (session.quality ?? {}) as Partial<QualityDoc>;
  return { ...q, validations: Array.isArray(q.validations) ? q.validations : [] };
}

export function sessionConfig(session: Pick<SessionRow, 'config'>): StudyConfig {
  return StudyConfig.parse(session.config ?? {});
}

export async function startSession(
  db: Db,
  params: { slug: string; modality: 'webcam' | 'mouse'; externalIds?: ExternalIds; secret: string },
) {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`gazebench:study:${params.slug}`}))`);
    const study = await getStudyBySlug(tx, params.slug);
    const { config, loads } = await assertStudyOpen(tx, study);
    if (!study) throw new FlowError(404, 'not_found', 'study not found');
    if (config.modality !== 'both' && config.modality !== params.modality) {
      throw new FlowError(400, 'invalid_request', `this study records ${config.modality} gaze only`, 'modality');
    }
    const hash = params.externalIds ? externalIdHash(params.secret, study.id, params.externalIds) : null;
    if (hash) {
      const [existing] = await tx
        .select({ id: gazeSessions.id })
        .from(gazeSessions)
        .where(and(eq(gazeSessions.studyId, study.id), eq(gazeSessions.externalIdHash, hash)));
      if (existing) throw new FlowError(409, 'already_started', 'this participant has already started this study');
    }
    const sessionId = randomUUID();
    const plan = planTrials(loads, config, createRandom(seedFromUuid(sessionId)));
    const [last] = await tx
      .select({ n: sql<number>`coalesce(max(substring(${gazeSessions.observerLabel} from '^P([0-9]+)$')::int), 0)`.mapWith(Number) })
      .from(gazeSessions)
      .where(eq(gazeSessions.studyId, study.id));
    const token = randomBytes(32).toString('base64url');
    await tx.insert(gazeSessions).values({
      id: sessionId,
      datasetId: study.datasetId,
      modality: params.modality,
      observerLabel: `P${(last?.n ?? 0) + 1}`,
      externalIdHash: hash,
      status: 'in_progress',
      studyId: study.id,
      tokenHash: sha256Hex(token),
      config,
      quality: { validations: [] },
    });
    const rows = plan.map((p, position) => ({
      id: randomUUID(),
      sessionId,
      position,
      kind: p.kind,
      imageId: p.kind === 'drift' ? null : p.imageId,
      detail: p.kind === 'attention' ? { target: p.target, radiusDeg: config.attentionChecks.targetRadiusDeg } : null,
    }));
    if (rows.length > 0) await tx.insert(trials).values(rows);
    return { sessionId, token, modality: params.modality, config, trials: await sessionTrials(tx, sessionId) };
  });
}

/** The session whose id AND token hash match; anything else (forged token, another session's) → 403. */
export async function authorizeSession(db: Db, sessionId: string, token: string, lock = false): Promise<SessionRow> {
  const q = db
    .select()
    .from(gazeSessions)
    .where(and(eq(gazeSessions.id, sessionId), eq(gazeSessions.tokenHash, sha256Hex(token))));
  const [row] = lock ? await q.for('update') : await q;
  if (!row) throw new FlowError(403, 'forbidden', 'this token does not open this session');
  return row;
}

export function assertInProgress(session: SessionRow): void {
  if (session.status !== 'in_progress') throw new FlowError(409, 'session_closed', `this session is ${session.status}`);
}

export async function sessionTrials(db: Db, sessionId: string) {
  return db
    .select({
      id: trials.id,
      position: trials.position,
      kind: trials.kind,
      status: trials.status,
      imageId: trials.imageId,
      width: images.width,
      height: images.height,
      detail: trials.detail,
    })
    .from(trials)
    .leftJoin(images, eq(images.id, trials.imageId))
    .where(eq(trials.sessionId, sessionId))
    .orderBy(asc(trials.position));
}

/** Everything a reloaded page needs to resume. */
export async function sessionState(db: Db, sessionId: string, token: string) {
  const session = await authorizeSession(db, sessionId, token);
  const rows = await sessionTrials(db, session.id);
  const next = rows.find((t) => t.status === 'pending' || t.status === 'shown');
  return { session, trials: rows, nextTrialPosition: next ? next.position : null, geometry: sessionGeometry(session), validations: validationSummary(session) };
}

/**
 * The mouse alternative (or back): allowed while no trial has started and the study offers the
 * modality, so one session never mixes webcam and mouse data.
 */
export async function switchModality(db: Db, sessionId: string, token: string, modality: 'webcam' | 'mouse') {
  return db.transaction(async (tx) => {
    const session = await authorizeSession(tx, sessionId, token, true);
    assertInProgress(session);
    const config = sessionConfig(session);
    if (config.modality !== 'both' && config.modality !== modality) {
      throw new FlowError(400, 'invalid_request', `this study records ${config.modality} gaze only`, 'modality');
    }
    const [started] = await tx
      .select({ id: trials.id })
      .from(trials)
      .where(and(eq(trials.sessionId, session.id), sql`${trials.status} <> 'pending'`))
      .limit(1);
    if (started) throw new FlowError(409, 'trials_started', 'the modality cannot change once a trial has started');
    await tx.update(gazeSessions).set({ modality, updatedAt: new Date() }).where(eq(gazeSessions.id, session.id));
    return { modality };
  });
}

export function validationSummary(session: SessionRow) {
  const config = sessionConfig(session);
  const initial = qualityDoc(session).validations.filter((v) => v.kind === 'initial');
  const last = initial.at(-1);
  return {
    attempts: initial.length,
    passed: initial.some((v) => v.passed),
    attemptsLeft: last ? (last.passed ? config.maxCalibrationAttempts : Math.max(0, config.maxCalibrationAttempts - last.attempt)) : config.maxCalibrationAttempts,
    last: last ? toResult(last, config.maxCalibrationAttempts) : null,
  };
}

function toResult(v: ValidationRecord, maxAttempts: number): ValidationResult {
  return {
    kind: v.kind,
    attempt: v.attempt,
    accuracyDeg: v.accuracyDeg,
    precisionDeg: v.precisionDeg,
    withinRadiusPct: v.withinRadiusPct,
    samplingRateHz: v.samplingRateHz,
    passed: v.passed,
    attemptsLeft: v.kind === 'initial' && !v.passed ? Math.max(0, maxAttempts - v.attempt) : maxAttempts,
  };
}

/** Virtual-chinrest result: the server re-derives pixels per degree and refuses implausible figures. */
export async function saveGeometry(db: Db, sessionId: string, token: string, req: GeometryRequest): Promise<Geometry> {
  return db.transaction(async (tx) => {
    const session = await authorizeSession(tx, sessionId, token, true);
    assertInProgress(session);
    const ppd = pixelsPerDegree(req.pxPerMm, req.viewingDistanceMm);
    if (ppd < MIN_SCREEN_PPD || ppd > MAX_SCREEN_PPD) {
      throw new FlowError(400, 'invalid_request', `${ppd.toFixed(1)} px/° from pxPerMm and viewingDistanceMm is outside ${MIN_SCREEN_PPD}–${MAX_SCREEN_PPD}`, 'viewingDistanceMm');
    }
    if (Math.abs(req.screenPxPerDeg - ppd) > PPD_TOLERANCE * ppd) {
      throw new FlowError(400, 'invalid_request', `does not follow from pxPerMm and viewingDistanceMm (${ppd.toFixed(2)} px/°)`, 'screenPxPerDeg');
    }
    const geometry: Geometry = { ...req, screenPxPerDeg: ppd };
    await tx
      .update(gazeSessions)
      .set({ geometry: { ...geometry, clientScreenPxPerDeg: req.screenPxPerDeg }, updatedAt: new Date() })
      .where(eq(gazeSessions.id, session.id));
    return geometry;
  });
}

export function sessionGeometry(session: Pick<SessionRow, 'geometry'>): Geometry | null {
  const g = session.geometry as (Geometry & { clientScreenPxPerDeg?: number }) | null;
  if (!g) return null;
  const { clientScreenPxPerDeg: _client, ...rest } = g;
  return rest;
}

/** Validation statistics computed here from the samples; a drift check also completes its drift trial. */
export async function recordValidation(db: Db, sessionId: string, token: string, req: ValidationRequest): Promise<ValidationResult> {
  return db.transaction(async (tx) => {
    const session = await authorizeSession(tx, sessionId, token, true);
    assertInProgress(session);
    const config = sessionConfig(session);
    const geometry = sessionGeometry(session);
    if (!geometry) throw new FlowError(409, 'geometry_required', 'send the screen geometry (virtual chinrest) first');
    if (req.kind === 'initial') {
      if (req.points.length < config.validationPoints) {
        throw new FlowError(400, 'invalid_request', `this study validates with ${config.validationPoints} points`, 'points');
      }
      if (req.attempt > config.maxCalibrationAttempts) {
        throw new FlowError(400, 'invalid_request', `at most ${config.maxCalibrationAttempts} calibration attempts`, 'attempt');
      }
    }
    let driftTrialId: string | undefined;
    if (req.kind === 'drift') {
      if (!req.trialId) throw new FlowError(400, 'invalid_request', 'a drift check names its drift trial', 'trialId');
      const [trial] = await tx
        .select()
        .from(trials)
        .where(and(eq(trials.id, req.trialId), eq(trials.sessionId, session.id)))
        .for('update');
      if (!trial || trial.kind !== 'drift') throw new FlowError(400, 'invalid_request', 'not a drift trial of this session', 'trialId');
      if (trial.status === 'complete') throw new FlowError(409, 'trial_complete', 'this drift check is already recorded');
      driftTrialId = trial.id;
    }
    const stats = validationStats(req.points, { pxPerMm: geometry.pxPerMm, viewingDistanceMm: geometry.viewingDistanceMm, viewport: geometry.window }, config.validationRadiusDeg);
    const threshold = req.kind === 'initial' ? config.validationThresholdDeg : config.driftThresholdDeg;
    const record: ValidationRecord = {
      kind: req.kind,
      attempt: req.attempt,
      accuracyDeg: stats.accuracyDeg,
      precisionDeg: stats.precisionDeg,
      withinRadiusPct: stats.withinRadiusPct,
      samplingRateHz: stats.samplingRateHz,
      passed: validationPassed(stats, threshold),
    };
    const doc = qualityDoc(session);
    doc.validations.push({ ...record, at: new Date().toISOString(), ...(driftTrialId ? { trialId: driftTrialId } : {}) });
    await tx.update(gazeSessions).set({ quality: { ...doc }, updatedAt: new Date() }).where(eq(gazeSessions.id, session.id));
    if (driftTrialId) {
      await tx
        .update(trials)
        .set({ status: 'complete', completedAt: new Date(), passed: record.passed, detail: { drift: record } })
        .where(eq(trials.id, driftTrialId));
    }
    return toResult(record, config.maxCalibrationAttempts);
  });
}

export interface CompletionResult {
  quality: QualitySummary;
  decision: Decision;
  completionCode?: string;
  redirectUrl?: string;
}

/**
 * Ends the session: quality summary, automatic decision, status; pending trials become skipped.
 * Accepted sessions enqueue their images' ground-truth recompute in the same transaction.
 * Completing again returns the stored result.
 */
export async function completeSession(db: Db, sessionId: string, token: string): Promise<CompletionResult> {
  return db.transaction(async (tx) => {
    const session = await authorizeSession(tx, sessionId, token, true);
    const [study] = session.studyId ? await tx.select().from(studies).where(eq(studies.id, session.studyId)) : [];
    const extras = {
      ...(study?.completionCode ? { completionCode: study.completionCode } : {}),
      ...(study?.redirectUrl ? { redirectUrl: study.redirectUrl } : {}),
    };
    const doc = qualityDoc(session);
    if (session.status !== 'in_progress') {
      if (!doc.summary || !doc.decision) throw new FlowError(409, 'session_closed', `this session is ${session.status}`);
      return { quality: doc.summary, decision: doc.decision, ...extras };
    }
    const config = sessionConfig(session);
    const rows = await tx.select().from(trials).where(eq(trials.sessionId, session.id)).orderBy(asc(trials.position));
    const { quality, decision } = summariseQuality({
      modality: session.modality === 'mouse' ? 'mouse' : 'webcam',
      validations: doc.validations,
      trials: rows.map((t) => ({
        kind: t.kind as 'image' | 'attention' | 'drift',
        complete: t.status === 'complete',
        stats: (t.detail?.stats as TraceStats | undefined) ?? null,
        attentionPassed: t.kind === 'attention' && t.status === 'complete' ? t.passed : null,
      })),
      rules: config.autoAccept,
      partialCompletion: config.partialCompletion,
    });
    const partial = rows.some((t) => t.kind === 'image' && t.status !== 'complete');
    const status = decision === 'accepted' ? 'accepted' : decision === 'pending_review' ? 'completed' : partial ? 'ended' : 'rejected';
    await tx.update(trials).set({ status: 'skipped' }).where(and(eq(trials.sessionId, session.id), eq(trials.status, 'pending')));
    await tx
      .update(gazeSessions)
      .set({ status, quality: { ...doc, summary: quality, decision }, completedAt: new Date(), updatedAt: new Date() })
      .where(eq(gazeSessions.id, session.id));
    if (status === 'accepted') {
      const ids = await sessionImageIds(tx, session.id);
      await enqueueRecomputeGroundTruthInTx(tx, ids.map((imageId) => ({ imageId, modality: session.modality })));
    }
    return { quality, decision, ...extras };
  });
}

/**
 * Withdrawal: the session row and everything under it (trials, sample batches, fixations —
 * foreign keys cascade) are deleted in one transaction; when its data were in ground truth the
 * affected maps are recomputed (enqueued in the same transaction).
 */
export async function withdrawSession(db: Db, sessionId: string, token: string): Promise<{ images: number }> {
  return db.transaction(async (tx) => {
    const session = await authorizeSession(tx, sessionId, token, true);
    const ids = session.status === 'accepted' ? await sessionImageIds(tx, session.id) : [];
    await tx.delete(gazeSessions).where(eq(gazeSessions.id, session.id));
    if (session.studyId) {
      await tx.update(studies).set({ withdrawnCount: sql`${studies.withdrawnCount} + 1` }).where(eq(studies.id, session.studyId));
    }
    await enqueueRecomputeGroundTruthInTx(tx, ids.map((imageId) => ({ imageId, modality: session.modality })));
    return { images: ids.length };
  });
}
