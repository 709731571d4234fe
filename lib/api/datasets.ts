/** Datasets and their images (app/api/v1/datasets/**, app/api/v1/images/**). */
import { z } from 'zod';
import { MAX_LABEL_LENGTH, LABEL_MODES } from '@/lib/datasets/labels';
import { ImageIdParams, ModalityQuery } from '@/lib/http/params';
import { defineRoute } from '@/lib/http/openapi';
import { ConfirmQuery, IdOrSlugParams, IdParams, NoContent, Slug, Timestamp, Visibility } from './common';

const Name = z.string().trim().min(1, 'required').max(200, 'at most 200 characters');
const Description = z.string().trim().max(5000, 'at most 5000 characters');
const Label = z.string().trim().min(1, 'must not be empty').max(MAX_LABEL_LENGTH, `at most ${MAX_LABEL_LENGTH} characters`);

export const CreateDatasetBody = z.object({
  name: Name,
  slug: Slug,
  description: Description.default(''),
  visibility: Visibility.default('private'),
});

export const UpdateDatasetBody = z
  .object({ name: Name, description: Description, visibility: Visibility })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'send at least one of name, description, visibility');

export const DatasetBody = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  visibility: Visibility,
  demo: z.boolean(),
  mine: z.boolean().meta({ description: 'the caller owns it' }),
  imageCount: z.number().int(),
  createdAt: Timestamp,
});

export const DatasetDetailBody = DatasetBody.extend({
  classes: z.array(z.object({ label: z.string().nullable(), count: z.number().int() })),
  studyCount: z.number().int(),
});

export const ImageBody = z.object({
  id: z.uuid(),
  name: z.string(),
  classLabel: z.string().nullable(),
  width: z.number().int(),
  height: z.number().int(),
  mimeType: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
});

/** Text fields of an image upload (multipart), or the query of a raw application/zip upload. */
export const UploadImagesFields = z.object({
  labelMode: z.enum(LABEL_MODES).default('prefix').meta({
    description: 'prefix: "<class>_<n>.jpg" → class (MexCulture142); folder: first folder inside the zip; none',
  }),
  labels: z
    .string()
    .optional()
    .meta({ description: 'JSON object {"<image name>": "<class>" | null}; overrides labelMode for those images' }),
});

export const LabelMap = z.record(z.string(), Label.nullable());

export const UpdateImageBody = z.object({ classLabel: Label.nullable() });

export const listDatasets = defineRoute({
  method: 'GET', path: '/api/v1/datasets', tags: ['datasets'], auth: 'public',
  summary: 'Public datasets and, signed in, your own',
  responses: { 200: { description: 'datasets', schema: z.object({ datasets: z.array(DatasetBody) }) } },
});

export const createDataset = defineRoute({
  method: 'POST', path: '/api/v1/datasets', tags: ['datasets'], auth: 'write',
  summary: 'Create an empty dataset',
  body: { kind: 'json', schema: CreateDatasetBody },
  responses: { 201: { description: 'created', schema: DatasetBody }, 409: { description: 'slug taken' } },
});

export const getDataset = defineRoute({
  method: 'GET', path: '/api/v1/datasets/{id}', tags: ['datasets'], auth: 'public', resource: 'dataset',
  summary: 'A dataset with its class counts',
  params: IdParams,
  responses: { 200: { description: 'the dataset', schema: DatasetDetailBody } },
});

export const updateDataset = defineRoute({
  method: 'PATCH', path: '/api/v1/datasets/{id}', tags: ['datasets'], auth: 'write', resource: 'dataset',
  summary: 'Rename, describe, or change the visibility of a dataset',
  params: IdParams,
  body: { kind: 'json', schema: UpdateDatasetBody },
  responses: { 200: { description: 'updated', schema: DatasetBody } },
});

export const deleteDataset = defineRoute({
  method: 'DELETE', path: '/api/v1/datasets/{id}', tags: ['datasets'], auth: 'write', resource: 'dataset',
  summary: 'Delete a dataset with its images, studies, gaze data, runs and scores',
  description: 'Irreversible. The slug must be typed again in `confirm`.',
  params: IdParams,
  query: ConfirmQuery,
  responses: { 204: NoContent, 422: { description: 'confirm does not match the slug' } },
});

export const listImages = defineRoute({
  method: 'GET', path: '/api/v1/datasets/{id}/images', tags: ['datasets'], auth: 'public', resource: 'dataset',
  summary: 'The images of a dataset (by id or slug), in order, each with the URL of its file',
  params: IdOrSlugParams,
  responses: {
    200: {
      description: 'images',
      schema: z.object({
        dataset: z.object({ id: z.uuid(), slug: z.string(), name: z.string() }),
        images: z.array(ImageBody.extend({ url: z.string() })),
      }),
    },
  },
});

export const uploadImages = defineRoute({
  method: 'POST', path: '/api/v1/datasets/{id}/images', tags: ['datasets'], auth: 'write', resource: 'dataset',
  summary: 'Add images: several files and/or zip files (multipart), or one zip as the raw body',
  description:
    'PNG, JPEG or WebP, recognised by content. Every file is decoded before anything is stored; one bad file refuses the whole upload. ' +
    'Caps: GAZEBENCH_MAX_IMAGE_BYTES per image, GAZEBENCH_MAX_UPLOAD_BYTES per request, MAX_IMAGE_PIXELS per image, and for zips ' +
    'GAZEBENCH_MAX_ZIP_ENTRIES, GAZEBENCH_MAX_ZIP_BYTES (uncompressed) and GAZEBENCH_MAX_ZIP_RATIO. With a raw zip body, pass labelMode in the query.',
  params: IdParams,
  query: UploadImagesFields.pick({ labelMode: true }).partial(),
  body: {
    kind: 'multipart',
    fields: UploadImagesFields,
    files: 'image files (PNG, JPEG, WebP) and/or zip files of images, in any form field',
    alternatives: [{ contentType: 'application/zip', description: 'one zip file of images as the whole body' }],
  },
  responses: {
    201: { description: 'images added', schema: z.object({ added: z.array(ImageBody) }) },
    409: { description: 'an image of that name is already in the dataset (or twice in the upload)' },
    413: { description: 'a file, the upload, or the zip contents are over a cap' },
    422: { description: 'a file is not a decodable PNG/JPEG/WebP, or the zip is unsafe or corrupt' },
  },
});

export const updateImage = defineRoute({
  method: 'PATCH', path: '/api/v1/images/{id}', tags: ['datasets'], auth: 'write', resource: 'image',
  summary: 'Set or clear the class label of an image',
  params: ImageIdParams,
  body: { kind: 'json', schema: UpdateImageBody },
  responses: { 200: { description: 'updated', schema: ImageBody } },
});

export const imageFile = defineRoute({
  method: 'GET', path: '/api/v1/images/{id}/file', tags: ['datasets'], auth: 'public', resource: 'image',
  summary: 'The stored image file',
  params: ImageIdParams,
  responses: { 200: { description: 'the image', contentType: 'image/*' } },
});

export const imageDensity = defineRoute({
  method: 'GET', path: '/api/v1/images/{id}/density', tags: ['ground truth'], auth: 'public', resource: 'image',
  summary: 'The latest fixation density map of an image (PNG heatmap or JSON grid)',
  params: ImageIdParams,
  query: ModalityQuery.extend({ format: z.enum(['png', 'json']).default('png') }),
  responses: { 200: { description: 'the map', contentType: 'image/png' } },
});

export const imageFixations = defineRoute({
  method: 'GET', path: '/api/v1/images/{id}/fixations', tags: ['ground truth'], auth: 'public', resource: 'image',
  summary: 'Accepted fixations on an image for one modality',
  params: ImageIdParams,
  query: ModalityQuery,
  responses: { 200: { description: 'fixations in image pixels' } },
});
