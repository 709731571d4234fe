import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEMO_DATASET_SEED, generateShapeImage } from '@/lib/demo/shapes';
import { EXPLAINERS } from '@/lib/explainers/index';
import { randomImage, naiveTwin } from '@/lib/explainers/testing/toy-models';
import { normalizeForOutput } from '@/lib/imaging/normalize';
import { readNpy } from '@/lib/io/npy';
import { decodePng, encodePng } from '@/lib/io/png';
import { createModelBundle, loadModelBundle } from '@/lib/models/bundle';
import { GRAPH_NODES, graphCnnFixture, graphCnnTwin, saveGraphCnn } from '@/lib/models/testing/graph-model.test-util';
import { saveTeachableMachineExport, teachableMachineModel } from '@/lib/models/testing/teachable-machine.test-util';
import { initTfNode } from '@/lib/models/tf-node';
import { saveBundle, sumModel } from '@/lib/models/toy-bundle.test-util';
import { stagedFolder } from './explain-options';
import { main } from './main';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DEMO_MODEL = path.join(ROOT, 'public/models/demo-shapes');
const CONFIG = { labels: ['a', 'b', 'c'], preprocessing: 'unit', inputSize: [8, 8], targetLayer: 'features' };

let work: string;
let modelDir: string;
let imageDir: string;

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/gazebench.mjs'), 'explain', ...args], { cwd: work });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const png = (image: { width: number; height: number; rgba: Uint8Array }): Buffer => encodePng({ width: image.width, height: image.height, data: image.rgba });

beforeAll(async () => {
  await initTfNode('wasm');
  work = await mkdtemp(path.join(tmpdir(), 'gazebench-explain-cli-'));
  modelDir = await saveBundle(naiveTwin(23).model, CONFIG);
  imageDir = path.join(work, 'images');
  await mkdir(imageDir);
  await writeFile(path.join(imageDir, 'first.png'), png(randomImage(1)));
  await writeFile(path.join(imageDir, 'second.png'), png(randomImage(2)));
  await writeFile(path.join(imageDir, 'notes.txt'), 'not an image, and not listed');
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
  await rm(modelDir, { recursive: true, force: true });
});

describe('gazebench explain (spawned, end to end)', () => {
  it('a folder of images × three methods → JSON, NPY and PNG per pair, equal to the library result', async () => {
    const out = path.join(work, 'maps');
    const r = await runCli(['--model', modelDir, '--image', imageDir, '--method', 'gradcam,fem,scorecam', '--format', 'json,npy,png', '--param', 'k=1.5', '--batch', '2', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/explain: first scorecam — 5\/5/);
    expect(r.stderr).toMatch(/explain: wrote 18 files to /);
    const names = ['first', 'second'].flatMap((s) => ['gradcam', 'fem', 'scorecam'].flatMap((m) => ['json', 'npy', 'png'].map((e) => `${s}.${m}.${e}`)));
    expect((await readdir(out)).sort()).toEqual(names.sort());
    expect((await readdir(work)).filter((f) => f.startsWith('.'))).toEqual([]);

    const json = JSON.parse(await readFile(path.join(out, 'second.fem.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(json)).toEqual(['method', 'params', 'classIndex', 'label', 'output', 'score', 'layer', 'width', 'height', 'data', 'raw']);
    expect(json).toMatchObject({ method: 'fem', params: { k: 1.5 }, output: 'logit', layer: 'features', width: 8, height: 8 });
    const bundle = await loadModelBundle(modelDir);
    const expected = await EXPLAINERS.fem!.explain({ bundle, image: randomImage(2), target: { classIndex: 'predicted', output: 'logit' }, params: { k: 1.5 } });
    bundle.dispose();
    expect(json.classIndex).toBe(expected.classIndex);
    expect(json.label).toBe(CONFIG.labels[expected.classIndex]);
    expect(json.score).toBeCloseTo(expected.score, 6);
    const data = json.data as number[];
    expect(data).toEqual(Array.from(normalizeForOutput(expected.map).data));
    expect(Math.min(...data)).toBe(0);
    expect(Math.max(...data)).toBe(1);
    expect(json.raw).toEqual({ width: 4, height: 4, data: Array.from(normalizeForOutput(expected.raw!).data) });
    const npy = readNpy(await readFile(path.join(out, 'second.fem.npy')));
    expect(npy.data).toBeInstanceOf(Float32Array);
    expect(Array.from(npy.data)).toEqual(data);
    const overlay = decodePng(await readFile(path.join(out, 'second.fem.png')));
    expect([overlay.width, overlay.height]).toEqual([8, 8]);
    // 'k' goes to the method that has it only.
    expect(JSON.parse(await readFile(path.join(out, 'first.gradcam.json'), 'utf8')).params).toEqual({});
  }, 120_000);

  it('a Teachable Machine export folder (metadata.json) and a non-square image: every method runs from the CLI and equals the library', async () => {
    // 32² seeded Teachable-Machine-shaped export (nested Sequential, MobileNetV2-like base, labels
    // and the teachable-machine preset from metadata.json: nothing given on the command line).
    const tmModel = teachableMachineModel({ size: 32, seed: 9 });
    const tmDir = await saveTeachableMachineExport(tmModel);
    tmModel.dispose();
    const image = randomImage(17, 48, 32);
    const file = path.join(work, 'wide.png');
    await writeFile(file, png(image));
    const methods = Object.keys(EXPLAINERS);
    const params = { N: '32', num_samples: '32', n: '4', n_samples: '4', steps: '8' };
    const out = path.join(work, 'tm-maps');
    const r = await runCli(['--model', tmDir, '--image', file, '--method', methods.join(','), '--format', 'json,png', '--seed', '7', ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`]), '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect((await readdir(out)).sort()).toEqual(methods.flatMap((m) => [`wide.${m}.json`, `wide.${m}.png`]).sort());
    const bundle = await loadModelBundle(tmDir);
    try {
      expect(bundle.config.preprocessing).toBe('teachable-machine');
      for (const method of methods) {
        const explainer = EXPLAINERS[method]!;
        const own = Object.fromEntries(Object.entries(params).filter(([k]) => k in explainer.defaults).map(([k, v]) => [k, Number(v)]));
        const expected = await explainer.explain({ bundle, image, target: { classIndex: 'predicted', output: 'logit' }, params: own, seed: 7 });
        const json = JSON.parse(await readFile(path.join(out, `wide.${method}.json`), 'utf8')) as { label: string; width: number; data: number[] };
        expect(json.label, method).toBe(bundle.config.labels[expected.classIndex]);
        expect(json.label, method).toMatch(/^Class [12]$/);
        expect(json.width, method).toBe(32);
        expect(json.data, method).toEqual(Array.from(normalizeForOutput(expected.map).data));
      }
    } finally {
      bundle.dispose();
      await rm(tmDir, { recursive: true, force: true });
    }
  }, 300_000);

  it.skipIf(!existsSync(path.join(DEMO_MODEL, 'model.json')))(
    'demo model: Grad-CAM and FEM of a star put more of their map on the star than off it',
    async () => {
      const shape = generateShapeImage(DEMO_DATASET_SEED, 50, 'star');
      const file = path.join(work, 'star.png');
      await writeFile(file, png(shape));
      const out = path.join(work, 'demo-maps');
      const r = await runCli(['--model', DEMO_MODEL, '--image', file, '--method', 'gradcam,fem', '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      for (const method of ['gradcam', 'fem']) {
        const json = JSON.parse(await readFile(path.join(out, `star.${method}.json`), 'utf8')) as { classIndex: number; layer: string; data: number[]; raw: { width: number } };
        expect(json.classIndex).toBe(shape.labelIndex);
        expect(json.layer).toBe('last_conv');
        expect(json.raw.width).toBe(14);
        let inside = 0;
        let outside = 0;
        json.data.forEach((v, i) => (shape.mask[i] === 1 ? (inside += v) : (outside += v)));
        const area = shape.mask.reduce((a, b) => a + b, 0);
        expect(inside / area, method).toBeGreaterThan(outside / (224 * 224 - area));
      }
    },
    120_000,
  );
});

describe('gazebench explain: interrupted', () => {
  it.skipIf(!existsSync(path.join(DEMO_MODEL, 'model.json')))('SIGTERM during Score-CAM exits 143 and leaves neither --out nor a temporary folder', async () => {
    const parent = await mkdtemp(path.join(work, 'interrupted-'));
    const file = path.join(parent, 'star.png');
    await writeFile(file, png(generateShapeImage(DEMO_DATASET_SEED, 50, 'star')));
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/gazebench.mjs'), 'explain', '--model', DEMO_MODEL, '--image', file, '--method', 'gradcam,scorecam', '--batch', '1', '--out', path.join(parent, 'out')]);
    const code = await new Promise<number | null>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        if (d.toString().includes('star scorecam')) child.kill('SIGTERM');
      });
      child.on('error', reject);
      child.on('close', resolve);
    });
    expect(code).toBe(143);
    expect(await readdir(parent)).toEqual(['star.png']);
  }, 120_000);
});

describe('gazebench explain: bad input → exit 2, a one-line reason, nothing written', () => {
  let stderr: string[];
  afterEach(() => vi.restoreAllMocks());

  async function expectRejected(args: string[], pattern: RegExp): Promise<void> {
    stderr = [];
    const stdout: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (stdout.push(String(chunk)), true));
    const parent = await mkdtemp(path.join(work, 'bad-'));
    const code = await main(['explain', ...args, '--out', path.join(parent, 'out')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    const errors = stderr.filter((line) => !line.startsWith('explain: '));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^gazebench explain: [^\n]+\n$/);
    expect(errors[0]).toMatch(pattern);
    expect(await readdir(parent)).toEqual([]);
  }

  const base = (): string[] => ['--model', modelDir, '--image', path.join(imageDir, 'first.png')];

  it.each([
    [['--method', 'gradcam,magic'], /magic: method: unknown method \(available: gradcam, gradcampp, scorecam, ablationcam, fem, eigencam/],
    [['--method', 'gradcam', '--class', '3'], /gradcam: classIndex: 3 is out of range for a model with 3 classes/],
    [['--method', 'gradcam', '--class', 'cat'], /--class: expected an integer, got 'cat'/],
    [['--method', 'gradcam', '--target', 'softmax'], /--target: expected logit or probability, got 'softmax'/],
    [['--method', 'gradcam', '--layer', 'conv9'], /gradcam: layer: no layer named 'conv9' in the model \(layers with 4-D outputs near the output: conv1, features, head_conv, head_add, head_relu\)/],
    [['--method', 'gradcam', '--param', 'k=2'], /--param k: no selected method takes it \(gradcam: none\)/],
    [['--method', 'fem', '--param', 'k'], /--param: expected k=v or method\.k=v, got 'k'/],
    [['--method', 'fem', '--param', 'k=wide'], /fem: params\.k: expected a finite number, got "wide"/],
    [['--method', 'fem', '--format', 'json,tiff'], /--format: unknown format 'tiff'/],
    [['--method', 'scorecam', '--batch', '0'], /--batch: must be at least 1, got 0/],
    [['--method', 'gradcam', '--preprocessing', 'zscore'], /--preprocessing: unknown preset 'zscore' \(choose from unit, inception, imagenet-torch, imagenet-caffe, teachable-machine\)/],
    [['--method', 'gradcam', '--labels', 'a,b'], /model bundle .*: labels: 2 labels given for a model with 3 outputs/],
    // gradcam succeeds for the image before fem fails: its files must not appear either.
    [['--method', 'gradcam,fem', '--param', 'fem.k=-1'], /fem: params\.k: must be non-negative, got -1/],
  ])('%j', async (extra, pattern) => {
    await expectRejected([...base(), ...extra], pattern);
  });

  it('a model without a conv layer for a CAM method', async () => {
    const flat = await saveBundle(sumModel({ height: 8, width: 8, a: 1 }), { labels: ['x', 'y'], preprocessing: 'unit', inputSize: [8, 8] });
    try {
      await expectRejected(['--model', flat, '--image', path.join(imageDir, 'first.png'), '--method', 'eigencam'], /eigencam: layer: the model has no convolutional layer with a 4-D \(NHWC\) output/);
    } finally {
      await rm(flat, { recursive: true, force: true });
    }
  });

  it('an unreadable model: missing folder, not a TF.js model.json, missing shard', async () => {
    const image = ['--image', path.join(imageDir, 'first.png'), '--method', 'gradcam'];
    await expectRejected(['--model', path.join(work, 'nope'), ...image], /model bundle .*nope: dir: not a directory/);
    const fake = await mkdtemp(path.join(work, 'fake-model-'));
    await writeFile(path.join(fake, 'model.json'), JSON.stringify({ hello: 'world' }));
    await expectRejected(['--model', fake, ...image], /model\.json: not a TF\.js model/);
    await writeFile(path.join(fake, 'model.json'), await readFile(path.join(modelDir, 'model.json')));
    await expectRejected(['--model', fake, ...image], /missing weight shard: weights\.bin/);
  });

  it('images: missing, undecodable (even one of a folder), an empty folder, clashing names', async () => {
    const model = ['--model', modelDir, '--method', 'gradcam'];
    await expectRejected([...model, '--image', path.join(work, 'missing.png')], /--image: .*missing\.png does not exist/);
    const folder = await mkdtemp(path.join(work, 'mixed-'));
    await writeFile(path.join(folder, 'a.png'), png(randomImage(3)));
    await writeFile(path.join(folder, 'b.png'), 'this is text');
    await expectRejected([...model, '--image', folder], /b\.png: not a supported image \(supported formats: PNG, JPEG, WebP\)/);
    await rm(path.join(folder, 'b.png'));
    await writeFile(path.join(folder, 'a.jpg'), 'x');
    await expectRejected([...model, '--image', folder], /a\.jpg and a\.png would write the same output files/);
    await expectRejected([...model, '--image', await mkdtemp(path.join(work, 'empty-'))], /--image: no PNG, JPEG or WebP files in /);
  });

  it('--out inside a folder that does not exist; missing flags', async () => {
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    const code = await main(['explain', ...base(), '--method', 'gradcam', '--out', path.join(work, 'no-such', 'out')]);
    vi.restoreAllMocks();
    expect(code).toBe(2);
    expect(stderr.join('')).toMatch(/--out: folder .*no-such does not exist/);
    await expectRejected(['--model', modelDir, '--image', imageDir], /--method is required/);
  });
});

describe('stagedFolder', () => {
  it('moves files in on commit; discard leaves neither the folder nor a temporary one', async () => {
    const parent = await mkdtemp(path.join(work, 'stage-'));
    const kept = await stagedFolder(path.join(parent, 'out'));
    await kept.write('a.json', '{}');
    expect(await readdir(parent)).toHaveLength(1);
    expect(await kept.commit()).toEqual([path.join(parent, 'out', 'a.json')]);
    expect(await readdir(parent)).toEqual(['out']);
    const dropped = await stagedFolder(path.join(parent, 'other'));
    await dropped.write('b.json', '{}');
    await dropped.discard();
    expect(await readdir(parent)).toEqual(['out']);
  });
});

describe('gazebench explain: graph models (tf_saved_model conversion fixture)', () => {
  const GRAPH_CONFIG = { labels: ['a', 'b', 'c'], preprocessing: 'unit', inputSize: [8, 8] };
  let plain: string;
  let cond: string;
  let stderr: string[];

  beforeAll(async () => {
    plain = await saveGraphCnn(graphCnnFixture(), GRAPH_CONFIG);
    cond = await saveGraphCnn(graphCnnFixture({ controlFlow: 'cond' }), GRAPH_CONFIG);
  });
  afterAll(async () => {
    await rm(plain, { recursive: true, force: true });
    await rm(cond, { recursive: true, force: true });
  });
  afterEach(() => vi.restoreAllMocks());

  async function runMain(args: string[]): Promise<{ code: number; out: string }> {
    stderr = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (stderr.push(String(chunk)), true));
    const parent = await mkdtemp(path.join(work, 'graph-'));
    const out = path.join(parent, 'out');
    const code = await main(['explain', ...args, '--image', path.join(imageDir, 'first.png'), '--out', out]);
    vi.restoreAllMocks();
    return { code, out };
  }

  it('Grad-CAM, gradient and RISE run on the graph; the JSON equals the library result on the LayersModel twin', async () => {
    const { code, out } = await runMain(['--model', plain, '--method', 'gradcam,gradient,rise', '--param', 'N=32']);
    expect(code, stderr.join('')).toBe(0);
    expect(stderr.join('')).toMatch(/explain: note: graph model: gradients through model\.execute; CAM methods split at node 'StatefulPartitionedCall\/sequential\/conv2d_1\/Relu'/);
    expect((await readdir(out)).sort()).toEqual(['first.gradcam.json', 'first.gradient.json', 'first.rise.json']);
    const twin = createModelBundle(graphCnnTwin(graphCnnFixture()), { labels: ['a', 'b', 'c'], preprocessing: 'unit', inputSize: [8, 8] });
    try {
      for (const method of ['gradcam', 'gradient']) {
        const json = JSON.parse(await readFile(path.join(out, `first.${method}.json`), 'utf8')) as { data: number[]; classIndex: number; layer?: string };
        const expected = await EXPLAINERS[method]!.explain({ bundle: twin, image: randomImage(1), target: { classIndex: 'predicted', output: 'logit' } });
        expect(json.classIndex).toBe(expected.classIndex);
        const want = normalizeForOutput(expected.map).data;
        json.data.forEach((v, i) => expect(v).toBeCloseTo(want[i] as number, 4));
        if (method === 'gradcam') expect(json.layer).toBe(GRAPH_NODES.conv2Relu);
      }
    } finally {
      twin.dispose();
    }
  }, 120_000);

  it('a graph with control flow: gradcam and gradient refused before the run (exit 2, one line), rise runs', async () => {
    for (const method of ['gradcam', 'integratedgradients']) {
      const { code, out } = await runMain(['--model', cond, '--method', `rise,${method}`]);
      expect(code).toBe(2);
      const errors = stderr.filter((line) => !line.startsWith('explain: '));
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatch(new RegExp(`^gazebench explain: ${method}: model: the graph has the dynamic op Switch \\('StatefulPartitionedCall/sequential/cond/Switch'\\), which TF\\.js runs only with executeAsync; [^\\n]+\\n$`));
      // Refused before the first image: no progress line of rise either.
      expect(stderr.join('')).not.toMatch(/first rise/);
      expect(existsSync(out)).toBe(false);
    }
    const { code, out } = await runMain(['--model', cond, '--method', 'rise', '--param', 'N=16']);
    expect(code, stderr.join('')).toBe(0);
    expect(await readdir(out)).toEqual(['first.rise.json']);
  }, 120_000);

  it('--layer: a node that is not in the graph is refused before the run, listing 4-D nodes near the output', async () => {
    const { code } = await runMain(['--model', plain, '--method', 'rise,eigencam', '--layer', 'conv9']);
    expect(code).toBe(2);
    expect(stderr.filter((line) => !line.startsWith('explain: '))).toEqual([
      "gazebench explain: eigencam: layer: no node named 'conv9' in the graph (4-D nodes near the output: …, StatefulPartitionedCall/sequential/conv2d/BiasAdd, StatefulPartitionedCall/sequential/conv2d/Relu, StatefulPartitionedCall/sequential/depthwise_conv2d/depthwise, StatefulPartitionedCall/sequential/depthwise_conv2d/BiasAdd, StatefulPartitionedCall/sequential/depthwise_conv2d/Relu6, StatefulPartitionedCall/sequential/conv2d_1/Relu)\n",
    ]);
  });
});
