/**
 * Ground truth and leaderboards of a dataset (app/api/v1/datasets/[id]/{ground-truth,leaderboard,[file]},
 * app/api/v1/images/[id]/[file]): fixations and density maps as files, a lab's import, and the
 * leaderboard built from the runs' scores.
 */
import { z } from 'zod';
import { MODALITIES } from '@/db/schema/common';
import { ImageIdParams } from '@/lib/http/params';
import { LeaderboardSearch } from '@/lib/http/leaderboard-query';
import { defineRoute } from '@/lib/http/openapi';
import { IdOrSlugParams } from './common';

export { LeaderboardSearch };

export const FixationsFileParams = IdOrSlugParams.extend({ file: z.literal('fixations.csv', 'must be fixations.csv') });
export const FixationsFileQuery = z.object({ modality: z.enum(MODALITIES).optional().meta({ description: 'keep one modality (default: all)' }) });

/** `modality` and `ppd` of an import: form fields of a multipart body, or the query of a text/csv body. */
export const ImportOptions = z.object({
  modality: z.enum(MODALITIES).default('lab'),
  ppd: z.coerce.number().positive('must be a positive number').optional().meta({ description: 'pixels per degree of visual angle of the images as shown; needed with fixations' }),
});

export const DensityFileParams = ImageIdParams.extend({
  file: z.enum(['density.png16', 'density.npy'], 'must be density.png16 or density.npy').meta({
    description: 'density.npy: float64, sums to 1, as stored; density.png16: 16-bit grayscale, value·65535/max',
  }),
});
export const DensityFileQuery = z.object({
  modality: z.enum(MODALITIES).default('simulated'),
  version: z.coerce.number().int().positive().optional().meta({ description: 'default: the latest' }),
});

export const ImportSummaryBody = z.object({
  observers: z.number().int(),
  fixations: z.number().int(),
  maps: z.number().int(),
  versions: z.array(z.object({ imageId: z.uuid(), imageName: z.string(), version: z.number().int(), changed: z.boolean() })),
  modality: z.enum(MODALITIES),
  queued: z.boolean().meta({ description: 'reference rows and rescoring were queued now (false: the next worker start picks them up)' }),
});

export const fixationsFile = defineRoute({
  method: 'GET', path: '/api/v1/datasets/{id}/{file}', tags: ['ground truth'], auth: 'public', resource: 'dataset',
  summary: 'Accepted fixations of a dataset (by id or slug) as CSV: image, observer, x, y, duration_ms, modality, start_ms',
  params: FixationsFileParams,
  query: FixationsFileQuery,
  responses: { 200: { description: 'the fixations', contentType: 'text/csv' } },
});

export const groundTruthState = defineRoute({
  method: 'GET', path: '/api/v1/datasets/{id}/ground-truth', tags: ['ground truth'], auth: 'public', resource: 'dataset',
  summary: 'Ground-truth state per modality: state id, per-image density map versions and the dataset consistency',
  params: IdOrSlugParams,
  responses: { 200: { description: 'the state', schema: z.object({ datasetId: z.uuid(), modalities: z.array(z.record(z.string(), z.unknown())) }) } },
});

export const importGroundTruth = defineRoute({
  method: 'POST', path: '/api/v1/datasets/{id}/ground-truth', tags: ['ground truth'], auth: 'write', resource: 'dataset',
  summary: 'Import a lab’s ground truth: a fixations CSV and/or density maps (PNG/NPY named by image)',
  description:
    'All or nothing. Each observer becomes an accepted session of the modality; density maps are computed from fixations at σ = ppd ' +
    '(or taken as given) and become new versions only when they change; then the runs are rescored. With a text/csv body, pass modality and ppd in the query.',
  params: IdOrSlugParams,
  query: ImportOptions,
  body: {
    kind: 'multipart',
    fields: ImportOptions,
    files: '`fixations`: a CSV (image, observer, x, y, duration_ms[, start_ms]); `maps` (repeatable): PNG or NPY density maps named by image',
    alternatives: [{ contentType: 'text/csv', description: 'the fixations CSV as the whole body' }],
  },
  responses: {
    201: { description: 'imported', schema: ImportSummaryBody },
    413: { description: 'the body is over the size cap' },
    415: { description: 'not multipart/form-data or text/csv' },
  },
});

export const leaderboard = defineRoute({
  method: 'GET', path: '/api/v1/datasets/{id}/leaderboard', tags: ['leaderboards'], auth: 'public', resource: 'dataset',
  summary: 'The leaderboard of a dataset (by id or slug): runs, human ceiling and baselines with mean, variance, 95 % CI and n, and a citable snapshot id',
  description: '`?snapshot=lb_…` answers that snapshot as it was, with `stale` saying whether it is still current.',
  params: IdOrSlugParams,
  query: LeaderboardSearch,
  responses: { 200: { description: 'the leaderboard' }, 404: { description: 'no such dataset (or private to someone else), or no such snapshot (`field`: snapshot)' } },
});

export const densityFile = defineRoute({
  method: 'GET', path: '/api/v1/images/{id}/{file}', tags: ['ground truth'], auth: 'public', resource: 'image',
  summary: 'A density map of an image as a file: NPY (float64, exactly as stored) or 16-bit PNG',
  params: DensityFileParams,
  query: DensityFileQuery,
  responses: { 200: { description: 'the map (X-Gazebench-Modality, X-Gazebench-Version headers)', contentType: 'application/octet-stream' }, 404: { description: 'no such image, or no density map of that modality/version' } },
});
