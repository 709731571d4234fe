/**
 * Participant routes: the study link (app/api/v1/studies/[id]/public and POST [id]/sessions, with
 * the study's slug as {id}; auth `study-link`: anyone with the link, no credentials read), and one
 * gaze session (app/api/v1/sessions/**), opened by its secret in the X-Session-Token header (auth
 * `participant`). Requests and answers are the zod schemas of the participant contract
 * (lib/studies/contract.ts), which the handlers and the participant pages use.
 */
import { SessionParams, StudySlugParams, TrialParams } from '@/lib/http/params';
import { defineRoute } from '@/lib/http/openapi';
import {
  CompleteSessionResponse, Geometry, GeometryRequest, MAX_BODY_BYTES, PublicStudyResponse, SampleBatchRequest, SampleBatchResponse, SessionStateResponse,
  StartSessionRequest, StartSessionResponse, SwitchModalityRequest, TrialCompleteRequest, TrialCompleteResponse, TrialStartRequest, TrialStartResponse,
  ValidationRequest, ValidationResult,
} from '@/lib/studies/contract';
import { NoContent } from './common';

const TAGS = ['participants'];
const TOO_LARGE = { 413: { description: `the body is over ${MAX_BODY_BYTES} bytes` } } as const;
const CLOSED = { 409: { description: 'the session is no longer in progress (or the step is out of order)' } } as const;

const NO_STUDY = { 404: { description: 'no study has this link (or it is still a draft)' } } as const;

export const publicStudy = defineRoute({
  method: 'GET', path: '/api/v1/studies/{id}/public', tags: TAGS, auth: 'study-link', resource: 'study-link',
  summary: 'The study behind a link /s/<slug>: name, consent text and what the participant will do',
  params: StudySlugParams,
  responses: { 200: { description: 'the study, while it takes participants', schema: PublicStudyResponse }, ...NO_STUDY, 409: { description: 'the study is paused, closed or full' } },
});

export const startSession = defineRoute({
  method: 'POST', path: '/api/v1/studies/{id}/sessions', tags: TAGS, auth: 'study-link', resource: 'study-link',
  summary: 'Start a gaze session → its token (answered once; send it as X-Session-Token) and its trials',
  description:
    'externalIds: the recruitment platform’s IDs from the link (Prolific PROLIFIC_PID, STUDY_ID, SESSION_ID; MTurk workerId, assignmentId, hitId), ' +
    'stored only as an HMAC; one session per participantId and study. GET on this path, with the study’s UUID as {id}, is the researchers’ review table.',
  params: StudySlugParams,
  body: { kind: 'json', schema: StartSessionRequest },
  responses: {
    201: { description: 'started', schema: StartSessionResponse },
    ...NO_STUDY,
    409: { description: 'the study is paused, closed or full, or this external participant ID has already started it' },
    ...TOO_LARGE,
  },
});

export const sessionState = defineRoute({
  method: 'GET', path: '/api/v1/sessions/{id}', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'The session’s state, to resume after a reload',
  params: SessionParams,
  responses: { 200: { description: 'the state', schema: SessionStateResponse } },
});

export const withdrawSession = defineRoute({
  method: 'DELETE', path: '/api/v1/sessions/{id}', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'Withdraw: every datum of the session is deleted; affected density maps are recomputed',
  params: SessionParams,
  responses: { 204: NoContent },
});

export const saveGeometry = defineRoute({
  method: 'PUT', path: '/api/v1/sessions/{id}/geometry', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'The virtual-chinrest result; answers the geometry with the server’s pixels per degree',
  params: SessionParams,
  body: { kind: 'json', schema: GeometryRequest },
  responses: { 200: { description: 'the stored geometry', schema: Geometry }, ...CLOSED, ...TOO_LARGE },
});

export const switchModality = defineRoute({
  method: 'PUT', path: '/api/v1/sessions/{id}/modality', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'Switch to the mouse alternative (or back) before any trial has started, when the study offers both',
  params: SessionParams,
  body: { kind: 'json', schema: SwitchModalityRequest },
  responses: { 200: { description: 'the modality now', schema: SwitchModalityRequest }, 409: { description: 'a trial has started' }, ...TOO_LARGE },
});

export const recordValidation = defineRoute({
  method: 'POST', path: '/api/v1/sessions/{id}/validations', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'Raw validation samples → accuracy, precision, % within, sampling rate and passed (computed here)',
  params: SessionParams,
  body: { kind: 'json', schema: ValidationRequest },
  responses: { 200: { description: 'the validation result', schema: ValidationResult }, ...CLOSED, ...TOO_LARGE },
});

export const postSamples = defineRoute({
  method: 'POST', path: '/api/v1/sessions/{id}/samples', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'One batch of gaze samples of a shown trial → {stored: n}, or {duplicate: true} for a replayed seq',
  description: 'Also served beside Next.js by the production server for speed (lib/server/fast-routes.ts). A malformed body with a wrong token is 403, not 400.',
  params: SessionParams,
  body: { kind: 'json', schema: SampleBatchRequest },
  responses: { 200: { description: 'stored', schema: SampleBatchResponse }, ...CLOSED, ...TOO_LARGE },
});

export const completeSession = defineRoute({
  method: 'POST', path: '/api/v1/sessions/{id}/complete', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'End the session → quality summary, decision, completion code or redirect',
  params: SessionParams,
  responses: { 200: { description: 'the outcome', schema: CompleteSessionResponse }, ...CLOSED },
});

export const startTrial = defineRoute({
  method: 'POST', path: '/api/v1/sessions/{id}/trials/{trialId}/start', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'The trial’s image is on screen at this rectangle → the image’s pixels per degree',
  params: TrialParams,
  body: { kind: 'json', schema: TrialStartRequest },
  responses: { 200: { description: 'started', schema: TrialStartResponse }, 404: { description: 'no such trial in this session' }, ...CLOSED, ...TOO_LARGE },
});

export const completeTrial = defineRoute({
  method: 'POST', path: '/api/v1/sessions/{id}/trials/{trialId}/complete', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'The trial is over → fixation detection → {fixations: n, passed? (attention)}',
  params: TrialParams,
  body: { kind: 'json', schema: TrialCompleteRequest },
  responses: { 200: { description: 'completed', schema: TrialCompleteResponse }, 404: { description: 'no such trial in this session' }, ...CLOSED, ...TOO_LARGE },
});

export const trialImage = defineRoute({
  method: 'GET', path: '/api/v1/sessions/{id}/trials/{trialId}/image', tags: TAGS, auth: 'participant', resource: 'session',
  summary: 'The image of one of the session’s trials (fetch it with the token header, show it through a blob: URL)',
  params: TrialParams,
  responses: { 200: { description: 'the image', contentType: 'image/*' }, 404: { description: 'no such trial in this session' } },
});

