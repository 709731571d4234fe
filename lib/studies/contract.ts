/**
 * Participant API contract (issue 5; prose in gaze-contract.md): the zod schemas of every request
 * and response of the participant flow. The single source of truth: the route handlers under
 * app/api/v1/{studies,sessions} validate with these, and the participant pages (app/s/**) import
 * the same schemas and types. Pure zod, no server imports.
 *
 * Conventions
 * - Participant requests carry the per-session secret in the `X-Session-Token` header (never a
 *   cookie, never in a URL). Forged token or another session's token → 403.
 * - Screen coordinates are CSS pixels of the viewport (clientX/clientY); times are milliseconds on
 *   the page's `performance.now()` clock — the same clock for samples, `shownAt` and validations.
 * - Gaze sample on the wire: `[t_ms, x, y, flags]`; flags bit 1 (value 2, FLAG_FACE_LOST) = the
 *   face was lost, x and y are ignored (send 0, 0). Bit 0 (FLAG_OFF_IMAGE) is set by the server
 *   when it maps a sample outside the image. Numbers must be finite (JSON has no NaN anyway).
 * - Times strictly increase within a batch, and batches of one trial ordered by seq do not overlap
 *   in time (a retried or late batch is fine as long as it fits between its neighbours).
 * - Errors: `{error, field?, detail}`; 400 names the failing field as a dotted path
 *   ("samples.3.0" = time of the 4th sample); 413 for a body over 64 KB.
 * - Images are served per trial at `imageUrl` (a session route): fetch it with the token header
 *   and show it through a blob: URL. Drift trials have no image.
 */
import { z } from 'zod';
import { PublicStudyConfig } from './config';

export const SESSION_TOKEN_HEADER = 'X-Session-Token';
/** Request bodies larger than this are refused with 413 before parsing. */
export const MAX_BODY_BYTES = 64 * 1024;
export const MAX_SAMPLES_PER_BATCH = 200;
/** |x|, |y| of a screen sample or rectangle, CSS px. */
export const MAX_SCREEN_COORD = 20_000;
/** Largest accepted time stamp, ms (performance.now() of a page open for ~115 days). */
export const MAX_TIME_MS = 1e10;
/** Flag bits of a sample (wire and storage). */
export { FLAG_FACE_LOST, FLAG_OFF_IMAGE } from '../gaze/samples';

const Uuid = z.uuid('must be a UUID');
const TimeMs = z.number().min(0, 'must be ≥ 0').max(MAX_TIME_MS, `must be ≤ ${MAX_TIME_MS}`);
const Coord = z.number().min(-MAX_SCREEN_COORD).max(MAX_SCREEN_COORD);
const Size = z.object({ width: z.number().int().min(1).max(MAX_SCREEN_COORD), height: z.number().int().min(1).max(MAX_SCREEN_COORD) });
const ScreenPoint = z.object({ x: Coord, y: Coord });
const Id = z.string().min(1).max(128).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ and - only');

/** Adds an issue at `path` (below the array) for the first time stamp that does not increase. */
function increasingTimes<T extends readonly [number, ...unknown[]]>(samples: readonly T[], ctx: z.RefinementCtx, base: (string | number)[]): void {
  for (let i = 1; i < samples.length; i++) {
    if ((samples[i] as T)[0] <= (samples[i - 1] as T)[0]) {
      ctx.addIssue({ code: 'custom', path: [...base, i, 0], message: 'time must increase from one sample to the next' });
      return;
    }
  }
}

// ---------------------------------------------------------------- study link and session start

export const PublicStudyResponse = z.object({
  slug: z.string(),
  name: z.string(),
  status: z.enum(['draft', 'open', 'paused', 'closed']),
  consentText: z.string(),
  config: PublicStudyConfig,
});
export type PublicStudyResponse = z.infer<typeof PublicStudyResponse>;

/** Recruitment-platform IDs from the study link; stored only as HMAC-SHA256 of provider + participantId. */
export const ExternalIds = z.discriminatedUnion('provider', [
  z.object({ provider: z.literal('prolific'), participantId: Id, studyId: Id.optional(), sessionId: Id.optional() }),
  z.object({ provider: z.literal('mturk'), participantId: Id, assignmentId: Id.optional(), hitId: Id.optional() }),
]);
export type ExternalIds = z.infer<typeof ExternalIds>;

export const StartSessionRequest = z.object({
  externalIds: ExternalIds.optional(),
  modality: z.enum(['webcam', 'mouse']),
});
export type StartSessionRequest = z.infer<typeof StartSessionRequest>;

export const TrialStatus = z.enum(['pending', 'shown', 'complete', 'skipped']);
export type TrialStatus = z.infer<typeof TrialStatus>;

const TrialBase = { id: Uuid, position: z.number().int().min(0), status: TrialStatus };
const ImageFields = {
  imageId: Uuid,
  /** Session route serving the image; needs the X-Session-Token header. */
  imageUrl: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
};

/** A trial of the session, in presentation order. */
export const Trial = z.discriminatedUnion('kind', [
  /** Free viewing: fixation cross, the image for viewingMs, a blank. */
  z.object({ kind: z.literal('image'), ...TrialBase, ...ImageFields }),
  /**
   * Sentinel: as an image trial, plus a clearly visible target drawn at `target` (image pixels);
   * the participant is told to look at it. The server judges the check from the gaze samples.
   */
  z.object({
    kind: z.literal('attention'),
    ...TrialBase,
    ...ImageFields,
    target: z.object({ x: z.number(), y: z.number() }),
    radiusDeg: z.number().positive(),
  }),
  /**
   * One validation point: post it to /validations with kind 'drift' and this trialId (that
   * completes the trial). Mouse sessions instead POST /trials/<id>/complete, which skips it.
   */
  z.object({ kind: z.literal('drift'), ...TrialBase }),
]);
export type Trial = z.infer<typeof Trial>;

export const StartSessionResponse = z.object({
  sessionId: Uuid,
  token: z.string(),
  modality: z.enum(['webcam', 'mouse']),
  trials: z.array(Trial),
  config: PublicStudyConfig,
});
export type StartSessionResponse = z.infer<typeof StartSessionResponse>;

/**
 * `PUT /api/v1/sessions/<id>/modality` (token): switch to the mouse alternative (or back) before
 * any trial has started, when the study offers it (config.modality 'both'). → 200 {modality};
 * 409 {error:'trials_started'} once a trial has started.
 */
export const SwitchModalityRequest = z.object({ modality: z.enum(['webcam', 'mouse']) });
export type SwitchModalityRequest = z.infer<typeof SwitchModalityRequest>;

// ---------------------------------------------------------------- geometry (virtual chinrest)

export const GeometryRequest = z.object({
  /** CSS px per mm from the card-matching step (card width 85.60 mm). */
  pxPerMm: z.number().min(1).max(20),
  /** From the blind-spot step (13.5°). */
  viewingDistanceMm: z.number().min(200).max(1500),
  /** The client's own pixels per degree; the server re-derives it and refuses a mismatch over 5 %. */
  screenPxPerDeg: z.number().positive().max(1000),
  window: Size,
  screen: Size,
  devicePixelRatio: z.number().min(0.25).max(8),
  /** Raw measurements, stored for audit when sent. */
  cardWidthPx: z.number().positive().max(MAX_SCREEN_COORD).optional(),
  blindSpotPx: z.number().positive().max(MAX_SCREEN_COORD).optional(),
});
export type GeometryRequest = z.infer<typeof GeometryRequest>;

export const Geometry = GeometryRequest.extend({ screenPxPerDeg: z.number() });
export type Geometry = z.infer<typeof Geometry>;

// ---------------------------------------------------------------- validation and drift

/** `[t_ms, x, y]` in CSS px; only the sampling window (after the 1 s to move the eyes). */
export const ValidationSample = z.tuple([TimeMs, Coord, Coord]);
export const ValidationPoint = z
  .object({ target: ScreenPoint, samples: z.array(ValidationSample).max(MAX_SAMPLES_PER_BATCH) })
  .superRefine((p, ctx) => increasingTimes(p.samples, ctx, ['samples']));

export const ValidationRequest = z.object({
  kind: z.enum(['initial', 'drift']),
  /** Calibration attempt this validation belongs to, from 1. */
  attempt: z.number().int().min(1).max(20),
  /** The drift trial being answered (kind 'drift'). */
  trialId: Uuid.optional(),
  points: z.array(ValidationPoint).min(1).max(13),
});
export type ValidationRequest = z.infer<typeof ValidationRequest>;

/** Computed by the server from the samples (client figures are never trusted). Null: no usable samples. */
export const ValidationResult = z.object({
  kind: z.enum(['initial', 'drift']),
  attempt: z.number().int(),
  accuracyDeg: z.number().nullable(),
  precisionDeg: z.number().nullable(),
  withinRadiusPct: z.number(),
  samplingRateHz: z.number().nullable(),
  passed: z.boolean(),
  /** Calibration attempts still allowed (initial validations). */
  attemptsLeft: z.number().int(),
});
export type ValidationResult = z.infer<typeof ValidationResult>;

// ---------------------------------------------------------------- trials and samples

export const TrialStartRequest = z.object({
  /** The image's rectangle on screen, CSS px. */
  rect: z.object({ x: Coord, y: Coord, width: z.number().positive().max(MAX_SCREEN_COORD), height: z.number().positive().max(MAX_SCREEN_COORD) }),
  viewport: Size,
  /** performance.now() when the image appeared. */
  shownAt: TimeMs,
});
export type TrialStartRequest = z.infer<typeof TrialStartRequest>;

export const TrialStartResponse = z.object({ trialId: Uuid, pixelsPerDegree: z.number().nullable() });

/** `[t_ms, x, y, flags]`, screen CSS px. */
export const GazeSample = z.tuple([TimeMs, Coord, Coord, z.number().int().min(0).max(255)]);
export type GazeSample = z.infer<typeof GazeSample>;

export const SampleBatchRequest = z.object({
  /** Per session, from 0; (session, seq) is unique, so a retried batch is stored once. */
  seq: z.number().int().min(0).max(2 ** 31 - 1),
  trialId: Uuid,
  samples: z.array(GazeSample).min(1).max(MAX_SAMPLES_PER_BATCH, `at most ${MAX_SAMPLES_PER_BATCH} samples per batch`),
}).superRefine((b, ctx) => increasingTimes(b.samples, ctx, ['samples']));
export type SampleBatchRequest = z.infer<typeof SampleBatchRequest>;

export const SampleBatchResponse = z.union([z.object({ stored: z.number().int() }), z.object({ duplicate: z.literal(true) })]);
export type SampleBatchResponse = z.infer<typeof SampleBatchResponse>;

/** Body optional. `attention.passed` is the page's own view; the server judges from the gaze. */
export const TrialCompleteRequest = z.object({ attention: z.object({ passed: z.boolean() }).optional() });
export type TrialCompleteRequest = z.infer<typeof TrialCompleteRequest>;

export const TrialCompleteResponse = z.object({ fixations: z.number().int(), passed: z.boolean().optional() });

// ---------------------------------------------------------------- session state, end, withdrawal

export const SessionStatus = z.enum(['in_progress', 'completed', 'accepted', 'rejected', 'ended']);

export const SessionStateResponse = z.object({
  sessionId: Uuid,
  status: SessionStatus,
  modality: z.enum(['webcam', 'mouse']),
  trials: z.array(Trial),
  /** Position of the first trial not complete; null when all are. */
  nextTrialPosition: z.number().int().nullable(),
  geometry: Geometry.nullable(),
  validations: z.object({
    attempts: z.number().int(),
    passed: z.boolean(),
    attemptsLeft: z.number().int(),
    last: ValidationResult.nullable(),
  }),
  config: PublicStudyConfig,
});
export type SessionStateResponse = z.infer<typeof SessionStateResponse>;

export const QualitySummary = z.object({
  validation: z.object({
    attempts: z.number().int(),
    passed: z.boolean(),
    accuracyDeg: z.number().nullable(),
    precisionDeg: z.number().nullable(),
    withinRadiusPct: z.number().nullable(),
    samplingRateHz: z.number().nullable(),
  }),
  trials: z.object({ total: z.number().int(), completed: z.number().int() }),
  samplingRateHz: z.number().nullable(),
  faceLostPct: z.number().nullable(),
  offImagePct: z.number().nullable(),
  drift: z.object({ checks: z.number().int(), failed: z.number().int(), maxDeg: z.number().nullable() }),
  attention: z.object({ checks: z.number().int(), passed: z.number().int(), passRate: z.number().nullable() }),
  /** Why the session was not accepted automatically (empty when accepted). */
  reasons: z.array(z.string()),
});
export type QualitySummary = z.infer<typeof QualitySummary>;

export const Decision = z.enum(['accepted', 'pending_review', 'rejected']);
export type Decision = z.infer<typeof Decision>;

export const CompleteSessionResponse = z.object({
  quality: QualitySummary,
  decision: Decision,
  completionCode: z.string().optional(),
  redirectUrl: z.string().optional(),
});
export type CompleteSessionResponse = z.infer<typeof CompleteSessionResponse>;

// ---------------------------------------------------------------- researcher review

export const SessionDecisionRequest = z.object({ decision: z.enum(['accepted', 'rejected']) });
export type SessionDecisionRequest = z.infer<typeof SessionDecisionRequest>;

export const StudySessionRow = z.object({
  id: Uuid,
  observerLabel: z.string(),
  modality: z.enum(['webcam', 'mouse']),
  status: z.string(),
  decision: Decision.nullable(),
  reviewDecision: z.enum(['accepted', 'rejected']).nullable(),
  quality: QualitySummary.nullable(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type StudySessionRow = z.infer<typeof StudySessionRow>;

export const ApiErrorBody = z.object({ error: z.string(), field: z.string().optional(), detail: z.string() });
export type ApiErrorBody = z.infer<typeof ApiErrorBody>;
