/**
 * Evaluation without ground truth for a run: insertion and deletion AUCs (and ROAD when the run
 * asks) of every saliency map, by running the run's stored model in Node on the TF.js wasm backend
 * through lib/evaluation/evaluate.ts (RISE conventions: model-input space, deletion to zeros,
 * insertion from the RISE blur, softmax probability, `step` pixels per step, default the input
 * width). The class is the model's prediction unless the run's target says `class: 'label'` (the
 * image's class label) or a fixed index.
 *
 * The model's files: an uploaded bundle (models.files) is linked from the blob store into a folder
 * with its stored settings (lib/storage/model-bundles.ts); a platform bundle's models.url
 * '/models/<name>/model.json' lives under public/models (the demo model, committed). A bundle that
 * cannot be read records a failure per map rather than retrying forever.
 * A map uploaded with the browser's own curves (lib/scoring/client-curves.ts) has them spot-checked
 * instead (lib/evaluation/verify-curves.ts): k = GAZEBENCH_CURVE_SAMPLES seeded points per curve,
 * a seed drawn here, after the upload, and stored in `detail.check` so the check can be replayed.
 * Every insertion/deletion score says how it was obtained (`curve_source`).
 * Results: one score per (map, metric) with density map null and the curve in `detail`; a failure
 * (bad class, model not loadable) is recorded once per (map, metric).
 */
import path from 'node:path';
import type { Db } from '@/db/client';
import { datasetImages } from '@/db/queries/datasets';
import { getRunContext, insertFailures, insertScores, runMapIndex, saliencyMapFor, scoreKey, settledKeys, type FailureWrite, type ScoreWrite } from '@/db/queries/runs';
import { EVALUATION_METRICS, evaluateWithoutGroundTruth, type EvaluationMetric } from '../evaluation/evaluate';
import { verifyClientCurves } from '../evaluation/verify-curves';
import { decodeImage, ImageFileError } from '../io/image-file';
import { MetricError } from '../metrics/errors';
import { loadModelBundle, ModelBundleError, type ModelBundle } from '../models/bundle';
import { maybeForwardPool, poolSizeFromEnv, type ForwardPool } from '../models/forward-pool';
import { initTfNode } from '../models/tf-node';
import { readBlob } from '../storage/blobs';
import { modelBundleDir } from '../storage/model-bundles';
import { CURVE_TOLERANCE, curveSamples, newCurveSeed } from './curve-check';
import type { BudgetOptions, JobProgress } from './score-run';
import { refreshRunStatus } from './score-run';
import { yieldToEventLoop } from './suite';

export interface EvaluateRunOptions extends BudgetOptions {
  readonly dataDir: string;
  /** The site's public/ folder (model files of '/models/…' URLs). */
  readonly publicDir: string;
  /** k of the spot check of browser curves (default GAZEBENCH_CURVE_SAMPLES, lib/scoring/curve-check); 0 = recompute in full. */
  readonly curveSamples?: number;
}

export class ModelFilesError extends Error {}

/** Folder of a model whose model.json is served at `url` from public/models; refuses anything else. */
export function modelDirFromUrl(url: string, publicDir: string): string {
  const clean = url.split(/[?#]/)[0] ?? '';
  if (!clean.startsWith('/models/') || !clean.endsWith('/model.json')) {
    throw new ModelFilesError(`model files at '${url}' are not on this server's disk (only /models/…/model.json under public/ is)`);
  }
  const root = path.resolve(publicDir, 'models');
  const dir = path.resolve(publicDir, `.${path.posix.dirname(clean)}`);
  if (dir !== root && !dir.startsWith(`${root}${path.sep}`)) throw new ModelFilesError(`model url '${url}' leaves public/models`);
  return dir;
}

const bundles = new Map<string, Promise<ModelBundle>>();
/** Worker threads per bundle (GAZEBENCH_THREADS, default every core; none at 1), kept like the bundles. */
const pools = new Map<string, Promise<ForwardPool | null>>();

async function poolFor(dir: string): Promise<ForwardPool | null> {
  let pool = pools.get(dir);
  if (!pool) {
    pool = maybeForwardPool(dir, poolSizeFromEnv());
    pools.set(dir, pool);
    pool.catch(() => pools.delete(dir));
  }
  return pool;
}

async function bundleFor(dir: string): Promise<ModelBundle> {
  let bundle = bundles.get(dir);
  if (!bundle) {
    bundle = initTfNode().then(() => loadModelBundle(dir));
    bundles.set(dir, bundle);
    bundle.catch(() => bundles.delete(dir));
  }
  return bundle;
}

function classFor(target: Record<string, unknown>, labels: readonly string[], classLabel: string | null): number | 'predicted' {
  const rule = target.class;
  if (rule === undefined || rule === 'predicted') return 'predicted';
  if (typeof rule === 'number') return rule;
  if (rule === 'label') {
    const index = classLabel === null ? -1 : labels.indexOf(classLabel);
    if (index < 0) throw new MetricError('evaluate', 'classIndex', `the image's class '${classLabel ?? 'none'}' is not one of the model's labels`);
    return index;
  }
  throw new MetricError('evaluate', 'target.class', `unknown class rule ${JSON.stringify(rule)}`);
}

export async function evaluateRun(db: Db, runId: string, options: EvaluateRunOptions): Promise<JobProgress> {
  const started = Date.now();
  const context = await getRunContext(db, runId);
  if (!context) return { done: true, stored: 0, failed: 0 };
  const { run, model } = context;
  const wanted = run.evaluateWithoutGroundTruth.filter((m): m is EvaluationMetric => (EVALUATION_METRICS as readonly string[]).includes(m));
  if (wanted.length === 0) return { done: true, stored: 0, failed: 0 };
  const settled = await settledKeys(db, runId);
  const images = new Map((await datasetImages(db, run.datasetId)).map((i) => [i.id, i]));
  const maps = (await runMapIndex(db, runId)).sort((a, b) => (a.imageId < b.imageId ? -1 : 1));
  let stored = 0;
  let failed = 0;
  for (const map of maps) {
    const missing = wanted.filter((m) => !settled.has(scoreKey(map.imageId, m, null)));
    const image = images.get(map.imageId);
    if (missing.length === 0 || !image) continue;
    if (options.signal?.aborted || (options.budgetMs !== undefined && Date.now() - started > options.budgetMs)) return { done: false, stored, failed };
    const values: ScoreWrite[] = [];
    const failures: FailureWrite[] = [];
    try {
      // Uploaded bundles are in the blob store; platform bundles under public/models.
      const dir = model.files ? await modelBundleDir(options.dataDir, { ...model, files: model.files }).catch((e: unknown) => {
        throw new ModelFilesError(`model files of '${model.name}' cannot be read from the store: ${e instanceof Error ? e.message : String(e)}`);
      }) : modelDirFromUrl(model.url, options.publicDir);
      const bundle = await bundleFor(dir);
      const pool = await poolFor(bundle.dir);
      const saliency = await saliencyMapFor(db, runId, map.imageId);
      if (!saliency) continue;
      const decoded = await decodeImage(await readBlob(options.dataDir, image.sha256), image.name);
      const classIndex = classFor(run.target, bundle.config.labels, image.classLabel);
      const common = {
        bundle,
        image: decoded,
        saliency: saliency.grid,
        classIndex,
        pause: yieldToEventLoop,
        pool,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(run.evaluationStep ? { step: run.evaluationStep } : {}),
      };
      // Browser curves are spot-checked at points drawn now, after the upload (issue 18).
      const k = options.curveSamples ?? curveSamples();
      const client = saliency.clientCurves;
      const checkCurves = client !== null && k > 0 && missing.includes('insertion') && missing.includes('deletion');
      const rest = checkCurves ? missing.filter((m) => m !== 'insertion' && m !== 'deletion') : missing;
      if (checkCurves) {
        const checked = await verifyClientCurves({ ...common, client, samples: k, tolerance: CURVE_TOLERANCE, seed: newCurveSeed() });
        const base = { classIndex: checked.classIndex, label: checked.label, step: checked.step };
        for (const metric of ['insertion', 'deletion'] as const) {
          const c = checked[metric];
          values.push({ imageId: map.imageId, metric, densityMapId: null, value: c.auc, curveSource: c.source, detail: { ...base, curve: c.curve, check: c.check } });
        }
      }
      if (rest.length > 0) {
        const result = await evaluateWithoutGroundTruth({ ...common, metrics: rest });
        const base = { classIndex: result.classIndex, label: result.label, step: result.step };
        if (result.insertion) values.push({ imageId: map.imageId, metric: 'insertion', densityMapId: null, value: result.insertion.auc, curveSource: 'recomputed', detail: { ...base, curve: result.insertion.curve } });
        if (result.deletion) values.push({ imageId: map.imageId, metric: 'deletion', densityMapId: null, value: result.deletion.auc, curveSource: 'recomputed', detail: { ...base, curve: result.deletion.curve } });
        if (result.road) values.push({ imageId: map.imageId, metric: 'road', densityMapId: null, value: result.road.combined, detail: { ...base, ...result.road } });
      }
      for (const v of values) {
        if (!Number.isFinite(v.value)) failures.push({ imageId: map.imageId, metric: v.metric, densityMapId: null, message: `${v.metric}: result is ${v.value}` });
      }
    } catch (error) {
      // The worker is stopping: this image is left unscored, for the next start to redo.
      if (options.signal?.aborted) return { done: false, stored, failed };
      if (!(error instanceof MetricError || error instanceof ModelBundleError || error instanceof ModelFilesError || error instanceof ImageFileError)) throw error;
      for (const m of missing) failures.push({ imageId: map.imageId, metric: m, densityMapId: null, message: error.message });
    }
    const finite = values.filter((v) => Number.isFinite(v.value));
    await db.transaction(async (tx) => {
      await insertScores(tx, runId, finite);
      await insertFailures(tx, runId, failures);
    });
    stored += finite.length;
    failed += failures.length;
    for (const m of missing) settled.add(scoreKey(map.imageId, m, null));
  }
  await refreshRunStatus(db, runId);
  return { done: true, stored, failed };
}
