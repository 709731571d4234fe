/**
 * Access to datasets, runs and images for route handlers and pages: resolve, then ask
 * lib/auth/access. What the actor may not read is `undefined` (the route answers 404, so private
 * resources of others stay invisible). A run is readable when its dataset is and the run is public
 * or the actor's (admins read everything).
 */
import { z } from 'zod';
import type { Db } from '@/db/client';
import { getDatasetById, getDatasetBySlug, getImageWithDataset } from '@/db/queries/datasets';
import { getRunContext } from '@/db/queries/runs';
import { type Actor, canRead, canWrite } from '../auth/access';
import { apiError } from './errors';

const Uuid = z.uuid();

export async function readableDataset(db: Db, actor: Actor, idOrSlug: string) {
  const dataset = Uuid.safeParse(idOrSlug).success ? await getDatasetById(db, idOrSlug) : await getDatasetBySlug(db, idOrSlug);
  return dataset && canRead(actor, dataset) ? dataset : undefined;
}

export async function readableImage(db: Db, actor: Actor, imageId: string) {
  if (!Uuid.safeParse(imageId).success) return undefined;
  const found = await getImageWithDataset(db, imageId);
  return found && canRead(actor, found.dataset) ? found : undefined;
}

export async function readableRun(db: Db, actor: Actor, runId: string) {
  if (!Uuid.safeParse(runId).success) return undefined;
  const context = await getRunContext(db, runId);
  if (!context) return undefined;
  const { run, dataset } = context;
  return canRead(actor, dataset) && canRead(actor, { ownerId: run.ownerId, visibility: run.visibility }) ? context : undefined;
}

export function runIsWritable(actor: Actor, run: { ownerId: string | null }): boolean {
  return canWrite(actor, run);
}

/**
 * Mutations need a signed-in user with the write scope; cookie sessions must also echo their CSRF
 * secret in `X-CSRF-Token` (double submit). Null when allowed, else the error answer.
 */
export function writerCheck(actor: Actor, request: Request): Response | null {
  if (actor.kind !== 'user') return apiError(401, 'unauthorized', 'sign in or send Authorization: Bearer gzb_…');
  if (!actor.scopes.includes('write')) return apiError(403, 'forbidden', 'this API token has no write scope');
  if (actor.via === 'cookie' && request.headers.get('x-csrf-token') !== actor.csrfToken) {
    return apiError(403, 'forbidden', 'missing or wrong X-CSRF-Token for a cookie-authenticated request');
  }
  return null;
}
