/**
 * Access to datasets, runs, images and studies for route handlers and pages: resolve, then ask
 * lib/auth/access. What the actor may not read is `undefined` (the route answers 404, so private
 * resources of others stay invisible). A run is readable when its dataset is and the run is public
 * or the actor's (admins read everything).
 */
import { z } from 'zod';
import type { Db } from '@/db/client';
import { getDatasetById, getDatasetBySlug, getImageWithDataset } from '@/db/queries/datasets';
import { getRunContext } from '@/db/queries/runs';
import { getStudyById } from '@/db/queries/studies';
import { type Actor, canRead, canWrite } from '../auth/access';

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

/** Studies have no visibility of their own: private to their owner (and admins), 404 to everyone else. */
export async function readableStudy(db: Db, actor: Actor, studyId: string) {
  const study = await getStudyById(db, studyId);
  return study && canRead(actor, { ownerId: study.ownerId, visibility: 'private' }) ? study : undefined;
}

export function runIsWritable(actor: Actor, run: { ownerId: string | null }): boolean {
  return canWrite(actor, run);
}
