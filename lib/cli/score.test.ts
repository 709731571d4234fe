import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { writeNpy } from '../io/npy';
import { defaultMetrics, parseFixationsCsv, parseMetricList } from './score';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'tests/fixtures/reference-metrics.json');
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/gazebench.mjs', ...args], { cwd: root, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'gazebench-score-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Reference {
  cases: { name: string; expected: Record<string, number> }[];
  densityMaps: { expected: { width: number; height: number; data: number[] } }[];
  resize: unknown[];
  curveAuc: { expected: number }[];
}

describe('gazebench score <bundle>', () => {
  it('prints a table per case and writes the results JSON in input order', () => {
    const out = join(dir, 'results.json');
    const r = cli('score', 'tests/fixtures/reference-metrics.json', '--metrics', 'cc,nss,aucJudd,infoGain', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/random-24x32\n {2}metric +value\n {2}PCC \(cc\) +-0\.013067 +higher is better/);
    const reference = JSON.parse(readFileSync(fixture, 'utf8')) as Reference;
    const results = JSON.parse(readFileSync(out, 'utf8')) as {
      cases: { name: string; metrics: Record<string, number> }[];
      densityMaps: { result: { width: number; height: number; data: number[] } }[];
      resize: unknown[];
      curveAuc: { result: number }[];
    };
    expect(results.cases.map((c) => c.name)).toEqual(reference.cases.map((c) => c.name));
    results.cases.forEach((c, i) => {
      expect(Object.keys(c.metrics)).toEqual(['cc', 'nss', 'aucJudd', 'infoGain']);
      for (const [k, v] of Object.entries(c.metrics)) expect(Math.abs(v - (reference.cases[i]?.expected[k] as number))).toBeLessThan(1e-9);
    });
    expect(results.densityMaps).toHaveLength(reference.densityMaps.length);
    expect(results.densityMaps[0]?.result.width).toBe(reference.densityMaps[0]?.expected.width);
    expect(results.resize).toHaveLength(reference.resize.length);
    results.curveAuc.forEach((c, i) => expect(Math.abs(c.result - (reference.curveAuc[i]?.expected as number))).toBeLessThan(1e-9));
  });

  it('an unknown metric name is a usage error (exit 2)', () => {
    const r = cli('score', 'tests/fixtures/reference-metrics.json', '--metrics', 'cc,bogus');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/unknown metric 'bogus'/);
  });
});

describe('gazebench score --saliency --density', () => {
  it('scores one pair from .npy / .json files and a fixations CSV', () => {
    const sal = join(dir, 'sal.npy');
    const gt = join(dir, 'gt.json');
    const fix = join(dir, 'fix.csv');
    const out = join(dir, 'pair.json');
    writeFileSync(sal, writeNpy({ width: 4, height: 3, data: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]) }));
    writeFileSync(gt, JSON.stringify({ width: 4, height: 3, data: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }));
    writeFileSync(fix, 'x,y,duration\n3,2,200\n0,0,100\n');
    const r = cli('score', '--saliency', sal, '--density', gt, '--fixations', fix, '--metrics', 'cc,sim,aucJudd', '--out', out);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const metrics = (JSON.parse(readFileSync(out, 'utf8')) as { cases: { metrics: Record<string, number> }[] }).cases[0]?.metrics;
    expect(metrics?.cc).toBeCloseTo(1, 12);
    expect(metrics?.sim).toBeCloseTo(1, 12);
    // Positives 11 and 0 among negatives 1..10: ROC (0,0) (0,.5) (1,1) -> 0.75.
    expect(metrics?.aucJudd).toBeCloseTo(0.75, 12);
  });

  it('bad inputs exit 2 with one line: missing file, bad NPY, MetricError', () => {
    const gt = join(dir, 'gt2.json');
    writeFileSync(gt, JSON.stringify({ width: 2, height: 1, data: [0, 1] }));
    const missing = cli('score', '--saliency', join(dir, 'nope.npy'), '--density', gt);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/ENOENT/);
    const badNpy = join(dir, 'bad.npy');
    writeFileSync(badNpy, 'not numpy');
    expect(cli('score', '--saliency', badNpy, '--density', gt).status).toBe(2);
    const fix = join(dir, 'outside.csv');
    writeFileSync(fix, 'x,y\n5,0\n');
    const outside = cli('score', '--saliency', gt, '--density', gt, '--fixations', fix, '--metrics', 'nss');
    expect(outside.status).toBe(2);
    expect(outside.stderr.trim()).toMatch(/^gazebench score: nss: fixations: fixation 0 \(5, 0\) is outside/);
  });
});

describe('score helpers', () => {
  it('parseFixationsCsv reads x and y by header name and reports the bad line', () => {
    expect(parseFixationsCsv('t,y,x\r\n1,2,3\n\n4,5,6\n', 'f.csv')).toEqual([{ x: 3, y: 2 }, { x: 6, y: 5 }]);
    expect(() => parseFixationsCsv('x,y\n1,abc\n', 'f.csv')).toThrow(/f\.csv: line 2/);
    expect(() => parseFixationsCsv('a,b\n1,2\n', 'f.csv')).toThrow(/header with columns x and y/);
  });

  it('parseMetricList and defaultMetrics', () => {
    expect(parseMetricList('cc, nss')).toEqual(['cc', 'nss']);
    expect(parseMetricList(undefined)).toBeUndefined();
    const map = { width: 8, height: 8, data: new Float64Array(64) };
    expect(defaultMetrics({ saliency: map, density: map })).toEqual(['cc', 'ssim', 'ssimGaussian', 'sim', 'kld', 'emd']);
    expect(defaultMetrics({ saliency: map, fixations: [{ x: 1, y: 1 }] })).toEqual(['nss', 'aucJudd', 'aucBorji']);
    const negatives = { fixations: [{ x: 0, y: 0 }] };
    expect(defaultMetrics({ saliency: map, density: map, baseline: map, fixations: [{ x: 1, y: 1 }], negatives })).toEqual([
      'cc', 'ssim', 'ssimGaussian', 'sim', 'kld', 'nss', 'aucJudd', 'aucShuffled', 'infoGain', 'emd', 'aucBorji',
    ]);
  });
});
