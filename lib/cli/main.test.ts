import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMMANDS, isInputError } from './main';
import { MetricError } from '../metrics/errors';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, ['bin/gazebench.mjs', ...args], { cwd: root, encoding: 'utf8' });

describe('gazebench launcher and dispatch', () => {
  it('--help lists every command and exits 0', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(r.stdout).toContain(name);
  });

  it('an unknown command prints the usage on stderr and exits 2; no command exits 2', () => {
    const r = cli('frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
    expect(r.stderr).toContain('Usage: gazebench');
    expect(cli().status).toBe(2);
  });

  it('an unknown option is bad input: one line, exit 2', () => {
    const r = cli('score', '--frobnicate');
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^gazebench score: .*frobnicate/);
  });

  it('classifies input errors', () => {
    expect(isInputError(new MetricError('cc', 'density', 'x'))).toBe(true);
    expect(isInputError(new SyntaxError('bad json'))).toBe(true);
    expect(isInputError(Object.assign(new Error('nope'), { code: 'ENOENT' }))).toBe(true);
    expect(isInputError(new TypeError('a bug'))).toBe(false);
  });
});
