/**
 * `gazebench fixations`: fixation detection on a CSV of gaze samples (issue 5) — for offline data
 * and for checking the detector the server runs on every completed trial (lib/gaze/fixations).
 *
 *   gazebench fixations --samples s.csv --ppd <pixels per degree> [--method idt|ivt]
 *     [--dispersion-deg D] [--min-duration-ms M] [--velocity-deg-s V] [--max-gap-ms G] --out f.csv
 *
 * Input: a header row naming at least the columns t_ms, x and y (any order, other columns
 * ignored), then one sample per row; time strictly increasing; an empty x or y marks a sample
 * without gaze (face lost / blink: a gap). x, y in pixels of the space the ppd refers to.
 * Output: x,y,start_ms,duration_ms,samples (3 decimals). Defaults are the study defaults of
 * lib/studies/config (I-DT, 2°, 100 ms, I-VT 50 °/s, gaps over 150 ms split, merge < 75 ms & < 1°).
 * Bad input: exit 2 with one line on stderr and nothing written (temp file, renamed at the end).
 */
import { mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { detectFixations, type DetectionParams, type GazePoint } from '../gaze/fixations';
import { FLAG_FACE_LOST } from '../gaze/samples';
import { FixationDetectionConfig } from '../studies/config';
import { UsageError } from './main';

const HELP = `Usage: gazebench fixations --samples s.csv --ppd <pixels per degree> --out f.csv
  [--method idt|ivt]        detector (default idt)
  [--dispersion-deg D]      I-DT dispersion threshold in degrees (default 2)
  [--min-duration-ms M]     shortest fixation in ms (default 100)
  [--velocity-deg-s V]      I-VT velocity threshold in degrees/s (default 50)
  [--max-gap-ms G]          a gap between samples longer than this splits fixations (default 150)
Input CSV: header with t_ms,x,y; empty x or y = no gaze (gap). Output CSV: x,y,start_ms,duration_ms,samples.
Exit codes: 0 success, 2 bad input (one line on stderr, nothing written).`;

export class SamplesCsvError extends Error {}

function positive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const v = Number(text);
  if (text.trim() === '' || !Number.isFinite(v) || v <= 0) throw new UsageError(`--${flag}: expected a positive number, got '${text}'`);
  return v;
}

/** Parses the samples CSV; errors name the line. */
export function parseSamplesCsv(text: string, file = 'samples'): GazePoint[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const col = (name: string) => {
    const i = header.indexOf(name);
    if (i < 0) throw new SamplesCsvError(`${file}: the header has no '${name}' column (need t_ms,x,y; got '${lines[0] ?? ''}')`);
    return i;
  };
  const [ti, xi, yi] = [col('t_ms'), col('x'), col('y')];
  const out: GazePoint[] = [];
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line.trim() === '') continue;
    const cells = line.split(',');
    const cell = (i: number) => (cells[i] ?? '').trim();
    const t = Number(cell(ti));
    if (cell(ti) === '' || !Number.isFinite(t)) throw new SamplesCsvError(`${file} line ${n + 1}: t_ms '${cell(ti)}' is not a finite number`);
    const last = out.at(-1);
    if (last && t <= last.t) throw new SamplesCsvError(`${file} line ${n + 1}: time goes backwards (${t} after ${last.t})`);
    if (cell(xi) === '' || cell(yi) === '') {
      out.push({ t, x: 0, y: 0, flags: FLAG_FACE_LOST });
      continue;
    }
    const x = Number(cell(xi));
    const y = Number(cell(yi));
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new SamplesCsvError(`${file} line ${n + 1}: x, y '${cell(xi)}', '${cell(yi)}' are not finite numbers`);
    out.push({ t, x, y, flags: 0 });
  }
  return out;
}

const r3 = (v: number) => String(Math.round(v * 1000) / 1000);

async function fixations(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      samples: { type: 'string' }, ppd: { type: 'string' }, out: { type: 'string' }, method: { type: 'string', default: 'idt' },
      'dispersion-deg': { type: 'string' }, 'min-duration-ms': { type: 'string' }, 'velocity-deg-s': { type: 'string' },
      'max-gap-ms': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!values.samples) throw new UsageError('--samples is required (see --help)');
  if (!values.out) throw new UsageError('--out is required (see --help)');
  const ppd = positive('ppd', values.ppd);
  if (ppd === undefined) throw new UsageError('--ppd is required (see --help)');
  const method = values.method;
  if (method !== 'idt' && method !== 'ivt') throw new UsageError(`--method: expected idt or ivt, got '${method}'`);
  const defaults = FixationDetectionConfig.parse({});
  const params: DetectionParams = {
    ...defaults,
    method,
    dispersionDeg: positive('dispersion-deg', values['dispersion-deg']) ?? defaults.dispersionDeg,
    minDurationMs: positive('min-duration-ms', values['min-duration-ms']) ?? defaults.minDurationMs,
    velocityDegPerS: positive('velocity-deg-s', values['velocity-deg-s']) ?? defaults.velocityDegPerS,
    maxGapMs: positive('max-gap-ms', values['max-gap-ms']) ?? defaults.maxGapMs,
  };
  const target = path.resolve(values.out);
  if (!(await stat(path.dirname(target)).then((s) => s.isDirectory(), () => false))) {
    throw new UsageError(`--out: folder ${path.dirname(target)} does not exist`);
  }
  const samples = parseSamplesCsv(await readFile(values.samples, 'utf8'), values.samples);
  const found = detectFixations(samples, ppd, params);
  const csv = ['x,y,start_ms,duration_ms,samples', ...found.map((f) => [r3(f.x), r3(f.y), r3(f.startMs), r3(f.durationMs), f.samples].join(','))].join('\n');
  const dir = await mkdtemp(path.join(path.dirname(target), `.${path.basename(target)}-`));
  try {
    const tmp = path.join(dir, path.basename(target));
    await writeFile(tmp, `${csv}\n`);
    await rename(tmp, target);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  process.stderr.write(`fixations: ${found.length} fixations from ${samples.length} samples (${method})\n`);
  return 0;
}

export async function run(argv: string[]): Promise<number> {
  try {
    return await fixations(argv);
  } catch (error) {
    if (error instanceof SamplesCsvError) {
      process.stderr.write(`gazebench fixations: ${error.message.split('\n')[0]}\n`);
      return 2;
    }
    throw error;
  }
}
