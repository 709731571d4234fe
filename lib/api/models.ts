/** Models: staged bundle uploads, test predictions, model cards and files (app/api/v1/models/**). */
import { z } from 'zod';
import { PREPROCESSING_PRESETS } from '@/lib/models/bundle';
import { defineRoute } from '@/lib/http/openapi';
import { ConfirmQuery, IdParams, NoContent, Slug, Timestamp, Visibility } from './common';

/** Bundle file names: one path segment of safe characters ("group1-shard1of2.bin"). */
export const BUNDLE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
export const MAX_TEST_IMAGES = 8;

const Labels = z.array(z.string().trim().min(1, 'labels must not be empty').max(100, 'at most 100 characters')).min(1).max(100_000);
const InputSize = z.tuple([z.number().int().min(1).max(4096), z.number().int().min(1).max(4096)]).meta({ description: '[height, width] in pixels' });
const Preprocessing = z.enum(PREPROCESSING_PRESETS).meta({
  description: 'unit: x/255 · inception: x/127.5−1 (Xception, Inception) · imagenet-torch: x/255, ImageNet mean/std (DenseNet121) · teachable-machine: centre crop, x/127−1 (Teachable Machine) · imagenet-caffe: BGR minus ImageNet mean (ResNet50, VGG16)',
});
const TargetLayer = z.string().trim().min(1).max(200).nullable().meta({ description: 'layer Grad-CAM-style explainers split at (null: none)' });

export const ModelConfigFields = z.object({ labels: Labels, preprocessing: Preprocessing, inputSize: InputSize, targetLayer: TargetLayer });

const ModelCardFields = {
  name: z.string().trim().min(1, 'required').max(200, 'at most 200 characters'),
  architecture: z.string().trim().max(2000, 'at most 2000 characters'),
  trainingData: z.string().trim().max(5000, 'at most 5000 characters'),
  license: z.string().trim().max(200, 'at most 200 characters'),
};

export const CreateModelBody = z.object({
  uploadId: z.uuid('must be the uploadId of a staged bundle'),
  slug: Slug,
  name: ModelCardFields.name,
  architecture: ModelCardFields.architecture.default(''),
  trainingData: ModelCardFields.trainingData.default(''),
  license: ModelCardFields.license.default(''),
  visibility: Visibility.default('private'),
  ...ModelConfigFields.partial().shape,
});

export const UpdateModelBody = z
  .object({ ...ModelCardFields, visibility: Visibility, labels: Labels, preprocessing: Preprocessing, targetLayer: TargetLayer })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field');

export const PredictBody = z.object({
  datasetId: z.uuid().optional().meta({ description: 'dataset to draw test images from (default: the demo dataset, else your first)' }),
  count: z.number().int().min(1).max(MAX_TEST_IMAGES).default(4),
  ...ModelConfigFields.partial().shape,
});

const FileBody = z.object({ name: z.string(), bytes: z.number().int(), sha256: z.string() });

export const StagedUploadBody = z.object({
  uploadId: z.uuid(),
  format: z.enum(['layers-model', 'graph-model']),
  bytes: z.number().int(),
  sha256: z.string().meta({ description: 'SHA-256 of the bundle manifest (see README)' }),
  files: z.array(FileBody),
  detected: ModelConfigFields.extend({ numClasses: z.number().int(), head: z.enum(['softmax', 'sigmoid', 'linear']), configSource: z.enum(['gazebench.json', 'metadata.json', 'inferred']) }),
  card: z.object({ name: z.string(), architecture: z.string(), trainingData: z.string(), license: z.string() }).partial().meta({ description: 'model card fields found in the uploaded gazebench.json' }),
  layers: z.array(z.string()).meta({ description: 'layer names of a layers-model, in order; for a graph model its 4-D convolution nodes (CAM candidates), input first' }),
  methods: z.array(z.object({ method: z.string(), ok: z.boolean(), reason: z.string().optional(), field: z.enum(['model', 'layer']).optional() }))
    .meta({ description: 'every explanation method and whether it can run on this model; reason says why not (e.g. a graph with control flow has no gradients)' }),
  notes: z.array(z.string()),
  rewrites: z.array(z.string()).meta({ description: 'what was rewritten in model.json so that TF.js 4.22 loads it (Keras 3 forms); the uploaded files are kept unchanged' }),
  expiresAt: Timestamp,
});

export const PredictionsBody = z.object({
  dataset: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
  config: ModelConfigFields,
  predictions: z.array(
    z.object({
      imageId: z.uuid(),
      imageName: z.string(),
      classLabel: z.string().nullable(),
      top: z.array(z.object({ classIndex: z.number().int(), label: z.string(), probability: z.number() })),
    }),
  ),
});

export const ModelBody = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  architecture: z.string(),
  trainingData: z.string(),
  license: z.string(),
  visibility: Visibility,
  owner: z.object({ id: z.uuid(), name: z.string() }).nullable().meta({ description: 'null: platform (demo) content' }),
  demo: z.boolean(),
  mine: z.boolean(),
  format: z.string(),
  url: z.string().meta({ description: 'where the browser loads model.json from' }),
  labels: z.array(z.string()),
  preprocessing: z.string(),
  inputSize: z.tuple([z.number().int(), z.number().int()]),
  targetLayer: z.string().nullable(),
  heldOutAccuracy: z.number().nullable(),
  sha256: z.string().nullable(),
  bytes: z.number().int().nullable(),
  files: z.array(FileBody).nullable(),
  rewrites: z.array(z.string()).meta({ description: 'what the Keras 3 normaliser rewrote in model.json to load it, one line each; [] when nothing (model.json is kept as uploaded)' }),
  createdAt: Timestamp,
});

export const ModelFileParams = IdParams.extend({ name: z.string().regex(BUNDLE_FILE_NAME, 'not a bundle file name') });

export const stageModel = defineRoute({
  method: 'POST', path: '/api/v1/models/uploads', tags: ['models'], auth: 'write',
  summary: 'Upload a TF.js bundle (model.json + weight shards [+ gazebench.json]) to a staging area',
  description:
    'Streamed to disk, capped by GAZEBENCH_MAX_MODEL_BYTES (default 500 MiB). The bundle is loaded once to check it and detect its ' +
    'input size, classes and layers; nothing is a model until POST /api/v1/models. Staged uploads expire after 24 hours.',
  body: { kind: 'multipart', fields: z.object({}), files: 'model.json, every weight shard it lists, and optionally gazebench.json or a Teachable Machine metadata.json' },
  responses: {
    201: { description: 'staged and checked', schema: StagedUploadBody },
    413: { description: 'over GAZEBENCH_MAX_MODEL_BYTES' },
    422: { description: 'not a loadable TF.js model' },
  },
});

export const predictStaged = defineRoute({
  method: 'POST', path: '/api/v1/models/uploads/{id}/predict', tags: ['models'], auth: 'write', resource: 'model-upload',
  summary: 'Test predictions of a staged bundle on a few dataset images, to catch a wrong preprocessing',
  params: IdParams,
  body: { kind: 'json', schema: PredictBody },
  responses: { 200: { description: 'top-3 classes per image', schema: PredictionsBody }, 422: { description: 'the settings do not fit the model' } },
});

export const createModel = defineRoute({
  method: 'POST', path: '/api/v1/models', tags: ['models'], auth: 'write',
  summary: 'Save a staged bundle as a model, with its card and settings (detected settings are the defaults)',
  body: { kind: 'json', schema: CreateModelBody },
  responses: { 201: { description: 'created', schema: ModelBody }, 404: { description: 'no such staged upload of yours' }, 409: { description: 'slug taken' }, 422: { description: 'settings do not fit the model' } },
});

export const listModels = defineRoute({
  method: 'GET', path: '/api/v1/models', tags: ['models'], auth: 'public',
  summary: 'Public models and, signed in, your own',
  responses: { 200: { description: 'models', schema: z.object({ models: z.array(ModelBody) }) } },
});

export const getModel = defineRoute({
  method: 'GET', path: '/api/v1/models/{id}', tags: ['models'], auth: 'public', resource: 'model',
  summary: 'A model card',
  params: IdParams,
  responses: { 200: { description: 'the model', schema: ModelBody } },
});

export const updateModel = defineRoute({
  method: 'PATCH', path: '/api/v1/models/{id}', tags: ['models'], auth: 'write', resource: 'model',
  summary: 'Edit a model card or its settings',
  params: IdParams,
  body: { kind: 'json', schema: UpdateModelBody },
  responses: { 200: { description: 'updated', schema: ModelBody }, 400: { description: 'targetLayer is not a layer the explainers can use (unknown, ambiguous bare name, or not 4-D); the detail lists candidate paths' }, 422: { description: 'settings do not fit the model' } },
});

export const deleteModel = defineRoute({
  method: 'DELETE', path: '/api/v1/models/{id}', tags: ['models'], auth: 'write', resource: 'model',
  summary: 'Delete a model with its runs and scores',
  description: 'Irreversible. The slug must be typed again in `confirm`.',
  params: IdParams,
  query: ConfirmQuery,
  responses: { 204: NoContent, 422: { description: 'confirm does not match the slug' } },
});

export const modelFile = defineRoute({
  method: 'GET', path: '/api/v1/models/{id}/files/{name}', tags: ['models'], auth: 'public', resource: 'model',
  summary: 'A file of an uploaded bundle (model.json, a shard, or gazebench.json generated from the model settings)',
  params: ModelFileParams,
  responses: { 200: { description: 'the file', contentType: 'application/octet-stream' }, 304: { description: 'not modified (ETag)' } },
});
