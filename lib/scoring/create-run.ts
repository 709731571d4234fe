/** The body of `POST /api/v1/runs`, validated with zod before anything else. */
import { z } from 'zod';
import { MODALITIES } from '@/db/schema/common';
import { EVALUATION_SCORE_METRICS } from './metrics';

export const RunTarget = z
  .object({
    /** What the explainer explained: the logit or the softmax probability of the class. */
    output: z.enum(['logit', 'probability']).default('probability'),
    /** Which class: the model's prediction, the image's label, or a fixed index. */
    class: z.union([z.literal('predicted'), z.literal('label'), z.number().int().nonnegative()]).default('predicted'),
  })
  .strict();

export const CreateRunBody = z
  .object({
    datasetId: z.uuid(),
    modelId: z.uuid(),
    explainer: z.string().trim().min(1).max(100),
    params: z.record(z.string(), z.unknown()).default({}),
    target: RunTarget.default({ output: 'probability', class: 'predicted' }),
    name: z.string().trim().min(1).max(200),
    evaluate: z
      .array(z.enum(EVALUATION_SCORE_METRICS))
      .max(EVALUATION_SCORE_METRICS.length)
      .default([])
      .transform((v) => [...new Set(v)]),
    /** Pixels per insertion/deletion step (RISE default: the model input width). */
    evaluationStep: z.number().int().positive().optional(),
    /** Score against this modality only (default: every modality with ground truth). */
    modality: z.enum(MODALITIES).optional(),
    /** Also compute EMD (slow). */
    emd: z.boolean().default(false),
    visibility: z.enum(['public', 'private']).default('private'),
  })
  .strict();
export type CreateRunBody = z.infer<typeof CreateRunBody>;
