/**
 * Flags shared by `gazebench explain` and `gazebench sanity`: the method list (from the explainer
 * registry, so methods added there need no CLI change), `--param` routing, the target, image
 * files, staged writing and progress lines. Bad values are UsageErrors (exit 2, one line).
 *
 * `--param k=v` (repeatable) goes to every selected method that has parameter k (or presets, for
 * `preset=NAME`); `method.k=v` to that method only; a key no selected method takes is an error.
 * Values stay strings here: lib/explainers/params.ts converts and checks them.
 */
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { getExplainer, type Explainer, type ExplainerTarget, type ExplainProgress } from '../explainers/index';
import { UsageError } from './main';
import { PREPROCESSING_PRESETS, type BundleOverrides, type Preprocessing } from '../models/bundle-core';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.webp'];
/** Seconds between progress lines when stderr is not a terminal. */
const PROGRESS_INTERVAL_S = 5;

export function integer(flag: string, text: string, min: number): number {
  if (!/^[+-]?\d+$/.test(text.trim())) throw new UsageError(`--${flag}: expected an integer, got '${text}'`);
  const value = Number(text);
  if (value < min) throw new UsageError(`--${flag}: must be ${min === 0 ? 'non-negative' : `at least ${min}`}, got ${value}`);
  return value;
}

export function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required (see --help)`);
  return value;
}

/** Comma-separated method names → registered explainers (unknown → ExplainerError listing names). */
export function parseMethods(text: string): Explainer[] {
  const names = [...new Set(text.split(',').map((s) => s.trim()).filter((s) => s !== ''))];
  if (names.length === 0) throw new UsageError('--method: empty list');
  return names.map((n) => getExplainer(n));
}

export function parseTarget(classText: string, outputText: string): ExplainerTarget {
  if (outputText !== 'logit' && outputText !== 'probability') throw new UsageError(`--target: expected logit or probability, got '${outputText}'`);
  return { classIndex: classText === 'predicted' ? 'predicted' : integer('class', classText, 0), output: outputText };
}

const accepts = (e: Explainer, key: string): boolean => Object.hasOwn(e.defaults, key) || (key === 'preset' && e.presets !== undefined);

/** `--param` entries → parameters per method name. */
export function routeParams(entries: readonly string[], methods: readonly Explainer[]): Map<string, Record<string, string>> {
  const routed = new Map<string, Record<string, string>>(methods.map((m) => [m.name, {}]));
  for (const entry of entries) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param: expected k=v or method.k=v, got '${entry}'`);
    const fullKey = entry.slice(0, eq).trim();
    const value = entry.slice(eq + 1).trim();
    const dot = fullKey.indexOf('.');
    const scoped = dot > 0 ? methods.find((m) => m.name === fullKey.slice(0, dot)) : undefined;
    const key = scoped === undefined ? fullKey : fullKey.slice(dot + 1);
    const targets = scoped === undefined ? methods.filter((m) => accepts(m, key)) : [scoped];
    if (targets.length === 0) {
      const taken = methods.map((m) => `${m.name}: ${Object.keys(m.defaults).join(', ') || 'none'}`).join('; ');
      throw new UsageError(`--param ${fullKey}: no selected method takes it (${taken})`);
    }
    for (const m of targets) (routed.get(m.name) as Record<string, string>)[key] = value;
  }
  return routed;
}

/** `--image`: one file, or the PNG/JPEG/WebP files of a folder (sorted, not recursive). */
export async function listImages(input: string): Promise<string[]> {
  const info = await stat(input).catch(() => null);
  if (info === null) throw new UsageError(`--image: ${input} does not exist`);
  if (!info.isDirectory()) return [input];
  const files = (await readdir(input)).filter((f) => IMAGE_EXTENSIONS.includes(path.extname(f).toLowerCase())).sort();
  if (files.length === 0) throw new UsageError(`--image: no PNG, JPEG or WebP files in ${input}`);
  const stems = new Map<string, string>();
  for (const f of files) {
    const stem = path.parse(f).name;
    const other = stems.get(stem);
    if (other !== undefined) throw new UsageError(`--image: ${other} and ${f} would write the same output files (same name stem '${stem}')`);
    stems.set(stem, f);
  }
  return files.map((f) => path.join(input, f));
}

/** Progress lines on stderr: every 200 ms on a terminal, every 5 s otherwise, always the last. */
export function progressPrinter(command: string, what: string): (p: ExplainProgress) => void {
  const started = Date.now();
  let last = 0;
  const tty = process.stderr.isTTY === true;
  return (p) => {
    const now = Date.now();
    const finished = p.done === p.total;
    if (!finished && now - last < (tty ? 200 : PROGRESS_INTERVAL_S * 1000)) return;
    last = now;
    const line = `${command}: ${what} — ${p.done}/${p.total}, ${((now - started) / 1000).toFixed(1)} s`;
    process.stderr.write(tty ? `\r${line}${finished ? '\n' : ''}` : `${line}\n`);
  };
}

/**
 * Files written to a temporary folder beside `outDir` and moved in only by `commit()`, so a
 * failure leaves nothing half-written; `discard()` removes the temporary folder, and so does an
 * interrupt (SIGINT/SIGTERM) before commit or discard, which then exits with 130/143.
 */
export async function stagedFolder(outDir: string): Promise<{ write(name: string, bytes: string | Uint8Array): Promise<void>; commit(): Promise<string[]>; discard(): Promise<void> }> {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  const parentOk = await stat(parent).then((s) => s.isDirectory(), () => false);
  if (!parentOk) throw new UsageError(`--out: folder ${parent} does not exist`);
  const existing = await stat(target).catch(() => null);
  if (existing !== null && !existing.isDirectory()) throw new UsageError(`--out: ${target} exists and is not a folder`);
  const tmp = await mkdtemp(path.join(parent, `.${path.basename(target)}-tmp-`));
  const names: string[] = [];
  const onSignal = (signal: NodeJS.Signals): void => {
    rmSync(tmp, { recursive: true, force: true });
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  const release = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return {
    async write(name, bytes) {
      await writeFile(path.join(tmp, name), bytes);
      names.push(name);
    },
    async commit() {
      release();
      await mkdir(target, { recursive: true });
      for (const name of names) await rename(path.join(tmp, name), path.join(target, name));
      await rm(tmp, { recursive: true, force: true });
      return names.map((n) => path.join(target, n));
    },
    async discard() {
      release();
      await rm(tmp, { recursive: true, force: true });
    },
  };
}

/** --preprocessing and --labels: settings that win over gazebench.json and metadata.json. */
export function bundleOverrides(preprocessing: string | undefined, labels: string | undefined): BundleOverrides {
  const out: { preprocessing?: Preprocessing; labels?: string[] } = {};
  if (preprocessing !== undefined) {
    if (!(PREPROCESSING_PRESETS as readonly string[]).includes(preprocessing)) {
      throw new UsageError(`--preprocessing: unknown preset '${preprocessing}' (choose from ${PREPROCESSING_PRESETS.join(', ')})`);
    }
    out.preprocessing = preprocessing as Preprocessing;
  }
  if (labels !== undefined) {
    const list = labels.split(',').map((s) => s.trim());
    if (list.some((l) => l === '')) throw new UsageError(`--labels: empty label in '${labels}'`);
    out.labels = list;
  }
  return out;
}
