import { z } from 'zod';
import { MODALITIES } from '@/db/schema/common';

export const ImageIdParams = z.object({ id: z.uuid('must be a UUID') });
export const ModalityQuery = z.object({ modality: z.enum(MODALITIES).default('simulated') });
/** /api/v1/sessions/[id]/… */
export const SessionParams = z.object({ id: z.uuid('must be a UUID') });
/** /api/v1/sessions/[id]/trials/[trialId]/… */
export const TrialParams = z.object({ id: z.uuid('must be a UUID'), trialId: z.uuid('must be a UUID') });
/** Participant study routes address the study by the slug of its link. */
export const StudySlugParams = z.object({ id: z.string().min(1).max(100).regex(/^[a-z0-9][a-z0-9-]*$/, 'not a study link') });

/** `[id]` of a run, dataset or image. */
export const IdParams = z.object({ id: z.uuid('must be a UUID') });
