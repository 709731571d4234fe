/** Database rows → API bodies (the shapes lib/api/*.ts declare). */
import type { ApiTokenSummary } from '@/db/queries/auth';
import type { DatasetRow, ImageRow } from '@/db/queries/datasets';
import type { ModelRow } from '@/db/queries/models';
import { isOwner, type Actor } from '@/lib/auth/access';
import type { z } from 'zod';
import type { DatasetBody, ImageBody } from './datasets';
import type { ModelBody } from './models';
import type { TokenBody } from './tokens';

export function presentDataset(row: Pick<DatasetRow, 'id' | 'slug' | 'name' | 'description' | 'visibility' | 'isDemo' | 'ownerId' | 'createdAt'>, imageCount: number, actor: Actor): z.infer<typeof DatasetBody> {
  return {
    id: row.id, slug: row.slug, name: row.name, description: row.description, visibility: row.visibility, demo: row.isDemo,
    mine: isOwner(actor, row), imageCount, createdAt: row.createdAt.toISOString(),
  };
}

export function presentImage(row: ImageRow): z.infer<typeof ImageBody> {
  return { id: row.id, name: row.name, classLabel: row.classLabel, width: row.width, height: row.height, mimeType: row.mimeType, bytes: row.bytes, sha256: row.sha256 };
}

export function presentModel(row: ModelRow & { ownerName?: string | null }, actor: Actor): z.infer<typeof ModelBody> {
  return {
    owner: row.ownerId === null ? null : { id: row.ownerId, name: row.ownerName ?? '' },
    id: row.id, slug: row.slug, name: row.name, architecture: row.architecture, trainingData: row.trainingData, license: row.license,
    visibility: row.visibility, demo: row.isDemo, mine: isOwner(actor, row), format: row.format, url: row.url, labels: row.labels,
    preprocessing: row.preprocessing, inputSize: [row.inputHeight, row.inputWidth], targetLayer: row.targetLayer,
    heldOutAccuracy: row.heldOutAccuracy, sha256: row.sha256, bytes: row.bytes, files: row.files, rewrites: row.rewrites, createdAt: row.createdAt.toISOString(),
  };
}

export function presentToken(row: ApiTokenSummary): z.infer<typeof TokenBody> {
  return {
    id: row.id, name: row.name, prefix: row.prefix,
    scopes: row.scopes.filter((s): s is 'read' | 'write' => s === 'read' || s === 'write'),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null, revokedAt: row.revokedAt?.toISOString() ?? null, createdAt: row.createdAt.toISOString(),
  };
}

export function presentSession(user: { id: string; email: string; name: string; role: 'admin' | 'researcher' }, actor: Actor, csrfToken?: string) {
  const via = actor.kind === 'user' ? actor.via : 'cookie';
  return {
    user: { id: user.id, email: user.email, name: user.name, role: user.role },
    ...(csrfToken ? { csrfToken } : {}),
    via,
    scopes: actor.kind === 'user' ? [...actor.scopes] : ['read', 'write'],
  };
}
