/** Studies, for their researchers (app/api/v1/studies/route.ts, [id]/route.ts, [id]/progress, [id]/sessions). */
import { z } from 'zod';
import { defineRoute } from '@/lib/http/openapi';
import { StudyConfig } from '@/lib/studies/config';
import { SessionDecisionRequest, StudySessionRow } from '@/lib/studies/contract';
import { STUDY_STATUSES } from '@/lib/studies/lifecycle';
import { IdParams, Slug, Timestamp } from './common';

const Name = z.string().trim().min(1, 'required').max(200, 'at most 200 characters');
const ConsentText = z.string().trim().min(1, 'required: what participants agree to').max(20_000, 'at most 20000 characters');
const CompletionCode = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ and - (1–64)')
  .nullable()
  .meta({ description: 'shown to participants at the end (e.g. the Prolific completion code)' });
const RedirectUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
  .max(2000, 'at most 2000 characters')
  .nullable()
  .meta({ description: 'where participants are sent at the end, e.g. https://app.prolific.com/submissions/complete?cc=CODE' });
const ParticipantCap = z
  .number()
  .int('must be a whole number')
  .min(1, 'at least 1')
  .max(1_000_000)
  .nullable()
  .meta({ description: 'most sessions holding a slot at once (null: no cap; the study also fills when every image has its observers)' });
export const StudyStatus = z.enum(STUDY_STATUSES).meta({ description: 'draft → open ⇄ paused → closed' });

export const CreateStudyBody = z.object({
  name: Name,
  slug: Slug.optional().meta({ description: 'the link /s/<slug>; omitted: a random, unguessable one' }),
  datasetId: z.uuid('must be the id of one of your datasets'),
  consentText: ConsentText,
  completionCode: CompletionCode.default(null),
  redirectUrl: RedirectUrl.default(null),
  participantCap: ParticipantCap.default(null),
  config: StudyConfig.strict()
    .prefault({})
    .meta({ description: 'images per participant, target observers per image, viewing time, fixation cross, calibration (9 or 13 points), validation threshold, drift checks, attention checks, modality (webcam, mouse, both), auto-accept rules; every field has a default' }),
});

export const UpdateStudyBody = z
  .object({
    name: Name,
    status: StudyStatus,
    consentText: ConsentText,
    completionCode: CompletionCode,
    redirectUrl: RedirectUrl,
    participantCap: ParticipantCap,
    config: z
      .record(z.string(), z.unknown())
      .meta({ description: 'StudyConfig fields to change (as in POST /api/v1/studies); the merged config is validated whole. Only while no session has started (else 409).' }),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field');

export const StudyBody = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  status: StudyStatus,
  dataset: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  mine: z.boolean().meta({ description: 'the caller owns it' }),
  consentText: z.string(),
  completionCode: z.string().nullable(),
  redirectUrl: z.string().nullable(),
  participantCap: z.number().int().nullable(),
  config: StudyConfig,
  link: z.string().meta({ description: 'the participant link, relative to this server: /s/<slug>' }),
  sessionsStarted: z.number().int().meta({ description: 'once above 0, config and consentText are frozen' }),
  transitions: z.array(StudyStatus).meta({ description: 'statuses the study may move to now' }),
  createdAt: Timestamp,
});

const Agreement = z.object({ cc: z.number(), nss: z.number() });

export const ProgressBody = z.object({
  studyId: z.uuid(),
  status: StudyStatus,
  sessions: z.object({
    started: z.number().int().meta({ description: 'every session ever started, withdrawn ones included' }),
    inProgress: z.number().int(),
    completed: z.number().int().meta({ description: 'finished by the participant: pendingReview + accepted + rejected + ended' }),
    pendingReview: z.number().int(),
    accepted: z.number().int(),
    rejected: z.number().int(),
    ended: z.number().int().meta({ description: 'ended early by the participant' }),
    withdrawn: z.number().int(),
  }),
  participantCap: z.number().int().nullable(),
  observersPerImage: z.number().int().meta({ description: 'the target per image' }),
  images: z.object({
    total: z.number().int(),
    atTarget: z.number().int().meta({ description: 'images with at least observersPerImage accepted observers' }),
    list: z.array(
      z.object({
        imageId: z.uuid(),
        name: z.string(),
        accepted: z.number().int().meta({ description: 'accepted sessions that completed a trial on it' }),
        assigned: z.number().int().meta({ description: 'sessions holding it (accepted, awaiting review, or started in the last 2 h): what balanced assignment counts' }),
      }),
    ),
  }),
  accuracy: z.object({
    thresholdDeg: z.number(),
    sessions: z.number().int(),
    withinThreshold: z.number().int(),
    noData: z.number().int(),
    medianDeg: z.number().nullable(),
    bins: z.array(z.object({ fromDeg: z.number(), toDeg: z.number().nullable(), count: z.number().int() })),
  }),
  convergence: z
    .array(
      z.object({
        modality: z.string(),
        images: z.number().int().meta({ description: 'images with at least two observers' }),
        curve: z.array(z.object({ n: z.number().int(), cc: z.number(), nss: z.number(), images: z.number().int() })),
        splitHalf: Agreement.nullable(),
        observersNeeded: z.object({ n: z.number().int().nullable(), target: z.number(), reached: z.boolean(), extrapolated: z.boolean() }),
      }),
    )
    .meta({ description: "the dataset's ground-truth convergence per modality the study collects (all accepted observers of that modality, this study's and others'); empty until the maps are computed" }),
});

export const createStudy = defineRoute({
  method: 'POST', path: '/api/v1/studies', tags: ['studies'], auth: 'write',
  summary: 'Create a study (a draft) from one of your datasets',
  body: { kind: 'json', schema: CreateStudyBody },
  responses: {
    201: { description: 'created', schema: StudyBody },
    404: { description: 'datasetId: no such dataset visible to you' },
    409: { description: 'slug taken' },
    422: { description: 'the dataset has no images, or fewer than config.imagesPerParticipant' },
  },
});

export const listStudies = defineRoute({
  method: 'GET', path: '/api/v1/studies', tags: ['studies'], auth: 'signed-in',
  summary: 'Your studies',
  responses: { 200: { description: 'studies, newest first', schema: z.object({ studies: z.array(StudyBody) }) } },
});

export const getStudy = defineRoute({
  method: 'GET', path: '/api/v1/studies/{id}', tags: ['studies'], auth: 'signed-in', resource: 'study',
  summary: 'A study with its configuration',
  params: IdParams,
  responses: { 200: { description: 'the study', schema: StudyBody } },
});

export const updateStudy = defineRoute({
  method: 'PATCH', path: '/api/v1/studies/{id}', tags: ['studies'], auth: 'write', resource: 'study',
  summary: 'Open, pause or close a study, or edit it',
  description:
    'status: draft → open, open → paused or closed, paused → open or closed (anything else is 409; the current status is a no-op). ' +
    'config and consentText change only while no session has started (409 after); name, participantCap, completionCode and redirectUrl at any time.',
  params: IdParams,
  body: { kind: 'json', schema: UpdateStudyBody },
  responses: { 200: { description: 'updated', schema: StudyBody }, 409: { description: 'illegal status transition, or config edit after sessions started' } },
});

export const studyProgress = defineRoute({
  method: 'GET', path: '/api/v1/studies/{id}/progress', tags: ['studies'], auth: 'signed-in', resource: 'study',
  summary: 'Live progress: sessions, observers per image against the target, validation accuracy, convergence',
  params: IdParams,
  responses: { 200: { description: 'progress', schema: ProgressBody } },
});

export const SessionIdParams = z.object({ id: z.uuid('must be a UUID'), sessionId: z.uuid('must be a UUID') });

export const listStudySessions = defineRoute({
  method: 'GET', path: '/api/v1/studies/{id}/sessions', tags: ['studies'], auth: 'signed-in', resource: 'study',
  summary: "The study's sessions with their quality summary and decisions (the review table)",
  description: 'POST on this path, with the study slug as {id}, is the participant API that starts a session.',
  params: IdParams,
  responses: { 200: { description: 'sessions, newest first', schema: z.object({ studyId: z.uuid(), sessions: z.array(StudySessionRow) }) } },
});

export const reviewSession = defineRoute({
  method: 'PATCH', path: '/api/v1/studies/{id}/sessions/{sessionId}', tags: ['studies'], auth: 'write', resource: 'study',
  summary: 'Accept or reject a finished session (overrides the automatic decision; ground truth follows)',
  params: SessionIdParams,
  body: { kind: 'json', schema: SessionDecisionRequest },
  responses: {
    200: { description: 'the new status', schema: z.object({ id: z.uuid(), status: z.enum(['accepted', 'rejected']), reviewDecision: z.enum(['accepted', 'rejected']) }) },
    409: { description: 'the participant has not finished the session' },
  },
});
