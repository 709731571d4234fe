import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'tests/fixtures/reference-metrics.json');
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/gazebench.mjs', ...args], { cwd: root, encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'gazebench-verify-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('gazebench verify-metrics', () => {
  it('passes on the reference bundle (every section) and exits 0', () => {
    const r = cli('verify-metrics', 'tests/fixtures/reference-metrics.json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\b0 failed/);
    expect(r.stdout).toContain('PASS  correlated aucJudd');
    expect(r.stdout).toContain('PASS  densityMaps[0] grid');
    expect(r.stdout).toContain('PASS  resize[0] grid');
    expect(r.stdout).toContain('PASS  curveAuc[0] auc');
    expect(r.stdout).not.toContain('FAIL');
  });

  it('a changed expected value fails with exit 1, naming the case and the metric', () => {
    const bundle = JSON.parse(readFileSync(fixture, 'utf8')) as { cases: { name: string; expected: Record<string, number> }[] };
    const target = bundle.cases.find((c) => c.name === 'random-30x30');
    if (target === undefined) throw new Error('fixture changed: no random-30x30 case');
    target.expected.nss = (target.expected.nss as number) + 1e-6;
    const path = join(dir, 'corrupted.json');
    writeFileSync(path, JSON.stringify(bundle));
    const r = cli('verify-metrics', path);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}random-30x30 nss .*\|diff\| 1\.00e-6/);
    expect(r.stdout.match(/^FAIL/gm)).toHaveLength(1);
    const json = cli('verify-metrics', path, '--json');
    expect(json.status).toBe(1);
    const report = JSON.parse(json.stdout) as { failed: number; checks: { name: string; metric: string; pass: boolean }[] };
    expect(report.failed).toBe(1);
    expect(report.checks.filter((c) => !c.pass)).toMatchObject([{ name: 'random-30x30', metric: 'nss' }]);
  });

  it('a looser tolerance accepts the same change', () => {
    const bundle = JSON.parse(readFileSync(fixture, 'utf8')) as { cases: { expected: Record<string, number> }[] };
    const first = bundle.cases[0] as { expected: Record<string, number> };
    first.expected.cc = (first.expected.cc as number) + 1e-7;
    const path = join(dir, 'loose.json');
    writeFileSync(path, JSON.stringify(bundle));
    expect(cli('verify-metrics', path, '--tolerance', '1e-6').status).toBe(0);
  });

  it('a NaN in the bundle is bad input: exit 2 with one line on stderr', () => {
    const text = readFileSync(fixture, 'utf8').replace(/"expected": \{"cc": [^,]+/, '"expected": {"cc": NaN');
    expect(text).toContain('NaN');
    const path = join(dir, 'nan.json');
    writeFileSync(path, text);
    const r = cli('verify-metrics', path);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/invalid JSON/);
    // A null where a number belongs is caught by the schema, also exit 2.
    writeFileSync(path, JSON.stringify({ cases: [{ name: 'x', saliency: { width: 1, height: 1, data: [null] } }] }));
    expect(cli('verify-metrics', path).status).toBe(2);
    expect(cli('verify-metrics', join(dir, 'missing.json')).status).toBe(2);
  });
});
