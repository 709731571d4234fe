/**
 * `gazebench score`: compute saliency-vs-gaze metrics.
 *
 *   gazebench score <bundle.json> [--metrics cc,ssim,...] [--out results.json] [--seed N]
 *   gazebench score --saliency map.(png|npy|json) --density gt.(png|npy|json)
 *                   [--fixations fix.csv] [--baseline b.(png|npy|json)] [--metrics ...] [--out ...]
 *
 * The bundle is the reference interchange format (tests/fixtures/reference-metrics.README.md).
 * Metric keys and definitions are the registry's (GROUND_TRUTH_METRICS in lib/metrics). By
 * default every reference metric whose inputs the case has is computed, then emd (density present;
 * lib/metrics/emd shrinks maps to at most 32 cells a side) and aucBorji (fixations present). `--out` writes `{cases:[{name, metrics}], densityMaps:[{result}], resize:[{result}],
 * curveAuc:[{result}]}` in input order. In single-pair mode a saliency map of another size than
 * the density is resized to it (bilinear, as the MIT benchmark resizes to the fixation map).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { readGridFile } from '../io/grid-file';
import { densityMap } from '../imaging/density-map';
import { resizeBilinear } from '../imaging/resize';
import {
  GROUND_TRUTH_METRICS,
  canCompute,
  curveAuc,
  isGroundTruthMetricName,
  type GroundTruthInput,
  type GroundTruthMetricName,
} from '../metrics/index';
import type { Grid, Point } from '../metrics/types';
import { UsageError } from './main';

const REFERENCE_METRICS: readonly GroundTruthMetricName[] = ['cc', 'ssim', 'ssimGaussian', 'sim', 'kld', 'nss', 'aucJudd', 'aucShuffled', 'infoGain'];

const gridSchema = z
  .object({ width: z.number().int().positive(), height: z.number().int().positive(), data: z.array(z.number()) })
  .refine((g) => g.data.length === g.width * g.height, { message: 'data length must equal width*height', path: ['data'] });
const pointsSchema = z.array(z.tuple([z.number(), z.number()]));
const sizeSchema = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });
const bundleSchema = z.object({
  cases: z
    .array(
      z.object({
        name: z.string(),
        saliency: gridSchema,
        density: gridSchema.optional(),
        baseline: gridSchema.optional(),
        fixations: pointsSchema.optional(),
        negativeFixations: pointsSchema.optional(),
        negativeSize: sizeSchema.optional(),
        expected: z.record(z.string(), z.number()).optional(),
      }),
    )
    .default([]),
  densityMaps: z
    .array(z.object({ width: z.number().int().positive(), height: z.number().int().positive(), sigma: z.number(), fixations: pointsSchema, expected: gridSchema.optional() }))
    .default([]),
  resize: z.array(z.object({ source: gridSchema, width: z.number().int().positive(), height: z.number().int().positive(), expected: gridSchema.optional() })).default([]),
  curveAuc: z.array(z.object({ scores: z.array(z.number()), expected: z.number().optional() })).default([]),
});

export type Bundle = z.infer<typeof bundleSchema>;
type JsonGrid = z.infer<typeof gridSchema>;

export interface BundleResults {
  cases: { name: string; metrics: Record<string, number> }[];
  densityMaps: { result: Grid }[];
  resize: { result: Grid }[];
  curveAuc: { result: number }[];
}

export async function readBundle(path: string): Promise<Bundle> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`${path}: invalid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(`${path}: not a scoring bundle at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

const toGrid = (g: JsonGrid): Grid<Float64Array> => ({ width: g.width, height: g.height, data: Float64Array.from(g.data) });
const toPoints = (p: [number, number][]): Point[] => p.map(([x, y]) => ({ x, y }));

export function parseMetricList(list: string | undefined): GroundTruthMetricName[] | undefined {
  if (list === undefined) return undefined;
  const names = list.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  for (const name of names) {
    if (!isGroundTruthMetricName(name)) throw new UsageError(`unknown metric '${name}' (known: ${Object.keys(GROUND_TRUTH_METRICS).join(', ')})`);
  }
  return names as GroundTruthMetricName[];
}

/** Default metric list for an input: the reference metrics it allows, then emd and aucBorji. */
export function defaultMetrics(input: GroundTruthInput): GroundTruthMetricName[] {
  return [...REFERENCE_METRICS, 'emd', 'aucBorji'].filter((m): m is GroundTruthMetricName => isGroundTruthMetricName(m) && canCompute(m, input));
}

export function computeMetrics(input: GroundTruthInput, names: readonly GroundTruthMetricName[]): Record<string, number> {
  const metrics: Record<string, number> = {};
  for (const name of names) metrics[name] = GROUND_TRUTH_METRICS[name].compute(input);
  return metrics;
}

export function caseInput(c: Bundle['cases'][number], seed?: number): GroundTruthInput {
  return {
    saliency: toGrid(c.saliency),
    ...(c.density && { density: toGrid(c.density) }),
    ...(c.baseline && { baseline: toGrid(c.baseline) }),
    ...(c.fixations && { fixations: toPoints(c.fixations) }),
    ...(c.negativeFixations && { negatives: { fixations: toPoints(c.negativeFixations), ...(c.negativeSize && { size: c.negativeSize }) } }),
    ...(seed !== undefined && { seed }),
  };
}

/** Recompute every section of a bundle; `metricsFor` picks the metric names of each case. */
export function scoreBundle(bundle: Bundle, metricsFor: (c: Bundle['cases'][number], input: GroundTruthInput) => readonly GroundTruthMetricName[], seed?: number): BundleResults {
  return {
    cases: bundle.cases.map((c) => {
      const input = caseInput(c, seed);
      return { name: c.name, metrics: computeMetrics(input, metricsFor(c, input)) };
    }),
    densityMaps: bundle.densityMaps.map((d) => ({ result: densityMap(toPoints(d.fixations), d.width, d.height, d.sigma) })),
    resize: bundle.resize.map((r) => ({ result: resizeBilinear(toGrid(r.source), r.width, r.height) })),
    curveAuc: bundle.curveAuc.map((c) => ({ result: curveAuc(c.scores) })),
  };
}

/** Fixations CSV with a header naming columns x and y (other columns ignored). */
export function parseFixationsCsv(text: string, source: string): Point[] {
  const lines = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l.length > 0);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const xi = header.indexOf('x');
  const yi = header.indexOf('y');
  if (xi < 0 || yi < 0) throw new UsageError(`${source}: the first line must be a header with columns x and y`);
  return lines.slice(1).map((line, i) => {
    const cells = line.split(',');
    const x = Number(cells[xi]);
    const y = Number(cells[yi]);
    if (cells[xi] === undefined || cells[yi] === undefined || !Number.isFinite(x) || !Number.isFinite(y)) {
      throw new UsageError(`${source}: line ${i + 2}: expected numbers in columns x and y, got '${line}'`);
    }
    return { x, y };
  });
}

function jsonGrid(g: Grid): { width: number; height: number; data: number[] } {
  return { width: g.width, height: g.height, data: Array.from(g.data) };
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(6);
}

export function printTables(results: BundleResults, out: NodeJS.WritableStream): void {
  for (const c of results.cases) {
    out.write(`${c.name}\n`);
    const rows = Object.entries(c.metrics).map(([key, value]) => {
      const m = isGroundTruthMetricName(key) ? GROUND_TRUTH_METRICS[key] : undefined;
      return [`${m?.label ?? key} (${key})`, formatValue(value), m === undefined ? '' : m.direction === 'higher' ? 'higher is better' : 'lower is better'];
    });
    const w0 = Math.max(6, ...rows.map((r) => (r[0] as string).length));
    const w1 = Math.max(5, ...rows.map((r) => (r[1] as string).length));
    out.write(`  ${'metric'.padEnd(w0)}  ${'value'.padStart(w1)}\n`);
    for (const [label, value, direction] of rows) out.write(`  ${(label as string).padEnd(w0)}  ${(value as string).padStart(w1)}  ${direction}\n`);
    out.write('\n');
  }
  if (results.densityMaps.length + results.resize.length + results.curveAuc.length > 0) {
    out.write(`density maps: ${results.densityMaps.length}, resizes: ${results.resize.length}, curve AUCs: ${results.curveAuc.map((c) => formatValue(c.result)).join(', ') || 'none'}\n`);
  }
}

export const SCORE_HELP = `Usage:
  gazebench score <bundle.json> [--metrics cc,ssim,...] [--out results.json] [--seed N]
  gazebench score --saliency MAP --density GT [--fixations fix.csv] [--baseline MAP] [--metrics ...] [--out ...]
Maps: .npy (2-D float16/float32/float64), .png (grayscale 8/16-bit), .json ({width, height, data}).
Metrics: ${Object.keys(GROUND_TRUTH_METRICS).join(', ')}.`;

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      metrics: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      saliency: { type: 'string' },
      density: { type: 'string' },
      fixations: { type: 'string' },
      baseline: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help === true) {
    process.stdout.write(`${SCORE_HELP}\n`);
    return 0;
  }
  const requested = parseMetricList(values.metrics);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${values.seed}'`);

  let results: BundleResults;
  if (positionals.length === 1 && values.saliency === undefined && values.density === undefined) {
    const bundle = await readBundle(positionals[0] as string);
    results = scoreBundle(bundle, (_, input) => requested ?? defaultMetrics(input), seed);
  } else if (positionals.length === 0 && values.saliency !== undefined && values.density !== undefined) {
    const density = await readGridFile(values.density);
    let saliency = await readGridFile(values.saliency);
    if (saliency.width !== density.width || saliency.height !== density.height) {
      process.stderr.write(`note: resizing saliency ${saliency.width}x${saliency.height} to the density's ${density.width}x${density.height}\n`);
      saliency = resizeBilinear(saliency, density.width, density.height);
    }
    const input: GroundTruthInput = {
      saliency,
      density,
      ...(values.fixations !== undefined && { fixations: parseFixationsCsv(await readFile(values.fixations, 'utf8'), values.fixations) }),
      ...(values.baseline !== undefined && { baseline: await readGridFile(values.baseline) }),
      ...(seed !== undefined && { seed }),
    };
    results = { cases: [{ name: 'pair', metrics: computeMetrics(input, requested ?? defaultMetrics(input)) }], densityMaps: [], resize: [], curveAuc: [] };
  } else {
    throw new UsageError(`give one bundle file, or --saliency and --density\n${SCORE_HELP}`);
  }

  printTables(results, process.stdout);
  if (values.out !== undefined) {
    const json = {
      cases: results.cases,
      densityMaps: results.densityMaps.map((d) => ({ result: jsonGrid(d.result) })),
      resize: results.resize.map((r) => ({ result: jsonGrid(r.result) })),
      curveAuc: results.curveAuc,
    };
    await writeFile(values.out, `${JSON.stringify(json, null, 2)}\n`);
  }
  return 0;
}
