/** Schemas shared by several API areas (lib/api/*.ts). */
import { z } from 'zod';

export const IdParams = z.object({ id: z.uuid('must be a UUID') });

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** A path segment that is either a UUID or a slug (read-only routes that pages link by slug). */
export const IdOrSlugParams = z.object({
  id: z
    .string()
    .refine((v) => UUID_PATTERN.test(v) || SLUG_PATTERN.test(v), 'must be a UUID or a slug (lower-case letters, digits, hyphens)')
    .transform((v) => (UUID_PATTERN.test(v) ? { kind: 'id' as const, value: v.toLowerCase() } : { kind: 'slug' as const, value: v })),
});

/** Slugs become URLs (/datasets/<slug>, /workspace/models/<slug>); "new" is a page of its own. */
export const Slug = z
  .string()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/, 'lower-case letters, digits and hyphens (1–64), not starting or ending with a hyphen')
  .refine((s) => s !== 'new', 'is reserved')
  .meta({ description: 'URL name, e.g. "my-dataset"' });

export const Visibility = z.enum(['public', 'private']).meta({ description: 'private: visible to its owner and admins only' });

export const Timestamp = z.string().meta({ description: 'ISO 8601 date-time', format: 'date-time' });

/** DELETE of a dataset or model needs its slug typed again (`?confirm=<slug>`). */
export const ConfirmQuery = z.object({
  confirm: z.string().min(1, 'type the slug to confirm').meta({ description: 'the slug of what is deleted, typed again' }),
});

export const NoContent = { description: 'done; no body' } as const;
