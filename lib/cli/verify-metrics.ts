/**
 * `gazebench verify-metrics <bundle.json> [--tolerance 1e-9] [--json]`
 *
 * Recomputes every section of a reference bundle (cases, densityMaps, resize, curveAuc) and
 * compares with its `expected` values at an absolute tolerance (default 1e-9, the reference's).
 * Prints one line per metric value (PASS/FAIL, got, expected, |difference|) and one per grid
 * (largest |difference| and where); `--json` prints the same as JSON. Exit 0 when everything
 * passes, 1 on any mismatch, 2 on bad input or when the bundle has nothing to verify.
 */
import { parseArgs } from 'node:util';
import type { Grid } from '../metrics/types';
import { isGroundTruthMetricName, type GroundTruthMetricName } from '../metrics/index';
import { UsageError } from './main';
import { readBundle, scoreBundle } from './score';

export interface Check {
  section: 'cases' | 'densityMaps' | 'resize' | 'curveAuc';
  /** Case name or section index. */
  name: string;
  /** Metric key for cases; 'grid' or 'auc' otherwise. */
  metric: string;
  got: number | null;
  expected: number | null;
  difference: number | null;
  pass: boolean;
  note?: string;
}

function compareGrid(section: Check['section'], name: string, got: Grid, expected: { width: number; height: number; data: number[] }, tolerance: number): Check {
  if (got.width !== expected.width || got.height !== expected.height) {
    return { section, name, metric: 'grid', got: null, expected: null, difference: null, pass: false, note: `size ${got.width}x${got.height}, expected ${expected.width}x${expected.height}` };
  }
  let worst = 0;
  let at = 0;
  for (let i = 0; i < got.data.length; i++) {
    const d = Math.abs((got.data[i] as number) - (expected.data[i] as number));
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  return {
    section,
    name,
    metric: 'grid',
    got: got.data[at] as number,
    expected: expected.data[at] as number,
    difference: worst,
    pass: worst <= tolerance,
    note: `${got.width}x${got.height}, largest difference at (x=${at % got.width}, y=${Math.floor(at / got.width)})`,
  };
}

function valueCheck(section: Check['section'], name: string, metric: string, got: number, expected: number, tolerance: number): Check {
  const difference = Math.abs(got - expected);
  return { section, name, metric, got, expected, difference, pass: difference <= tolerance };
}

const fmt = (v: number | null): string => (v === null ? '-' : v.toPrecision(17));

function printCheck(c: Check): string {
  const label = c.section === 'cases' ? `${c.name} ${c.metric}` : `${c.section}[${c.name}] ${c.metric}`;
  const values = c.difference === null ? '' : `got ${fmt(c.got)} expected ${fmt(c.expected)} |diff| ${c.difference.toExponential(2)}`;
  return `${c.pass ? 'PASS' : 'FAIL'}  ${label}  ${values}${c.note ? `  (${c.note})` : ''}`;
}

export async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { tolerance: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help === true) {
    process.stdout.write('Usage: gazebench verify-metrics <bundle.json> [--tolerance 1e-9] [--json]\n');
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('give exactly one bundle file (gazebench verify-metrics <bundle.json>)');
  const tolerance = values.tolerance === undefined ? 1e-9 : Number(values.tolerance);
  if (!(tolerance >= 0)) throw new UsageError(`--tolerance must be a non-negative number, got '${values.tolerance}'`);

  const bundle = await readBundle(positionals[0] as string);
  const known = (c: (typeof bundle.cases)[number]): GroundTruthMetricName[] => Object.keys(c.expected ?? {}).filter(isGroundTruthMetricName);
  const results = scoreBundle(bundle, (c) => known(c));

  const checks: Check[] = [];
  bundle.cases.forEach((c, i) => {
    const got = results.cases[i]?.metrics ?? {};
    for (const [metric, expected] of Object.entries(c.expected ?? {})) {
      const value = got[metric];
      if (value === undefined) {
        checks.push({ section: 'cases', name: c.name, metric, got: null, expected, difference: null, pass: false, note: 'metric not implemented' });
      } else {
        checks.push(valueCheck('cases', c.name, metric, value, expected, tolerance));
      }
    }
  });
  bundle.densityMaps.forEach((d, i) => {
    const result = results.densityMaps[i]?.result;
    if (d.expected && result) checks.push(compareGrid('densityMaps', `${i}`, result, d.expected, tolerance));
  });
  bundle.resize.forEach((r, i) => {
    const result = results.resize[i]?.result;
    if (r.expected && result) checks.push(compareGrid('resize', `${i}`, result, r.expected, tolerance));
  });
  bundle.curveAuc.forEach((c, i) => {
    const result = results.curveAuc[i]?.result;
    if (c.expected !== undefined && result !== undefined) checks.push(valueCheck('curveAuc', `${i}`, 'auc', result, c.expected, tolerance));
  });
  if (checks.length === 0) throw new UsageError('the bundle has no expected values to verify');

  const failed = checks.filter((c) => !c.pass).length;
  if (values.json === true) {
    process.stdout.write(`${JSON.stringify({ tolerance, passed: checks.length - failed, failed, checks }, null, 2)}\n`);
  } else {
    for (const c of checks) process.stdout.write(`${printCheck(c)}\n`);
    process.stdout.write(`\n${checks.length - failed} passed, ${failed} failed (tolerance ${tolerance})\n`);
  }
  return failed === 0 ? 0 : 1;
}
