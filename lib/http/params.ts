import { z } from 'zod';
import { MODALITIES } from '@/db/schema/common';

export const ImageIdParams = z.object({ id: z.uuid('must be a UUID') });
export const ModalityQuery = z.object({ modality: z.enum(MODALITIES).default('simulated') });

/** `[id]` of a run, dataset or image. */
export const IdParams = z.object({ id: z.uuid('must be a UUID') });
