/**
 * Runs (app/api/v1/runs/**). Only the routes added for the browser runner are registered so far;
 * the older run routes are listed as a known gap in lib/http/openapi.test.ts.
 */
import { z } from 'zod';
import { defineRoute } from '@/lib/http/openapi';
import { IdParams } from './common';

export const RunImagesBody = z.object({
  run: z.object({
    id: z.uuid(),
    explainer: z.string(),
    status: z.enum(['pending', 'running', 'complete', 'failed']),
    dataset: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  }),
  total: z.number().int().meta({ description: 'images in the run’s dataset' }),
  withMap: z.number().int().meta({ description: 'images the run has a map for' }),
  images: z.array(
    z.object({
      id: z.uuid(),
      name: z.string(),
      classLabel: z.string().nullable(),
      width: z.number().int(),
      height: z.number().int(),
      hasMap: z.boolean(),
      url: z.string().meta({ description: 'the image file' }),
      mapUrl: z.string().nullable().meta({ description: 'the stored map as NPY, when there is one' }),
    }),
  ),
});

export const runImages = defineRoute({
  method: 'GET', path: '/api/v1/runs/{id}/images', tags: ['runs'], auth: 'public', resource: 'run',
  summary: 'The dataset images of a run in order, each marked with whether the run has its map yet',
  description:
    'A browser or script computing a run resumes at the first image with `hasMap: false` (after a pause, a reload or on ' +
    'another day); maps are added with POST /api/v1/runs/{id}/maps. Public runs of public datasets are readable by everyone.',
  params: IdParams,
  responses: { 200: { description: 'images with their map status', schema: RunImagesBody } },
});
