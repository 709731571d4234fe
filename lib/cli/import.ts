/**
 * `gazebench import`: bring a lab's ground truth into a dataset (lib/ground-truth/import.ts).
 *
 *   gazebench import --dataset <slug> [--fixations f.csv] [--maps dir] [--modality lab] [--ppd N]
 *
 * Writes straight to the database of this installation (DATABASE_URL, or the embedded PostgreSQL
 * of DATA_DIR, shared with a running `npm start`), in one
 * transaction, then enqueues the reference rows and the rescoring of the dataset's runs for the
 * workers. Every problem is reported in one line naming the file, line or image (exit 2), and
 * nothing is written.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openDb, type DbHandle } from '@/db/client';
import { runMigrations } from '@/db/migrate';
import { getDatasetBySlug } from '@/db/queries/datasets';
import { MODALITIES, type Modality } from '@/db/schema/common';
import { loadConfig } from '../config';
import { ImportError, importGroundTruth } from '../ground-truth/import';
import { enqueueGroundTruthChanged } from '../jobs/ground-truth';
import { startQueue } from '../jobs/queue';
import { UsageError } from './main';

const HELP = `Usage: gazebench import --dataset <slug> [--fixations f.csv] [--maps dir] [--modality lab] [--ppd N]
  --fixations  CSV with header image,observer,x,y[,duration_ms] (image pixels)
  --maps       folder of density maps named after images: PNG 8/16-bit grayscale or NPY
  --modality   webcam | mouse | lab | simulated (default lab)
  --ppd        image pixels per degree of visual angle (required with --fixations; σ = 1°)
Uses DATABASE_URL or the embedded database under DATA_DIR (stop the server first when embedded).`;

export interface ImportDeps {
  /** An open database (tests); otherwise opened from the environment. */
  readonly handle?: DbHandle;
  /** Enqueue follow-up jobs (default true). */
  readonly enqueue?: boolean;
}

export async function importCommand(argv: string[], deps: ImportDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      dataset: { type: 'string' },
      fixations: { type: 'string' },
      maps: { type: 'string' },
      modality: { type: 'string', default: 'lab' },
      ppd: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.dataset) throw new UsageError('--dataset <slug> is required');
  if (!(MODALITIES as readonly string[]).includes(values.modality)) throw new UsageError(`--modality must be one of ${MODALITIES.join(', ')}`);
  const modality = values.modality as Modality;
  const ppd = values.ppd === undefined ? undefined : Number(values.ppd);
  if (ppd !== undefined && !(Number.isFinite(ppd) && ppd > 0)) throw new UsageError(`--ppd must be a positive number, got '${values.ppd}'`);
  if (!values.fixations && !values.maps) throw new UsageError('give --fixations and/or --maps');
  const fixationsCsv = values.fixations ? { name: path.basename(values.fixations), text: await readFile(values.fixations, 'utf8') } : undefined;
  const maps = [];
  if (values.maps) {
    for (const f of (await readdir(values.maps)).filter((n) => /\.(png|npy)$/i.test(n)).sort()) maps.push({ name: f, bytes: new Uint8Array(await readFile(path.join(values.maps, f))) });
    if (maps.length === 0) throw new UsageError(`${values.maps}: no .png or .npy files`);
  }

  const config = deps.handle ? undefined : loadConfig();
  const handle = deps.handle ?? (await openDb({ dataDir: config?.dataDir ?? '.data', databaseUrl: config?.databaseUrl, log: (line) => process.stderr.write(`${line}\n`) }));
  try {
    if (!deps.handle) await runMigrations(handle);
    const dataset = await getDatasetBySlug(handle.db, values.dataset);
    if (!dataset) throw new UsageError(`no dataset '${values.dataset}'`);
    let summary;
    try {
      summary = await importGroundTruth(handle.db, dataset.id, { modality, ...(ppd ? { pixelsPerDegree: ppd } : {}), ...(fixationsCsv ? { fixationsCsv } : {}), maps });
    } catch (error) {
      if (error instanceof ImportError) throw new UsageError(error.message);
      throw error;
    }
    process.stdout.write(
      `imported into ${dataset.slug} (${modality}): ${summary.observers} observers, ${summary.fixations} fixations, ${summary.maps} maps; ${summary.versions.filter((v) => v.changed).length} new density map versions\n`,
    );
    if (deps.enqueue !== false && summary.versions.some((v) => v.changed)) {
      const boss = await startQueue({ handle, supervise: false });
      try {
        await enqueueGroundTruthChanged(boss, dataset.id, modality);
      } finally {
        await boss.stop({ graceful: false, timeout: 2000 });
      }
      process.stdout.write('queued: reference rows and rescoring of the dataset\'s runs (run by the workers)\n');
    }
    return 0;
  } finally {
    if (!deps.handle) await handle.close();
  }
}

export const run = (argv: string[]): Promise<number> => importCommand(argv);
