/**
 * Test-only graph-model fixtures for "real models as people have them" (issue 16), built in
 * TypeScript with seeded weights (no downloads): the model.json a `tensorflowjs_converter
 * --input_format=tf_saved_model` run writes for a small Keras CNN (`format: "graph-model"`,
 * `generatedBy`, `convertedBy`, a GraphDef `modelTopology.node` list, a `signature` block naming
 * the Placeholder `serving_default_input_1:0` and the output `StatefulPartitionedCall:0`, and a
 * `weightsManifest` whose entries are the Const nodes), plus the same network as a LayersModel
 * with the same weights (`graphCnnTwin`), so graph-model explanations can be checked against the
 * layers-model ones.
 *
 * The network, with the node names and ops grappler leaves after constant folding and fusion:
 *   x [n, S, S, 3]
 *   → Conv2D 3×3 SAME (3→4) → BiasAdd → Relu                 (left unfused, three nodes)
 *   → DepthwiseConv2dNative 3×3 SAME (×1) → BiasAdd → Relu6
 *   → _FusedConv2D 1×1 (4→6), fused_ops [BiasAdd, Relu]      (`conv2d_1/Relu`: the CAM node)
 *   → Mean over [1, 2] (or AvgPool S×S VALID → Squeeze)     (global average pooling)
 *   → MatMul (6→k) → BiasAdd (logits) → Softmax → Identity `StatefulPartitionedCall`
 * `controlFlow: 'cond'` puts a TF1 `tf.cond` (Switch on a constant true predicate, an Identity per
 * branch, Merge) between the first Relu and the depthwise conv: the function is unchanged, but
 * TF.js runs such graphs only with `executeAsync` (Switch and Merge are control-flow ops).
 * String attributes are base64, as in the converter's JSON (protobuf `bytes`).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '@/lib/random';

export const GRAPH_INPUT = 'serving_default_input_1';
export const GRAPH_OUTPUT = 'StatefulPartitionedCall';
const P = 'StatefulPartitionedCall/sequential';
/** Node names of interest. */
export const GRAPH_NODES = {
  conv1Relu: `${P}/conv2d/Relu`,
  dwRelu6: `${P}/depthwise_conv2d/Relu6`,
  /** The last 4-D node before the pooling: the automatic CAM node. */
  conv2Relu: `${P}/conv2d_1/Relu`,
  pooled: `${P}/global_average_pooling2d/Mean`,
  logits: `${P}/dense/BiasAdd`,
  softmax: `${P}/dense/Softmax`,
} as const;

export interface GraphCnnOptions {
  /** Input height = width (default 8). */
  readonly size?: number;
  readonly classes?: number;
  readonly seed?: number;
  readonly pooling?: 'mean' | 'avgpool';
  readonly controlFlow?: 'none' | 'cond';
}

interface Weight {
  readonly name: string;
  readonly shape: number[];
  readonly dtype: 'float32' | 'int32' | 'bool';
  readonly values: Float32Array | Int32Array | Uint8Array;
}

export interface GraphCnnFixture {
  readonly modelJson: Record<string, unknown>;
  readonly weightData: Uint8Array;
  /** Float weights by role, for the LayersModel twin. */
  readonly kernels: {
    conv1: Float32Array; conv1Bias: Float32Array; dw: Float32Array; dwBias: Float32Array;
    conv2: Float32Array; conv2Bias: Float32Array; dense: Float32Array; denseBias: Float32Array;
  };
  readonly size: number;
  readonly classes: number;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const FLOAT = { type: 'DT_FLOAT' };
const dims = (...sizes: number[]) => ({ dim: sizes.map((s) => ({ size: String(s) })) });
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const convAttrs = (padding: string) => ({
  T: FLOAT, strides: ints(1, 1, 1, 1), padding: { s: b64(padding) }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1),
  explicit_paddings: { list: {} },
});

function constNode(w: Weight): Record<string, unknown> {
  const type = w.dtype === 'float32' ? 'DT_FLOAT' : w.dtype === 'int32' ? 'DT_INT32' : 'DT_BOOL';
  return { name: w.name, op: 'Const', attr: { dtype: { type }, value: { tensor: { dtype: type, tensorShape: dims(...w.shape) } } } };
}

/** The converter-shaped model.json and weights of the network in the header. */
export function graphCnnFixture(options: GraphCnnOptions = {}): GraphCnnFixture {
  const size = options.size ?? 8;
  const classes = options.classes ?? 3;
  const random = createRandom(options.seed ?? 7);
  const draw = (n: number, scale: number, offset = 0): Float32Array => Float32Array.from({ length: n }, () => offset + scale * random.normal());
  const kernels = {
    conv1: draw(3 * 3 * 3 * 4, 1 / Math.sqrt(27)), conv1Bias: draw(4, 0.1, 0.05),
    dw: draw(3 * 3 * 4, 1 / 3), dwBias: draw(4, 0.1, 0.05),
    conv2: draw(4 * 6, 1 / 2), conv2Bias: draw(6, 0.1, 0.05),
    dense: draw(6 * classes, 1 / Math.sqrt(6)), denseBias: draw(classes, 0.1),
  };
  const weights: Weight[] = [
    { name: `${P}/conv2d/Conv2D/ReadVariableOp`, shape: [3, 3, 3, 4], dtype: 'float32', values: kernels.conv1 },
    { name: `${P}/conv2d/BiasAdd/ReadVariableOp`, shape: [4], dtype: 'float32', values: kernels.conv1Bias },
    { name: `${P}/depthwise_conv2d/depthwise/ReadVariableOp`, shape: [3, 3, 4, 1], dtype: 'float32', values: kernels.dw },
    { name: `${P}/depthwise_conv2d/BiasAdd/ReadVariableOp`, shape: [4], dtype: 'float32', values: kernels.dwBias },
    { name: `${P}/conv2d_1/Conv2D/ReadVariableOp`, shape: [1, 1, 4, 6], dtype: 'float32', values: kernels.conv2 },
    { name: `${P}/conv2d_1/BiasAdd/ReadVariableOp`, shape: [6], dtype: 'float32', values: kernels.conv2Bias },
    { name: `${P}/dense/MatMul/ReadVariableOp`, shape: [6, classes], dtype: 'float32', values: kernels.dense },
    { name: `${P}/dense/BiasAdd/ReadVariableOp`, shape: [classes], dtype: 'float32', values: kernels.denseBias },
  ];
  const pooling = options.pooling ?? 'mean';
  if (pooling === 'mean') weights.push({ name: `${P}/global_average_pooling2d/Mean/reduction_indices`, shape: [2], dtype: 'int32', values: new Int32Array([1, 2]) });
  const cond = options.controlFlow === 'cond';
  if (cond) weights.push({ name: `${P}/cond/pred`, shape: [], dtype: 'bool', values: new Uint8Array([1]) });
  const w = (suffix: string): string => `${P}/${suffix}`;
  const afterConv1 = cond ? w('cond/Merge') : GRAPH_NODES.conv1Relu;
  const node: Record<string, unknown>[] = [
    { name: GRAPH_INPUT, op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: dims(-1, size, size, 3) } } },
    ...weights.map(constNode),
    { name: w('conv2d/Conv2D'), op: 'Conv2D', input: [GRAPH_INPUT, w('conv2d/Conv2D/ReadVariableOp')], device: '/device:CPU:0', attr: { ...convAttrs('SAME'), use_cudnn_on_gpu: { b: true } } },
    { name: w('conv2d/BiasAdd'), op: 'BiasAdd', input: [w('conv2d/Conv2D'), w('conv2d/BiasAdd/ReadVariableOp')], attr: { T: FLOAT, data_format: { s: b64('NHWC') } } },
    { name: GRAPH_NODES.conv1Relu, op: 'Relu', input: [w('conv2d/BiasAdd')], attr: { T: FLOAT } },
    ...(cond
      ? [
          { name: w('cond/Switch'), op: 'Switch', input: [GRAPH_NODES.conv1Relu, w('cond/pred')], attr: { T: FLOAT } },
          { name: w('cond/Identity_false'), op: 'Identity', input: [w('cond/Switch')], attr: { T: FLOAT } },
          { name: w('cond/Identity_true'), op: 'Identity', input: [`${w('cond/Switch')}:1`], attr: { T: FLOAT } },
          { name: w('cond/Merge'), op: 'Merge', input: [w('cond/Identity_false'), w('cond/Identity_true')], attr: { T: FLOAT, N: { i: '2' } } },
        ]
      : []),
    { name: w('depthwise_conv2d/depthwise'), op: 'DepthwiseConv2dNative', input: [afterConv1, w('depthwise_conv2d/depthwise/ReadVariableOp')], attr: convAttrs('SAME') },
    { name: w('depthwise_conv2d/BiasAdd'), op: 'BiasAdd', input: [w('depthwise_conv2d/depthwise'), w('depthwise_conv2d/BiasAdd/ReadVariableOp')], attr: { T: FLOAT, data_format: { s: b64('NHWC') } } },
    { name: GRAPH_NODES.dwRelu6, op: 'Relu6', input: [w('depthwise_conv2d/BiasAdd')], attr: { T: FLOAT } },
    {
      name: GRAPH_NODES.conv2Relu, op: '_FusedConv2D',
      input: [GRAPH_NODES.dwRelu6, w('conv2d_1/Conv2D/ReadVariableOp'), w('conv2d_1/BiasAdd/ReadVariableOp')],
      device: '/device:CPU:0',
      attr: {
        ...convAttrs('VALID'), use_cudnn_on_gpu: { b: true }, num_args: { i: '1' }, epsilon: { f: 0 }, leakyrelu_alpha: { f: 0.2 },
        fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } },
      },
    },
    ...(pooling === 'mean'
      ? [{ name: GRAPH_NODES.pooled, op: 'Mean', input: [GRAPH_NODES.conv2Relu, w('global_average_pooling2d/Mean/reduction_indices')], attr: { T: FLOAT, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } }]
      : [
          { name: w('global_average_pooling2d/AvgPool'), op: 'AvgPool', input: [GRAPH_NODES.conv2Relu], attr: { T: FLOAT, ksize: ints(1, size, size, 1), strides: ints(1, 1, 1, 1), padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') } } },
          { name: GRAPH_NODES.pooled, op: 'Squeeze', input: [w('global_average_pooling2d/AvgPool')], attr: { T: FLOAT, squeeze_dims: ints(1, 2) } },
        ]),
    { name: w('dense/MatMul'), op: 'MatMul', input: [GRAPH_NODES.pooled, w('dense/MatMul/ReadVariableOp')], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } },
    { name: GRAPH_NODES.logits, op: 'BiasAdd', input: [w('dense/MatMul'), w('dense/BiasAdd/ReadVariableOp')], attr: { T: FLOAT, data_format: { s: b64('NHWC') } } },
    { name: GRAPH_NODES.softmax, op: 'Softmax', input: [GRAPH_NODES.logits], attr: { T: FLOAT } },
    { name: GRAPH_OUTPUT, op: 'Identity', input: [GRAPH_NODES.softmax], attr: { T: FLOAT } },
  ];
  const weightData = new Uint8Array(Buffer.concat(weights.map((x) => Buffer.from(x.values.buffer, x.values.byteOffset, x.values.byteLength))));
  const modelJson = {
    format: 'graph-model',
    generatedBy: '2.15.0',
    convertedBy: 'TensorFlow.js Converter v4.22.0',
    signature: {
      inputs: { input_1: { name: `${GRAPH_INPUT}:0`, dtype: 'DT_FLOAT', tensorShape: dims(-1, size, size, 3) } },
      outputs: { dense: { name: `${GRAPH_OUTPUT}:0`, dtype: 'DT_FLOAT', tensorShape: dims(-1, classes) } },
    },
    userDefinedMetadata: { signature: { inputs: {}, outputs: {} } },
    modelInitializer: {},
    modelTopology: { node, library: {}, versions: { producer: 1645 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: weights.map(({ name, shape, dtype }) => ({ name, shape, dtype })) }],
  };
  return { modelJson, weightData, kernels, size, classes };
}

/**
 * Writes the fixture's model.json and shard to a new temporary folder (or `dir`), with
 * gazebench.json when `config` is given; returns the folder.
 */
export async function saveGraphCnn(fixture: GraphCnnFixture, config?: unknown, dir?: string): Promise<string> {
  const folder = dir ?? (await mkdtemp(path.join(tmpdir(), 'gazebench-graph-cnn-')));
  await writeFile(path.join(folder, 'model.json'), JSON.stringify(fixture.modelJson));
  await writeFile(path.join(folder, 'group1-shard1of1.bin'), fixture.weightData);
  if (config !== undefined) await writeFile(path.join(folder, 'gazebench.json'), JSON.stringify(config));
  return folder;
}

/** The same network as a LayersModel with the fixture's weights (layer `conv2d_1` = the CAM node). */
export function graphCnnTwin(fixture: GraphCnnFixture): tf.LayersModel {
  const { size, classes, kernels: k } = fixture;
  const model = tf.sequential({ name: 'sequential' });
  const conv1 = tf.layers.conv2d({ inputShape: [size, size, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2d' });
  const dw = tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 1, padding: 'same', activation: 'relu6', name: 'depthwise_conv2d' });
  const conv2 = tf.layers.conv2d({ filters: 6, kernelSize: 1, padding: 'valid', activation: 'relu', name: 'conv2d_1' });
  const dense = tf.layers.dense({ units: classes, activation: 'softmax', name: 'dense' });
  model.add(conv1);
  model.add(dw);
  model.add(conv2);
  model.add(tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }));
  model.add(dense);
  tf.tidy(() => {
    conv1.setWeights([tf.tensor4d(k.conv1, [3, 3, 3, 4]), tf.tensor1d(k.conv1Bias)]);
    dw.setWeights([tf.tensor4d(k.dw, [3, 3, 4, 1]), tf.tensor1d(k.dwBias)]);
    conv2.setWeights([tf.tensor4d(k.conv2, [1, 1, 4, 6]), tf.tensor1d(k.conv2Bias)]);
    dense.setWeights([tf.tensor2d(k.dense, [6, classes]), tf.tensor1d(k.denseBias)]);
  });
  return model;
}
