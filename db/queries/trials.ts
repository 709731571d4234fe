/**
 * Trials of a participant session: start (the image's on-screen rectangle → image pixels per
 * degree), completion (fixation detection) and the trial image. Sample ingestion is ./samples.
 */
import { and, asc, eq } from 'drizzle-orm';
import { detectFixations } from '@/lib/gaze/fixations';
import { imagePixelsPerDegree, keepsAspect } from '@/lib/gaze/geometry';
import { attentionPassed } from '@/lib/gaze/quality';
import { decodeSamples, traceStats, type StoredSample } from '@/lib/gaze/samples';
import type { TrialCompleteRequest, TrialStartRequest } from '@/lib/studies/contract';
import { FlowError } from '@/lib/studies/errors';
import type { Db } from '../client';
import { fixations, images, sampleBatches, trials } from '../schema';
import { forgetIngestContexts, notThisSession, type TrialRect } from './samples';
import { assertInProgress, authorizeSession, sessionConfig, sessionGeometry, validationSummary } from './sessions';

/** Samples up to this long after the viewing period still belong to the trial (page timing slack), ms. */
const VIEWING_GRACE_MS = 250;

async function lockTrial(tx: Db, sessionId: string, trialId: string) {
  const [row] = await tx
    .select({ trial: trials, image: images })
    .from(trials)
    .leftJoin(images, eq(images.id, trials.imageId))
    .where(and(eq(trials.id, trialId), eq(trials.sessionId, sessionId)))
    .for('update', { of: trials });
  if (!row) throw notThisSession();
  return row;
}

/**
 * The image is on screen: store its rectangle and the trial's image pixels per degree. Starting a
 * trial again (a reload) drops the samples of the earlier showing, which used another rectangle.
 */
export async function startTrial(db: Db, sessionId: string, token: string, trialId: string, req: TrialStartRequest) {
  return db.transaction(async (tx) => {
    const session = await authorizeSession(tx, sessionId, token, true);
    assertInProgress(session);
    const { trial, image } = await lockTrial(tx, session.id, trialId);
    if (trial.kind === 'drift' || !image) throw new FlowError(409, 'drift_trial', 'a drift trial has no image: post its validation instead');
    if (trial.status === 'complete' || trial.status === 'skipped') throw new FlowError(409, 'trial_complete', `this trial is ${trial.status}`);
    const geometry = sessionGeometry(session);
    if (!geometry) throw new FlowError(409, 'geometry_required', 'send the screen geometry (virtual chinrest) first');
    if (session.modality === 'webcam' && !validationSummary(session).passed) {
      throw new FlowError(409, 'validation_required', 'no calibration has passed validation yet');
    }
    if (!keepsAspect(req.rect, image)) throw new FlowError(400, 'invalid_request', "the rectangle does not keep the image's aspect ratio", 'rect');
    const ppd = imagePixelsPerDegree(geometry.screenPxPerDeg, req.rect, image);
    const rect: TrialRect = { ...req.rect, viewportWidth: req.viewport.width, viewportHeight: req.viewport.height, shownAt: req.shownAt };
    if (trial.status === 'shown') {
      await tx.delete(sampleBatches).where(eq(sampleBatches.trialId, trial.id));
      forgetIngestContexts(session.id, trial.id);
    }
    await tx.update(trials).set({ status: 'shown', rect: { ...rect }, pixelsPerDegree: ppd, startedAt: new Date() }).where(eq(trials.id, trial.id));
    return { trialId: trial.id, pixelsPerDegree: ppd };
  });
}

/** All samples of a trial in time order, repeated times dropped. */
async function trialSamples(tx: Db, trialId: string): Promise<StoredSample[]> {
  const batches = await tx.select({ samples: sampleBatches.samples }).from(sampleBatches).where(eq(sampleBatches.trialId, trialId)).orderBy(asc(sampleBatches.seq));
  const all = batches.flatMap((b) => decodeSamples(b.samples)).sort((a, b) => a.t - b.t);
  return all.filter((s, i) => i === 0 || s.t !== (all[i - 1] as StoredSample).t);
}

/**
 * The trial is over: fixations are detected on its samples within the viewing period and stored in
 * image pixels (start relative to image onset). Attention trials are judged from the gaze and
 * store no fixations (the sentinel's target draws the eye; it is not free viewing). Mouse sessions
 * skip their drift trials here (webcam sessions answer them with a drift validation). Completing
 * again returns the stored result.
 */
export async function completeTrial(db: Db, sessionId: string, token: string, trialId: string, req: TrialCompleteRequest) {
  return db.transaction(async (tx) => {
    const session = await authorizeSession(tx, sessionId, token, true);
    const { trial, image } = await lockTrial(tx, session.id, trialId);
    if (trial.status === 'complete') {
      return { fixations: Number(trial.detail?.fixations ?? 0), ...(trial.kind === 'attention' ? { passed: trial.passed ?? false } : {}) };
    }
    assertInProgress(session);
    if (trial.kind === 'drift' && session.modality === 'mouse') {
      // A cursor has no calibration to drift: mouse sessions skip their drift checks.
      await tx.update(trials).set({ status: 'skipped', completedAt: new Date() }).where(eq(trials.id, trial.id));
      return { fixations: 0 };
    }
    if (trial.kind === 'drift' || !image) throw new FlowError(409, 'drift_trial', 'a drift trial is completed by its validation');
    if (trial.status !== 'shown' || !trial.rect || trial.pixelsPerDegree === null) {
      throw new FlowError(409, 'trial_not_started', 'this trial was never started');
    }
    const config = sessionConfig(session);
    const rect = trial.rect as unknown as TrialRect;
    const end = rect.shownAt + config.viewingMs + VIEWING_GRACE_MS;
    const samples = (await trialSamples(tx, trial.id)).filter((s) => s.t >= rect.shownAt && s.t <= end);
    const stats = traceStats(samples);
    const ppd = trial.pixelsPerDegree;
    let found = 0;
    let passed: boolean | undefined;
    if (trial.kind === 'attention') {
      const target = trial.detail?.target as { x: number; y: number };
      const radiusDeg = Number(trial.detail?.radiusDeg ?? config.attentionChecks.targetRadiusDeg);
      passed = attentionPassed(samples, target, radiusDeg * ppd);
    } else {
      const fx = detectFixations(samples, ppd, config.fixationDetection);
      found = fx.length;
      if (fx.length > 0) {
        await tx.insert(fixations).values(
          fx.map((f) => ({
            sessionId: session.id,
            imageId: image.id,
            trialId: trial.id,
            x: f.x,
            y: f.y,
            startMs: f.startMs - rect.shownAt,
            durationMs: f.durationMs,
            sampleCount: f.samples,
          })),
        );
      }
    }
    const detail = { ...(trial.detail ?? {}), stats, fixations: found, ...(req.attention ? { clientAttention: req.attention.passed } : {}) };
    await tx
      .update(trials)
      .set({ status: 'complete', completedAt: new Date(), detail, ...(passed === undefined ? {} : { passed }) })
      .where(eq(trials.id, trial.id));
    return { fixations: found, ...(passed === undefined ? {} : { passed }) };
  });
}

/** The image of one of the session's trials (for the participant page). */
export async function trialImage(db: Db, sessionId: string, token: string, trialId: string) {
  const session = await authorizeSession(db, sessionId, token);
  const [row] = await db
    .select({ sha256: images.sha256, mimeType: images.mimeType })
    .from(trials)
    .innerJoin(images, eq(images.id, trials.imageId))
    .where(and(eq(trials.id, trialId), eq(trials.sessionId, session.id)));
  if (!row) throw notThisSession();
  return row;
}
