/**
 * Which explanation methods a stored model can run (issue 16), for the server: POST /api/v1/runs
 * refuses a run whose method the model refuses, and the run creator greys such methods out.
 * Decided from the stored model, never from the client: models.methods, recorded at upload
 * (lib/models/upload.ts `finalizeModel`, from `methodsFor` on the loaded bundle); rows without it
 * (platform bundles under public/models, uploads from before migration 0005) have it computed
 * here once, by loading the bundle with TF.js, and stored on the row. Capabilities depend on the
 * model's graph and layers only, not on its editable settings, so the stored list never goes stale.
 */
import path from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { models, type StoredMethodCapability } from '@/db/schema';
import { methodsFor } from '@/lib/explainers';
import { modelBundleDir, type StoredModelFiles } from '@/lib/storage/model-bundles';
import { loadModelBundle } from './bundle';
import { initTfNode } from './tf-node';

export interface StoredModelForMethods extends Omit<StoredModelFiles, 'files'> {
  readonly url: string;
  readonly files: StoredModelFiles['files'] | null;
  readonly methods: readonly StoredMethodCapability[] | null;
}

/** Folder of a platform model whose model.json is served at `url` from public/models; null for anything else. */
function publicModelDir(url: string, publicDir: string): string | null {
  const clean = url.split(/[?#]/)[0] ?? '';
  if (!clean.startsWith('/models/') || !clean.endsWith('/model.json')) return null;
  const root = path.resolve(/*turbopackIgnore: true*/ publicDir, 'models');
  const dir = path.resolve(/*turbopackIgnore: true*/ publicDir, `.${path.posix.dirname(clean)}`);
  return dir === root || dir.startsWith(`${root}${path.sep}`) ? dir : null;
}

const computing = new Map<string, Promise<StoredMethodCapability[] | null>>();

async function compute(dataDir: string, publicDir: string, model: StoredModelForMethods): Promise<StoredMethodCapability[] | null> {
  const dir = model.files ? await modelBundleDir(dataDir, { ...model, files: model.files }) : publicModelDir(model.url, publicDir);
  if (dir === null) return null;
  await initTfNode('wasm');
  const bundle = await loadModelBundle(dir);
  try {
    return methodsFor(bundle).map(({ method, ok, reason, field }) => ({ method, ok, ...(reason === undefined ? {} : { reason }), ...(field === undefined ? {} : { field }) }));
  } finally {
    bundle.dispose();
  }
}

/**
 * The model's method capabilities: the stored list, else computed from its bundle and stored.
 * null when the bundle is not on this server (an external URL) or cannot be loaded: the caller
 * then cannot refuse in advance (the explainers still refuse at run time).
 */
export async function storedModelMethods(db: Db, dataDir: string, publicDir: string, model: StoredModelForMethods & { readonly id: string }): Promise<readonly StoredMethodCapability[] | null> {
  if (model.methods !== null) return model.methods;
  const key = `${model.id}:${model.sha256 ?? model.url}`;
  let pending = computing.get(key);
  if (pending === undefined) {
    pending = compute(dataDir, publicDir, model).catch(() => null);
    computing.set(key, pending);
  }
  const methods = await pending;
  computing.delete(key);
  if (methods !== null) await db.update(models).set({ methods }).where(eq(models.id, model.id));
  return methods;
}

/** The refusal of `method` by the model, or null when it can run it (or nothing is known). */
export function refusalOf(methods: readonly StoredMethodCapability[] | null, method: string): string | null {
  const entry = methods?.find((m) => m.method === method);
  return entry !== undefined && !entry.ok ? (entry.reason ?? 'this model cannot run this method') : null;
}
