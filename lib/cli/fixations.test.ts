import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FLAG_FACE_LOST } from '@/lib/gaze/samples';
import { syntheticTrace } from '@/lib/gaze/synthetic-trace';
import { createRandom } from '@/lib/random';
import { parseSamplesCsv } from './fixations';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PPD = 40;
const TRUTH = [
  { x: 200, y: 200, durationMs: 400 },
  { x: 600, y: 300, durationMs: 300 },
  { x: 400, y: 600, durationMs: 500 },
];
let work: string;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/gazebench.mjs'), 'fixations', ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), 'gazebench-fixations-cli-'));
  const trace = syntheticTrace(TRUTH, createRandom(42), { ppd: PPD, gaps: [{ startMs: 100, durationMs: 60 }] });
  const rows = trace.samples.map((s) => (s.flags & FLAG_FACE_LOST ? `${s.t},,` : `${s.t},${s.x},${s.y}`));
  await writeFile(path.join(work, 's.csv'), ['t_ms,x,y', ...rows].join('\n'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('gazebench fixations', () => {
  it('finds the three fixations of a synthetic trace (I-DT and I-VT) and writes the CSV', async () => {
    for (const method of ['idt', 'ivt']) {
      const r = await runCli(['--samples', 's.csv', '--ppd', String(PPD), '--method', method, '--out', `f-${method}.csv`]);
      expect(r.code, r.stderr).toBe(0);
      const lines = (await readFile(path.join(work, `f-${method}.csv`), 'utf8')).trim().split('\n');
      expect(lines[0]).toBe('x,y,start_ms,duration_ms,samples');
      const rows = lines.slice(1).map((l) => l.split(',').map(Number));
      expect(rows).toHaveLength(3);
      rows.forEach((row, i) => {
        const [x, y, , duration, n] = row as [number, number, number, number, number];
        expect(Math.hypot(x - (TRUTH[i]?.x ?? 0), y - (TRUTH[i]?.y ?? 0)) / PPD).toBeLessThan(0.5);
        expect(Math.abs(duration - (TRUTH[i]?.durationMs ?? 0))).toBeLessThan(135);
        expect(n).toBeGreaterThan(5);
      });
    }
  });

  it('options change the result: a 1-s minimum duration leaves no fixation', async () => {
    const r = await runCli(['--samples', 's.csv', '--ppd', '40', '--min-duration-ms', '1000', '--out', 'none.csv']);
    expect(r.code).toBe(0);
    expect((await readFile(path.join(work, 'none.csv'), 'utf8')).trim()).toBe('x,y,start_ms,duration_ms,samples');
  });

  it('bad input: exit 2, one line on stderr, nothing written', async () => {
    await writeFile(path.join(work, 'back.csv'), 't_ms,x,y\n0,1,1\n33,1,1\n20,1,1\n');
    await writeFile(path.join(work, 'nan.csv'), 't_ms,x,y\n0,1,1\n33,abc,1\n');
    await writeFile(path.join(work, 'cols.csv'), 'time,x,y\n0,1,1\n');
    const cases: Array<[string[], RegExp]> = [
      [['--samples', 's.csv', '--out', 'o.csv'], /--ppd is required/],
      [['--samples', 's.csv', '--ppd', '0', '--out', 'o.csv'], /--ppd: expected a positive number/],
      [['--samples', 's.csv', '--ppd', '40', '--method', 'ivx', '--out', 'o.csv'], /--method: expected idt or ivt/],
      [['--samples', 'missing.csv', '--ppd', '40', '--out', 'o.csv'], /ENOENT|no such file/],
      [['--samples', 'back.csv', '--ppd', '40', '--out', 'o.csv'], /line 4: time goes backwards/],
      [['--samples', 'nan.csv', '--ppd', '40', '--out', 'o.csv'], /line 3: x, y 'abc'/],
      [['--samples', 'cols.csv', '--ppd', '40', '--out', 'o.csv'], /no 't_ms' column/],
      [['--samples', 's.csv', '--ppd', '40', '--out', 'nope/o.csv'], /folder .* does not exist/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    }
    expect(existsSync(path.join(work, 'o.csv'))).toBe(false);
    expect((await readdir(work)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('parseSamplesCsv', () => {
  it('reads columns by name, ignores others, turns empty x/y into gap samples', () => {
    expect(parseSamplesCsv('x,extra,t_ms,y\n5,q,10,6\n,,20,\n')).toEqual([
      { t: 10, x: 5, y: 6, flags: 0 },
      { t: 20, x: 0, y: 0, flags: FLAG_FACE_LOST },
    ]);
  });
});
