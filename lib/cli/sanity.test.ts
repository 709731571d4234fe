import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { naiveTwin, randomImage } from '@/lib/explainers/testing/toy-models';
import { encodePng } from '@/lib/io/png';
import { initTfNode } from '@/lib/models/tf-node';
import { saveBundle } from '@/lib/models/toy-bundle.test-util';
import { main } from './main';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let work: string;
let modelDir: string;
let imageFile: string;

beforeAll(async () => {
  await initTfNode('wasm');
  work = await mkdtemp(path.join(tmpdir(), 'gazebench-sanity-cli-'));
  modelDir = await saveBundle(naiveTwin(23).model, { labels: ['a', 'b', 'c'], preprocessing: 'unit', inputSize: [8, 8], targetLayer: 'features' });
  imageFile = path.join(work, 'image.png');
  const image = randomImage(5);
  await writeFile(imageFile, encodePng({ width: 8, height: 8, data: image.rgba }));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(modelDir, { recursive: true, force: true });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/gazebench.mjs'), 'sanity', ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Result {
  threshold: number;
  results: Array<{ method: string; flagged: boolean; steps: Array<{ randomized: string[]; spearman: number }> }>;
}

describe('gazebench sanity', () => {
  it('spawned: Grad-CAM changes after 3 layers (exit 0); the result JSON goes to stdout', async () => {
    const r = await runCli(['--model', modelDir, '--image', imageFile, '--method', 'gradcam', '--layers', '3']);
    expect(r.code, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout) as Result;
    expect(result.threshold).toBe(0.8);
    expect(result.results[0]?.flagged).toBe(false);
    expect(result.results[0]?.steps.map((s) => s.randomized.length)).toEqual([1, 2, 3]);
    expect(r.stderr).toMatch(/sanity: gradcam: Spearman ρ = -?\d\.\d{3} after 3 layers → the map changed/);
  }, 60_000);

  it('FEM ignores the classifier: randomising only the top (Dense) layer leaves it unchanged → flagged, exit 1, --out written', async () => {
    const out = path.join(work, 'fem.json');
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const code = await main(['sanity', '--model', modelDir, '--image', imageFile, '--method', 'fem,gradcam', '--layers', '1', '--out', out]);
    vi.restoreAllMocks();
    expect(code).toBe(1);
    const result = JSON.parse(await readFile(out, 'utf8')) as Result;
    expect(result.results.map((r) => [r.method, r.flagged])).toEqual([['fem', true], ['gradcam', false]]);
    expect(result.results[0]?.steps).toEqual([{ randomized: ['classes'], spearman: 1 }]);
  });

  describe('bad input → exit 2, one line, nothing written', () => {
    afterEach(() => vi.restoreAllMocks());
    it.each([
      [['--method', 'gradcam', '--layers', '9'], /gradcam: layers: must be an integer from 1 to 4 \(layers with weights in the model\), got 9/],
      [['--method', 'gradcam', '--layers', '0'], /--layers: must be at least 1, got 0/],
      [['--method', 'nope'], /nope: method: unknown method/],
      [['--method', 'gradcam', '--class', '7'], /gradcam: classIndex: 7 is out of range for a model with 3 classes/],
    ])('%j', async (extra, pattern) => {
      const stderr: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const dir = await mkdtemp(path.join(work, 'bad-'));
      const code = await main(['sanity', '--model', modelDir, '--image', imageFile, ...extra, '--out', path.join(dir, 'r.json')]);
      vi.restoreAllMocks();
      expect(code).toBe(2);
      const errors = stderr.filter((l) => !l.startsWith('sanity: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(pattern);
      expect(await readdir(dir)).toEqual([]);
    });
  });
});
