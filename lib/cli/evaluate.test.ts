import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_DATASET_SEED, generateShapeImage } from '@/lib/demo/shapes';
import { evaluateWithoutGroundTruth } from '@/lib/evaluation/evaluate';
import { writeNpy } from '@/lib/io/npy';
import { decodePng, encodePng } from '@/lib/io/png';
import { loadModelBundle } from '@/lib/models/bundle';
import { initTfNode } from '@/lib/models/tf-node';
import { saveBundle, sumModel } from '@/lib/models/toy-bundle.test-util';
import { main } from './main';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO_MODEL = path.join(ROOT, 'public/models/demo-shapes');
const N = 8;

let work: string;
let modelDir: string;
let imageFile: string;
let mapFile: string;

/** RGBA image of N×N with a bright square in the top-left quarter. */
function toyImage(): Uint8Array {
  const rgba = new Uint8Array(N * N * 4);
  for (let i = 0; i < N * N; i++) {
    const bright = i % N < N / 2 && Math.floor(i / N) < N / 2;
    rgba.set([bright ? 250 : 40 + i, bright ? 240 : 30, bright ? 230 : 20 + i, 255], i * 4);
  }
  return rgba;
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/gazebench.mjs'), 'evaluate', ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  await initTfNode('wasm');
  work = await mkdtemp(path.join(tmpdir(), 'gazebench-evaluate-cli-'));
  modelDir = await saveBundle(sumModel({ height: N, width: N, a: 1 }), { labels: ['light', 'dark'], preprocessing: 'unit', inputSize: [N, N] });
  imageFile = path.join(work, 'image.png');
  await writeFile(imageFile, encodePng({ width: N, height: N, data: toyImage() }));
  mapFile = path.join(work, 'map.json');
  await writeFile(mapFile, JSON.stringify({ width: 4, height: 4, data: [9, 8, 1, 0, 7, 6, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7] }));
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(modelDir, { recursive: true, force: true });
});

describe('gazebench evaluate (spawned, end to end)', () => {
  it('writes the result of evaluateWithoutGroundTruth to --out, the curves to --plot, nothing to stdout', async () => {
    const out = path.join(work, 'result.json');
    const plot = path.join(work, 'curves.png');
    const r = await runCli(['--model', modelDir, '--image', imageFile, '--saliency', mapFile, '--metrics', 'insertion,deletion,adic', '--step', '5', '--out', out, '--plot', plot]);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    const result = JSON.parse(await readFile(out, 'utf8')) as Record<string, unknown>;
    expect(Object.keys(result)).toEqual(['classIndex', 'label', 'step', 'insertion', 'deletion', 'adic']);
    const bundle = await loadModelBundle(modelDir);
    const expected = await evaluateWithoutGroundTruth({
      bundle,
      image: { width: N, height: N, rgba: toyImage() },
      saliency: { width: 4, height: 4, data: Float64Array.from([9, 8, 1, 0, 7, 6, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7]) },
      metrics: ['insertion', 'deletion', 'adic'],
      step: 5,
    });
    bundle.dispose();
    expect(result).toEqual(JSON.parse(JSON.stringify(expected)));
    expect((result.deletion as { curve: number[] }).curve.length).toBe(Math.ceil(64 / 5) + 1);
    const png = decodePng(await readFile(plot));
    expect([png.width, png.height]).toEqual([600, 420]);
  });

  it('prints the JSON on stdout without --out; bad input through the launcher exits 2 with one line', async () => {
    const ok = await runCli(['--model', modelDir, '--image', imageFile, '--saliency', mapFile, '--metrics', 'deletion']);
    expect(ok.code).toBe(0);
    const result = JSON.parse(ok.stdout) as { step: number; deletion: { curve: number[] }; insertion?: unknown };
    expect(result.step).toBe(N);
    expect(result.deletion.curve.length).toBe(N + 1);
    expect(result.insertion).toBeUndefined();
    const bad = await runCli(['--model', modelDir, '--image', imageFile, '--saliency', mapFile, '--step', '0', '--out', path.join(work, 'never.json')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/--step: must be at least 1, got 0/);
    expect(existsSync(path.join(work, 'never.json'))).toBe(false);
  });

  // The demo CNN (4× average-pooled input) still recognises most shapes through the RISE blur, so
  // their insertion curves start near 1 for any map; a held-out star is one where insertion is
  // informative. The map ranks object pixels first, the centre before the edge (mask + a Gaussian
  // of the object radius); the inverse is its negation, i.e. the exact reverse order.
  it.skipIf(!existsSync(path.join(DEMO_MODEL, 'model.json')))(
    'demo model: the object map scores a higher insertion and a lower deletion AUC than its inverse',
    async () => {
      const shape = generateShapeImage(DEMO_DATASET_SEED, 50, 'star');
      const image = path.join(work, 'star.png');
      await writeFile(image, encodePng({ width: 224, height: 224, data: shape.rgba }));
      const object = Float32Array.from(shape.mask, (m, k) => {
        const d2 = ((k % 224) - shape.center.x) ** 2 + (Math.floor(k / 224) - shape.center.y) ** 2;
        return m + 0.5 * Math.exp(-d2 / (2 * shape.radius ** 2));
      });
      const map = path.join(work, 'object.npy');
      await writeFile(map, writeNpy({ width: 224, height: 224, data: object }));
      const inverse = path.join(work, 'inverse.json');
      await writeFile(inverse, JSON.stringify({ width: 224, height: 224, data: Array.from(object, (v) => -v) }));
      const evaluate = async (file: string) => {
        const r = await runCli(['--model', DEMO_MODEL, '--image', image, '--saliency', file, '--class', String(shape.labelIndex)]);
        expect(r.code, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as { classIndex: number; step: number; insertion: { auc: number; curve: number[] }; deletion: { auc: number } };
      };
      const forward = await evaluate(map);
      const reverse = await evaluate(inverse);
      expect(forward.classIndex).toBe(shape.labelIndex);
      expect(forward.step).toBe(224);
      expect(forward.insertion.curve).toHaveLength(225);
      expect(forward.insertion.auc).toBeGreaterThan(reverse.insertion.auc);
      expect(forward.deletion.auc).toBeLessThan(reverse.deletion.auc);
    },
    240_000,
  );
});

describe('gazebench evaluate: bad input → exit 2, a one-line reason, nothing written', () => {
  let stderr: string[];
  let stdout: string[];
  afterEach(() => vi.restoreAllMocks());

  async function expectRejected(args: string[], pattern: RegExp): Promise<void> {
    stderr = [];
    stdout = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    const dir = await mkdtemp(path.join(work, 'out-'));
    const code = await main(['evaluate', ...args, '--out', path.join(dir, 'r.json'), '--plot', path.join(dir, 'c.png')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^gazebench evaluate: [^\n]+\n$/);
    expect(stderr[0]).toMatch(pattern);
    expect(await readdir(dir)).toEqual([]);
  }

  const base = (): string[] => ['--model', modelDir, '--image', imageFile, '--saliency', mapFile];
  const withMap = async (name: string, bytes: string | Uint8Array): Promise<string[]> => {
    const file = path.join(work, name);
    await writeFile(file, bytes);
    return ['--model', modelDir, '--image', imageFile, '--saliency', file];
  };

  it('a map with 0 pixels (NPY and JSON)', async () => {
    const npy = writeNpy({ width: 1, height: 1, data: new Float64Array([1]) });
    const header = new TextDecoder('latin1').decode(npy.subarray(10, 10 + (npy[8] as number)));
    const zero = new TextEncoder().encode(header.replace('(1, 1)', '(0, 1)'));
    const bytes = new Uint8Array(10 + zero.length);
    bytes.set(npy.subarray(0, 10));
    bytes.set(zero, 10);
    await expectRejected(await withMap('empty.npy', bytes), /empty\.npy: .*positive sizes, got \(0, 1\)/);
    await expectRejected(await withMap('empty.json', JSON.stringify({ width: 0, height: 3, data: [] })), /empty\.json: not a grid .* at width/);
  });

  it('NaN in the map', async () => {
    const args = await withMap('nan.npy', writeNpy({ width: 2, height: 2, data: Float64Array.from([0, 1, NaN, 3]) }));
    await expectRejected(args, /saliency: non-finite value NaN at index 2/);
  });

  it.each([
    [['--step', '0'], /--step: must be at least 1, got 0/],
    [['--step=-3'], /--step: must be at least 1, got -3/],
    [['--step', '-3'], /Option '--step' argument is ambiguous/],
    [['--step', '2.5'], /--step: expected an integer, got '2.5'/],
    [['--class', '2'], /classIndex: 2 is out of range for a model with 2 classes/],
    [['--class', 'dog'], /--class: expected an integer, got 'dog'/],
    [['--metrics', 'insertion,pointing-game'], /--metrics: unknown metric 'pointing-game'/],
    [['--batch', '0'], /--batch: must be at least 1/],
    [['--backend', 'webgl'], /--backend: expected wasm or cpu/],
    [['--frobnicate'], /Unknown option '--frobnicate'/],
  ])('%j', async (extra, pattern) => {
    await expectRejected([...base(), ...extra], pattern);
  });

  it('an --out folder that does not exist (checked before any work)', async () => {
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    const code = await main(['evaluate', ...base(), '--out', path.join(work, 'no-such-folder', 'r.json')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(/--out: folder .*no-such-folder does not exist/);
  });

  it('missing required flags', async () => {
    await expectRejected(['--model', modelDir, '--image', imageFile], /--saliency is required/);
  });

  it('an unreadable model: missing folder, not a TF.js model.json, missing shard', async () => {
    await expectRejected(['--model', path.join(work, 'nope'), '--image', imageFile, '--saliency', mapFile], /model bundle .*nope: dir: not a directory/);
    const fake = await mkdtemp(path.join(work, 'fake-model-'));
    await writeFile(path.join(fake, 'model.json'), JSON.stringify({ hello: 'world' }));
    await expectRejected(['--model', fake, '--image', imageFile, '--saliency', mapFile], /model\.json: not a TF\.js model/);
    await writeFile(path.join(fake, 'model.json'), await readFile(path.join(modelDir, 'model.json')));
    await expectRejected(['--model', fake, '--image', imageFile, '--saliency', mapFile], /missing weight shard: weights\.bin/);
  });

  it('an unreadable image: missing file, not an image', async () => {
    await expectRejected(['--model', modelDir, '--image', path.join(work, 'missing.png'), '--saliency', mapFile], /missing\.png: cannot read/);
    const text = path.join(work, 'notes.png');
    await writeFile(text, 'not an image at all');
    await expectRejected(['--model', modelDir, '--image', text, '--saliency', mapFile], /notes\.png: not a supported image \(supported formats: PNG, JPEG, WebP\)/);
  });
});
