/**
 * Graph models (issue 16): every method on the converter-shaped graph fixture
 * (lib/models/testing/graph-model.test-util.ts) against the same network as a LayersModel with the
 * same weights — two independent paths (GraphModel.execute + graph-split.ts vs tfjs-layers +
 * split.ts) — plus Grad-CAM's closed form for this head (global average pooling then Dense:
 * ∂logit_k/∂A[p, c] = W[c, k]/(h·w)), and the capability list of a graph with control flow.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rm } from 'node:fs/promises';
import { createModelBundle, loadModelBundle, type ModelBundle } from '@/lib/models/bundle';
import { analyseGraph, graphIndex, splitPlan } from '@/lib/models/graph-analysis';
import { preprocess } from '@/lib/models/preprocess';
import { GRAPH_NODES, GRAPH_OUTPUT, graphCnnFixture, graphCnnTwin, saveGraphCnn, type GraphCnnOptions } from '@/lib/models/testing/graph-model.test-util';
import { initTfNode } from '@/lib/models/tf-node';
import { rejection, rgbaImage } from './input-toys.test-util';
import { EXPLAINERS, ExplainerError, methodsFor, type Explanation, type ExplainerTarget } from './index';

const SIZE = 8;
const CONFIG = { labels: ['a', 'b', 'c'], preprocessing: 'unit' as const, inputSize: [SIZE, SIZE] as [number, number] };
const image = rgbaImage(SIZE, SIZE, (x, y) => [(x * 37 + y * 11) % 256, (y * 53) % 256, (x * y * 17 + 40) % 256]);
const dirs: string[] = [];
let graph: ModelBundle;
let layers: ModelBundle;

async function graphBundle(options: GraphCnnOptions = {}): Promise<ModelBundle> {
  const dir = await saveGraphCnn(graphCnnFixture(options), CONFIG);
  dirs.push(dir);
  return loadModelBundle(dir);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-5): void {
  expect(actual.length).toBe(expected.length);
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] as number));
  expect(scale).toBeGreaterThan(0);
  for (let i = 0; i < expected.length; i++) {
    if (Math.abs((actual[i] as number) - (expected[i] as number)) > tolerance * Math.max(1, scale)) {
      throw new Error(`value ${i}: ${actual[i]} vs ${expected[i]} (tolerance ${tolerance} × ${Math.max(1, scale)})`);
    }
  }
}

beforeAll(async () => {
  await initTfNode('wasm');
  graph = await graphBundle();
  layers = createModelBundle(graphCnnTwin(graphCnnFixture()), CONFIG);
});

afterAll(async () => {
  graph.dispose();
  layers.dispose();
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

describe('graph analysis of a tf_saved_model conversion', () => {
  it('output behind the signature, Softmax head and its logit node, candidates in order, no dynamic op', () => {
    const facts = analyseGraph(graphCnnFixture().modelJson, GRAPH_OUTPUT);
    expect(facts.head).toBe('softmax');
    expect(facts.logitNode).toBe(GRAPH_NODES.logits);
    expect(facts.dynamicOp).toBeNull();
    const p = 'StatefulPartitionedCall/sequential';
    expect(facts.camCandidates).toEqual([
      `${p}/conv2d/Conv2D`, `${p}/conv2d/BiasAdd`, GRAPH_NODES.conv1Relu,
      `${p}/depthwise_conv2d/depthwise`, `${p}/depthwise_conv2d/BiasAdd`, GRAPH_NODES.dwRelu6, GRAPH_NODES.conv2Relu,
    ]);
    expect(analyseGraph(graphCnnFixture({ pooling: 'avgpool' }).modelJson, GRAPH_OUTPUT).camCandidates.at(-1)).toBe(GRAPH_NODES.conv2Relu);
  });

  it('control flow on the path to the output is found; the split plan has no bypass in a chain', () => {
    const facts = analyseGraph(graphCnnFixture({ controlFlow: 'cond' }).modelJson, GRAPH_OUTPUT);
    expect(facts.dynamicOp).toEqual({ name: 'StatefulPartitionedCall/sequential/cond/Switch', op: 'Switch' });
    const plan = splitPlan(graphIndex(graphCnnFixture().modelJson), GRAPH_NODES.conv2Relu, [GRAPH_OUTPUT]);
    expect(plan).toEqual({ bypass: [], reached: [GRAPH_OUTPUT] });
  });

  it('a skip connection around the target is a bypass input', () => {
    const json = { modelTopology: { node: [
      { name: 'x', op: 'Placeholder' }, { name: 'k', op: 'Const' },
      { name: 'c1', op: 'Conv2D', input: ['x', 'k'] }, { name: 'c2', op: 'Conv2D', input: ['c1', 'k'] },
      { name: 'add', op: 'AddV2', input: ['c2', 'c1'] }, { name: 'out', op: 'Relu', input: ['add'] },
    ] } };
    expect(splitPlan(graphIndex(json), 'c2', ['out'])).toEqual({ bypass: ['c1'], reached: ['out'] });
  });
});

describe('graph-model bundle', () => {
  it('loads with the signature output, softmax head; logits and probabilities equal the LayersModel twin', async () => {
    expect(graph.format).toBe('graph-model');
    expect(graph.head).toBe('softmax');
    expect(graph.numClasses).toBe(3);
    expect(graph.notes.join(' ')).toMatch(/gradients through model\.execute; CAM methods split at node '.*conv2d_1\/Relu'/);
    const x = tf.tensor4d(preprocess(image.rgba, SIZE, SIZE, 'unit', [SIZE, SIZE]), [1, SIZE, SIZE, 3]);
    for (const output of ['logit', 'probability'] as const) {
      const [g, l] = tf.tidy(() => [graph.forward(x, output), layers.forward(x, output)]);
      expectClose(await (g as tf.Tensor).data(), await (l as tf.Tensor).data());
      tf.dispose([g as tf.Tensor, l as tf.Tensor]);
    }
    x.dispose();
  });
});

const target: ExplainerTarget = { classIndex: 1, output: 'logit' };

describe('CAM methods on a graph model', () => {
  it('Grad-CAM: the closed form ReLU(Σ_c W[c, k]/(h·w)·A_c) with A from the LayersModel twin, and the twin’s Grad-CAM', async () => {
    const before = tf.memory().numTensors;
    const g = await EXPLAINERS.gradcam!.explain({ bundle: graph, image, target });
    expect(tf.memory().numTensors).toBe(before);
    expect(g.layer).toBe(GRAPH_NODES.conv2Relu);
    const l = await EXPLAINERS.gradcam!.explain({ bundle: layers, image, target });
    expect(l.layer).toBe('conv2d_1');
    const { kernels } = graphCnnFixture();
    const twin = graphCnnTwin(graphCnnFixture());
    const features = tf.model({ inputs: twin.inputs, outputs: twin.getLayer('conv2d_1').output as tf.SymbolicTensor });
    const A = tf.tidy(() => features.predict(tf.tensor4d(preprocess(image.rgba, SIZE, SIZE, 'unit', [SIZE, SIZE]), [1, SIZE, SIZE, 3])) as tf.Tensor);
    const a = await A.data();
    A.dispose();
    twin.dispose();
    const expected = new Float64Array(SIZE * SIZE);
    for (let p = 0; p < expected.length; p++) {
      let s = 0;
      for (let c = 0; c < 6; c++) s += ((kernels.dense[c * 3 + 1] as number) / (SIZE * SIZE)) * (a[p * 6 + c] as number);
      expected[p] = Math.max(0, s);
    }
    expectClose(g.raw!.data, expected);
    expectClose(g.raw!.data, l.raw!.data);
    expectClose(g.map.data, l.map.data);
    expect(g.score).toBeCloseTo(l.score, 5);
  });

  it.each(['gradcampp', 'scorecam', 'ablationcam', 'fem', 'eigencam'])('%s equals the LayersModel twin’s (auto node = auto layer)', async (name) => {
    const before = tf.memory().numTensors;
    const g = await EXPLAINERS[name]!.explain({ bundle: graph, image, target, batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
    const l = await EXPLAINERS[name]!.explain({ bundle: layers, image, target, batchSize: 4 });
    expectClose(g.raw!.data, l.raw!.data, 1e-4);
  });

  it('--layer names a node (the depthwise Relu6 = layer depthwise_conv2d); probability target too', async () => {
    const probability: ExplainerTarget = { classIndex: 'predicted', output: 'probability' };
    const g = await EXPLAINERS.gradcam!.explain({ bundle: graph, image, target: probability, layer: GRAPH_NODES.dwRelu6 });
    const l = await EXPLAINERS.gradcam!.explain({ bundle: layers, image, target: probability, layer: 'depthwise_conv2d' });
    expect(g.layer).toBe(GRAPH_NODES.dwRelu6);
    expect(g.classIndex).toBe(l.classIndex);
    expectClose(g.raw!.data, l.raw!.data);
  });

  it('a wrong node name lists the candidates; a 2-D node is refused; nothing leaks', async () => {
    const before = tf.memory().numTensors;
    const wrong = (await rejection(() => EXPLAINERS.gradcam!.explain({ bundle: graph, image, target, layer: 'conv9' }))) as ExplainerError;
    expect(wrong).toBeInstanceOf(ExplainerError);
    expect(wrong.field).toBe('layer');
    expect(wrong.message).toMatch(/^gradcam: layer: no node named 'conv9' in the graph \(4-D nodes near the output: …, .*depthwise_conv2d\/Relu6, .*conv2d_1\/Relu\)$/);
    const flat = (await rejection(() => EXPLAINERS.eigencam!.explain({ bundle: graph, image, target, layer: GRAPH_NODES.pooled }))) as ExplainerError;
    expect(flat.message).toMatch(/^eigencam: layer: node '.*global_average_pooling2d\/Mean' \(Mean\) outputs shape \[1, 6\], not a 4-D NHWC activation/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('AvgPool + Squeeze pooling: same automatic node and the same Grad-CAM', async () => {
    const avg = await graphBundle({ pooling: 'avgpool' });
    try {
      const g = await EXPLAINERS.gradcam!.explain({ bundle: avg, image, target });
      const l = await EXPLAINERS.gradcam!.explain({ bundle: layers, image, target });
      expect(g.layer).toBe(GRAPH_NODES.conv2Relu);
      expectClose(g.raw!.data, l.raw!.data);
    } finally {
      avg.dispose();
    }
  });
});

describe('gradient methods on a graph model', () => {
  it.each([
    ['gradient', {}],
    ['integratedgradients', { steps: 8 }],
    ['smoothgrad', { n: 6 }],
    ['gradientshap', { n_samples: 6 }],
  ])('%s equals the LayersModel twin’s (same seed), no tensor leak', async (name, params) => {
    const before = tf.memory().numTensors;
    const g: Explanation = await EXPLAINERS[name]!.explain({ bundle: graph, image, target, params, seed: 3, batchSize: 4 });
    expect(tf.memory().numTensors).toBe(before);
    const l = await EXPLAINERS[name]!.explain({ bundle: layers, image, target, params, seed: 3, batchSize: 4 });
    expectClose(g.map.data, l.map.data, 1e-4);
  });
});

describe('a graph with control flow (tf.cond: Switch/Merge)', () => {
  it('capabilities: CAM and gradient methods refused with the op and why, perturbation methods OK', async () => {
    const cond = await graphBundle({ controlFlow: 'cond' });
    try {
      const caps = methodsFor(cond);
      for (const cap of caps) {
        const kind = EXPLAINERS[cap.method]!.kind;
        if (kind === 'perturbation') expect(cap).toEqual({ method: cap.method, ok: true });
        else {
          expect(cap.ok).toBe(false);
          expect(cap.reason).toMatch(/dynamic op Switch \('.*cond\/Switch'\), which TF\.js runs only with executeAsync; .* need the synchronous, differentiable model\.execute/);
        }
      }
      expect(methodsFor(graph).every((c) => c.ok)).toBe(true);
      expect(cond.notes.join(' ')).toMatch(/control flow .*executeAsync/);
      const before = tf.memory().numTensors;
      for (const name of ['gradcam', 'gradient']) {
        const error = (await rejection(() => EXPLAINERS[name]!.explain({ bundle: cond, image, target }))) as ExplainerError;
        expect(error.field).toBe('model');
        expect(error.message).toMatch(new RegExp(`^${name}: model: the graph has the dynamic op Switch`));
      }
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      cond.dispose();
    }
  });

  it('RISE and LIME run through executeAsync and equal their maps on the graph without the cond', async () => {
    const cond = await graphBundle({ controlFlow: 'cond' });
    try {
      for (const [name, params] of [['rise', { N: 32, s: 4 }], ['lime', { num_samples: 40, segmentation: 'slic', n_segments: 4 }]] as const) {
        const before = tf.memory().numTensors;
        const c = await EXPLAINERS[name]!.explain({ bundle: cond, image, target, params, seed: 5, batchSize: 8 });
        expect(tf.memory().numTensors).toBe(before);
        const g = await EXPLAINERS[name]!.explain({ bundle: graph, image, target, params, seed: 5, batchSize: 8 });
        expectClose(c.map.data, g.map.data);
      }
    } finally {
      cond.dispose();
    }
  });
});
