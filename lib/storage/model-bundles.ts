/**
 * An uploaded model's bundle as a folder on disk, for the Node code that loads bundles from
 * folders (insertion/deletion evaluation in the job worker). Its files live content-addressed
 * under DATA_DIR/blobs; this links them (or copies, across file systems) into
 * DATA_DIR/model-bundles/<bundle sha256>/ under their upload names, next to a gazebench.json written
 * from the model's stored settings — the labels, preprocessing, input size and target layer the
 * researcher confirmed with a test prediction, which override any gazebench.json in the upload.
 * Built in a temp folder and renamed into place, so a concurrent worker never sees half a bundle.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { blobPath } from './blobs';

export interface StoredModelFiles {
  readonly id: string;
  readonly sha256: string | null;
  readonly files: readonly { name: string; sha256: string }[];
  readonly labels: readonly string[];
  readonly preprocessing: string;
  readonly inputWidth: number;
  readonly inputHeight: number;
  readonly targetLayer: string | null;
}

const CONFIG_NAME = 'gazebench.json';
/** Upload names are single path components (lib/models/upload.ts); anything else is refused here too. */
const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

export async function modelBundleDir(dataDir: string, model: StoredModelFiles): Promise<string> {
  const key = model.sha256 && /^[0-9a-f]{64}$/.test(model.sha256) ? model.sha256 : model.id;
  const config = { labels: model.labels, preprocessing: model.preprocessing, inputSize: [model.inputHeight, model.inputWidth], ...(model.targetLayer ? { targetLayer: model.targetLayer } : {}) };
  const configText = `${JSON.stringify(config, null, 2)}\n`;
  const root = path.join(dataDir, 'model-bundles');
  // The settings can change after upload (PATCH): they are part of the folder's name.
  const dir = path.join(root, `${key}-${createHashOf(configText)}`);
  if (await fs.access(path.join(dir, CONFIG_NAME)).then(() => true, () => false)) return dir;
  await fs.mkdir(root, { recursive: true });
  const tmp = `${dir}.${randomBytes(6).toString('hex')}.tmp`;
  await fs.mkdir(tmp);
  try {
    for (const file of model.files) {
      if (file.name === CONFIG_NAME) continue;
      if (!SAFE_NAME.test(file.name) || file.name.startsWith('.')) throw new Error(`model ${model.id}: unsafe file name '${file.name}'`);
      const source = blobPath(dataDir, file.sha256);
      await fs.link(source, path.join(tmp, file.name)).catch(() => fs.copyFile(source, path.join(tmp, file.name)));
    }
    await fs.writeFile(path.join(tmp, CONFIG_NAME), configText);
    await fs.rename(tmp, dir).catch(async (error: NodeJS.ErrnoException) => {
      // Another worker finished first: its folder is identical.
      if (error.code !== 'ENOTEMPTY' && error.code !== 'EEXIST') throw error;
      await fs.rm(tmp, { recursive: true, force: true });
    });
  } catch (error) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return dir;
}

function createHashOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}
