/**
 * Runs (app/api/v1/runs/**): a model × explainer × dataset, its saliency maps (uploaded, or
 * computed in the browser) and their scores.
 */
import { z } from 'zod';
import { MODALITIES } from '@/db/schema/common';
import { defineRoute } from '@/lib/http/openapi';
import { CreateRunBody } from '@/lib/scoring/create-run';
import { JsonMap } from '@/lib/scoring/map-upload';
import { IdParams, Timestamp, Visibility } from './common';

export { CreateRunBody };

const RunStatus = z.enum(['pending', 'running', 'complete', 'failed']);
const Ref = z.object({ id: z.uuid(), slug: z.string(), name: z.string() });

/** The answer of GET /api/v1/runs/{id} (lib/scoring/progress.ts runJson). */
export const RunBody = z.object({
  id: z.uuid(),
  name: z.string(),
  dataset: Ref,
  model: Ref,
  explainer: z.string(),
  params: z.record(z.string(), z.unknown()),
  target: z.record(z.string(), z.unknown()),
  modality: z.enum(MODALITIES).nullable(),
  evaluate: z.array(z.string()).meta({ description: 'evaluation metrics computed without ground truth (insertion, deletion)' }),
  evaluationStep: z.number().int().nullable(),
  emd: z.boolean(),
  visibility: Visibility,
  status: RunStatus,
  createdAt: Timestamp,
  progress: z.object({
    images: z.number().int(),
    mapsReceived: z.number().int(),
    scoresExpected: z.number().int(),
    scoresDone: z.number().int(),
    scoresFailed: z.number().int(),
  }),
  links: z.record(z.string(), z.string()),
});

/** `?image=` names the image of a single NPY body (its name, its name without extension, or its id). */
export const UploadMapsQuery = z.object({
  image: z.string().optional().meta({ description: 'the image of an application/octet-stream NPY body: its id or name' }),
});

export const UploadMapsAnswer = z.object({
  received: z.number().int(),
  images: z.array(z.object({ id: z.uuid(), name: z.string(), width: z.number().int(), height: z.number().int() })),
  queued: z.boolean().meta({ description: 'scoring was queued now (false: the next worker start picks it up)' }),
  progress: RunBody.shape.progress.nullable(),
});

export const MapFileParams = IdParams.extend({
  file: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(npy|png)$/i, 'must be <imageId>.npy or <imageId>.png')
    .meta({ description: '<imageId>.npy (float32 as stored) or <imageId>.png (jet heatmap with alpha)' }),
});

export const ScoresFileParams = IdParams.extend({ file: z.enum(['scores.csv', 'scores.json'], 'must be scores.csv or scores.json') });

export const createRun = defineRoute({
  method: 'POST', path: '/api/v1/runs', tags: ['runs'], auth: 'write',
  summary: 'Create a run (model × explainer × dataset); its maps follow with POST /api/v1/runs/{id}/maps',
  body: { kind: 'json', schema: CreateRunBody },
  responses: {
    201: { description: 'created (Location: the run)', schema: RunBody },
    404: { description: 'the dataset or model is absent or private to someone else (`field` says which)' },
    422: { description: 'method_refused (field `explainer`): the stored model cannot run this method (lib/explainers/capability.ts); the detail gives the reason, nothing is created' },
  },
});

export const getRun = defineRoute({
  method: 'GET', path: '/api/v1/runs/{id}', tags: ['runs'], auth: 'public', resource: 'run',
  summary: 'A run with its progress: maps received, scores settled out of those expected',
  params: IdParams,
  responses: { 200: { description: 'the run', schema: RunBody } },
});

export const uploadMaps = defineRoute({
  method: 'POST', path: '/api/v1/runs/{id}/maps', tags: ['runs'], auth: 'write', resource: 'run',
  summary: 'Add saliency maps to a run: one JSON grid, one NPY file, or a zip of NPY files named by image',
  description:
    'Every map is validated (size: the image or the model input; finite values) before anything is stored; a bad upload stores nothing. ' +
    'Maps are immutable: a second map for an image is 409. Stored maps are scored by the run.score job.',
  params: IdParams,
  query: UploadMapsQuery,
  body: {
    kind: 'raw',
    contents: [
      {
        contentType: 'application/json',
        description:
          'one map as a row-major grid; optionally `curves` {classIndex, step, insertion, deletion}: the insertion/deletion curves computed ' +
          'with the map (runs that evaluate both; ceil(W·H/step) + 1 probabilities in [0, 1] each at the model input size W×H). The server ' +
          'checks them at randomly drawn points before using them (docs/scoring.md).',
        schema: JsonMap,
      },
      { contentType: 'application/octet-stream', description: 'one NPY array (2-D); name the image with ?image=' },
      { contentType: 'application/zip', description: 'NPY files named <image name or id>.npy' },
    ],
  },
  responses: {
    201: { description: 'maps stored', schema: UploadMapsAnswer },
    409: { description: 'the run already has a map for an image' },
    413: { description: 'the body is over the size cap' },
    415: { description: 'not JSON, NPY or zip' },
  },
});

export const mapFile = defineRoute({
  method: 'GET', path: '/api/v1/runs/{id}/maps/{file}', tags: ['runs'], auth: 'public', resource: 'run',
  summary: 'A stored saliency map of one image: NPY (float32, as stored) or PNG (jet heatmap, alpha following the value)',
  params: MapFileParams,
  responses: { 200: { description: 'the map', contentType: 'application/octet-stream' } },
});

export const scoresFile = defineRoute({
  method: 'GET', path: '/api/v1/runs/{id}/{file}', tags: ['runs'], auth: 'public', resource: 'run',
  summary: 'A run’s scores per image and aggregated (n, mean, variance, 95 % bootstrap CI), as CSV or JSON',
  params: ScoresFileParams,
  responses: { 200: { description: 'scores (text/csv for scores.csv)' } },
});

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
