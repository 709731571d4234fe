/**
 * Test-only fixtures for "real models as people have them" (issue 16), built in TF.js with seeded
 * weights (no downloads):
 * - `teachableMachineModel`: the shape of a Teachable Machine image export (@teachablemachine/image
 *   2.x, as `tf.loadLayersModel` reads it): a Sequential `sequential_4` of
 *     `sequential_1` = [ `model1` (functional MobileNetV2-like base ending at `out_relu`), GAP ]
 *     `sequential_3` = [ Dense(relu), Dense(softmax) ]
 *   The base has MobileNetV2's layer kinds and names: a stride-2 stem conv, inverted residual
 *   blocks (1×1 expand → BN → ReLU6 → 3×3 depthwise → BN → ReLU6 → 1×1 project → BN), one
 *   stride-2 depthwise behind a ZeroPadding2D with 'valid' padding (as Keras builds it), one
 *   residual Add, then `Conv_1` → `Conv_1_bn` → `out_relu`.
 * - `flatTeachableMachineModel`: the same layers (same names, same weights) in one functional graph.
 * - `xceptionLikeModel`: Xception's entry-flow pattern: SeparableConv2D → BN → ReLU, a strided
 *   separable conv with a 1×1 strided conv shortcut, Add, then `block_sepconv2_act`.
 * - `saveTeachableMachineExport`: model.json + weights.bin (lib/models/fs-io.ts) + metadata.json.
 * Weights come from a seeded generator per layer *name* (`seedWeights`), so models holding layers
 * of the same names get the same weights whatever their nesting. Shapes stay small (32×32 input)
 * so that gradients on the cpu backend take milliseconds.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRandom } from '@/lib/random';
import { fileSystemHandler } from '../fs-io';

type T = tf.SymbolicTensor;

/** The MobileNetV2-like base's last activation, as a path from the Teachable Machine model's top. */
export const TM_TARGET_PATH = 'sequential_1/model1/out_relu';
export const TM_LABELS = ['Class 1', 'Class 2'];

export interface TeachableMachineOptions {
  /** Input height = width (default 32). */
  readonly size?: number;
  readonly classes?: number;
  readonly seed?: number;
}

function nameHash(name: string): number {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * Sets every weight of every layer (nested models included) from createRandom(seed ^ hash(layer
 * name)): conv/dense kernels N(0, 1/fan-in), biases and BN offsets N(0, 0.1), BN scales
 * 1 + N(0, 0.1), moving variances 0.5 + |N(0, 0.5)| (positive), so activations neither vanish nor
 * explode through a few blocks.
 */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  for (const layer of model.layers) {
    if (layer instanceof tf.LayersModel) {
      seedWeights(layer, seed);
      continue;
    }
    const weights = layer.weights;
    if (weights.length === 0) continue;
    const random = createRandom((seed ^ nameHash(layer.name)) >>> 0);
    const values = weights.map((w) => {
      const size = w.shape.reduce<number>((a, d) => a * (d ?? 1), 1);
      const shape = w.shape as number[];
      const kind = w.originalName.split('/').pop() ?? '';
      const fanIn = shape.length >= 2 ? shape.slice(0, -1).reduce((a, d) => a * d, 1) / (kind === 'depthwise_kernel' ? shape[shape.length - 2] ?? 1 : 1) : 1;
      const draw = (): number => {
        const n = random.normal();
        if (kind === 'gamma') return 1 + 0.1 * n;
        if (kind === 'moving_variance') return 0.5 + Math.abs(0.5 * n);
        if (kind.includes('kernel')) return n / Math.sqrt(fanIn);
        return 0.1 * n;
      };
      return tf.tensor(Float32Array.from({ length: size }, draw), shape);
    });
    layer.setWeights(values);
    tf.dispose(values);
  }
}

const relu6 = (name: string) => tf.layers.reLU({ maxValue: 6, name });
const bn = (name: string) => tf.layers.batchNormalization({ name, epsilon: 1e-3 });

/** One inverted residual block (MobileNetV2 names); `pad` uses ZeroPadding2D + 'valid' depthwise as Keras does for stride 2. */
function invertedResidual(x: T, block: string, expand: number, out: number, stride: 1 | 2): T {
  let h = tf.layers.conv2d({ filters: expand, kernelSize: 1, useBias: false, name: `${block}_expand` }).apply(x) as T;
  h = relu6(`${block}_expand_relu`).apply(bn(`${block}_expand_BN`).apply(h)) as T;
  if (stride === 2) h = tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${block}_pad` }).apply(h) as T;
  h = tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false, name: `${block}_depthwise` }).apply(h) as T;
  h = relu6(`${block}_depthwise_relu`).apply(bn(`${block}_depthwise_BN`).apply(h)) as T;
  h = tf.layers.conv2d({ filters: out, kernelSize: 1, useBias: false, name: `${block}_project` }).apply(h) as T;
  return bn(`${block}_project_BN`).apply(h) as T;
}

/** The MobileNetV2-like base applied to `input`: the output is `out_relu` [n, size/4, size/4, 32]. */
export function mobileNetV2Base(input: T): T {
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'Conv1' }).apply(input) as T;
  x = relu6('Conv1_relu').apply(bn('bn_Conv1').apply(x)) as T;
  let h = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false, name: 'expanded_conv_depthwise' }).apply(x) as T;
  h = relu6('expanded_conv_depthwise_relu').apply(bn('expanded_conv_depthwise_BN').apply(h)) as T;
  h = tf.layers.conv2d({ filters: 8, kernelSize: 1, useBias: false, name: 'expanded_conv_project' }).apply(h) as T;
  x = bn('expanded_conv_project_BN').apply(h) as T;
  x = invertedResidual(x, 'block_1', 24, 12, 2);
  const y = invertedResidual(x, 'block_2', 36, 12, 1);
  x = tf.layers.add({ name: 'block_2_add' }).apply([x, y]) as T;
  x = tf.layers.conv2d({ filters: 32, kernelSize: 1, useBias: false, name: 'Conv_1' }).apply(x) as T;
  return relu6('out_relu').apply(bn('Conv_1_bn').apply(x)) as T;
}

const GAP_NAME = 'global_average_pooling2d_GlobalAveragePooling2D1';
const headLayers = (classes: number): tf.layers.Layer[] => [
  tf.layers.dense({ units: 16, activation: 'relu', inputShape: [32], name: 'dense_Dense1' }),
  tf.layers.dense({ units: classes, activation: 'softmax', useBias: false, name: 'dense_Dense2' }),
];

/** Teachable-Machine-shaped nested Sequential (see the header), seeded. */
export function teachableMachineModel(options: TeachableMachineOptions = {}): tf.Sequential {
  const { size = 32, classes = TM_LABELS.length, seed = 1 } = options;
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  const base = tf.model({ inputs: input, outputs: mobileNetV2Base(input), name: 'model1' });
  const features = tf.sequential({ name: 'sequential_1', layers: [base, tf.layers.globalAveragePooling2d({ name: GAP_NAME })] });
  const [dense1, dense2] = headLayers(classes) as [tf.layers.Layer, tf.layers.Layer];
  const head = tf.sequential({ name: 'sequential_3', layers: [dense1, dense2] });
  const model = tf.sequential({ name: 'sequential_4', layers: [features, head] });
  seedWeights(model, seed);
  return model;
}

/** The same layers as `teachableMachineModel(options)` (names and weights) in one functional graph. */
export function flatTeachableMachineModel(options: TeachableMachineOptions = {}): tf.LayersModel {
  const { size = 32, classes = TM_LABELS.length, seed = 1 } = options;
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = tf.layers.globalAveragePooling2d({ name: GAP_NAME }).apply(mobileNetV2Base(input)) as T;
  for (const layer of headLayers(classes)) x = layer.apply(x) as T;
  const model = tf.model({ inputs: input, outputs: x, name: 'flat' });
  seedWeights(model, seed);
  return model;
}

/** Xception-like entry block with separable convolutions (see the header), seeded. */
export function xceptionLikeModel(options: TeachableMachineOptions = {}): tf.LayersModel {
  const { size = 16, classes = 3, seed = 2 } = options;
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'block1_conv1' }).apply(input) as T;
  x = tf.layers.activation({ activation: 'relu', name: 'block1_conv1_act' }).apply(bn('block1_conv1_bn').apply(x)) as T;
  const shortcut = bn('shortcut_bn').apply(tf.layers.conv2d({ filters: 16, kernelSize: 1, strides: 2, useBias: false, name: 'shortcut_conv' }).apply(x)) as T;
  let h = tf.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', useBias: false, name: 'block2_sepconv1' }).apply(x) as T;
  h = tf.layers.activation({ activation: 'relu', name: 'block2_sepconv1_act' }).apply(bn('block2_sepconv1_bn').apply(h)) as T;
  h = tf.layers.separableConv2d({ filters: 16, kernelSize: 3, padding: 'same', depthMultiplier: 2, useBias: false, name: 'block2_sepconv2' }).apply(h) as T;
  h = bn('block2_sepconv2_bn').apply(h) as T;
  h = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'block2_pool' }).apply(h) as T;
  x = tf.layers.add({ name: 'add' }).apply([h, shortcut]) as T;
  x = tf.layers.separableConv2d({ filters: 24, kernelSize: 3, strides: 2, padding: 'same', useBias: true, name: 'block_sepconv2' }).apply(x) as T;
  x = tf.layers.activation({ activation: 'relu', name: 'block_sepconv2_act' }).apply(bn('block_sepconv2_bn').apply(x)) as T;
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as T;
  x = tf.layers.dense({ units: classes, activation: 'softmax', name: 'predictions' }).apply(x) as T;
  const model = tf.model({ inputs: input, outputs: x, name: 'xception_like' });
  seedWeights(model, seed);
  return model;
}

/** Teachable Machine's metadata.json for `labels` (fields as @teachablemachine/image 0.8.x writes them). */
export function teachableMachineMetadata(labels: readonly string[] = TM_LABELS, imageSize = 224): Record<string, unknown> {
  return {
    tfjsVersion: '1.3.1',
    tmVersion: '2.4.10',
    packageVersion: '0.8.4-alpha2',
    packageName: '@teachablemachine/image',
    timeStamp: '2024-03-01T12:00:00.000Z',
    userMetadata: {},
    modelName: 'tm-my-image-model',
    labels: [...labels],
    imageSize,
  };
}

/**
 * Saves `model` as a Teachable Machine export in a new temporary folder (model.json, weights.bin,
 * metadata.json, by default Teachable Machine's with imageSize = the model's input) and returns the
 * folder. The model is not disposed.
 */
export async function saveTeachableMachineExport(model: tf.LayersModel, metadata?: Record<string, unknown>): Promise<string> {
  const size = (model.inputs[0] as T).shape[1] ?? 224;
  const dir = await mkdtemp(path.join(tmpdir(), 'gazebench-tm-'));
  await model.save(fileSystemHandler(dir));
  await writeFile(path.join(dir, 'metadata.json'), JSON.stringify(metadata ?? teachableMachineMetadata(TM_LABELS, size)));
  return dir;
}
