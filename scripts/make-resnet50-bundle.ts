/**
 * Writes a ResNet50-shaped model bundle with seeded random weights (ImageNet weights cannot be
 * downloaded here): `npx tsx scripts/make-resnet50-bundle.ts <dir> [--seed N]`. About 100 MB;
 * not committed. Used to check that `gazebench evaluate`/`explain` and the benchmarks handle a
 * real-size branched network.
 *
 * Architecture: He et al. (2016), "Deep residual learning for image recognition", CVPR, table 1,
 * 50-layer column, in the layout and layer names of Keras `keras.applications.ResNet50`
 * (v1: stride on the first 1×1 conv of each stage's first block; BatchNorm epsilon 1.001e-5):
 * 7×7/2 conv → 3×3/2 max pool → bottleneck stages of 3, 4, 6, 3 blocks (64-64-256 … 512-512-2048)
 * → global average pool → Dense(1000, softmax). 224×224×3 input, 25.6 M parameters.
 *
 * Weights: He-normal kernels seeded per layer; BatchNorm at its identity initialisation except
 * the last BatchNorm of each residual branch, whose gamma is 0.25 so activations stay bounded over
 * 16 blocks. The Dense kernel is then rescaled so that the logits have standard deviation 2 on a
 * seeded random image: the softmax is neither uniform nor one-hot, so insertion and deletion curves
 * move. gazebench.json: preprocessing "imagenet-caffe" (Keras ResNet50's), labels "class_0"…,
 * targetLayer "conv5_block3_out".
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '@/lib/models/fs-io';
import { initTfNode } from '@/lib/models/tf-node';
import { createRandom } from '@/lib/random';

export const RESNET50_INPUT = 224;
export const RESNET50_CLASSES = 1000;
const BN_EPSILON = 1.001e-5;
const BRANCH_GAMMA = 0.25;
const TARGET_LOGIT_STD = 2;

type T = tf.SymbolicTensor;

function builder(seed: number) {
  let layerSeed = seed * 1000;
  const conv = (x: T, filters: number, kernel: number, stride: number, name: string, padding: 'same' | 'valid' = 'valid'): T =>
    tf.layers
      .conv2d({ filters, kernelSize: kernel, strides: stride, padding, name, kernelInitializer: tf.initializers.heNormal({ seed: layerSeed++ }) })
      .apply(x) as T;
  const bn = (x: T, name: string, gamma = 1): T =>
    tf.layers.batchNormalization({ axis: 3, epsilon: BN_EPSILON, name, gammaInitializer: tf.initializers.constant({ value: gamma }) }).apply(x) as T;
  const relu = (x: T, name: string): T => tf.layers.activation({ activation: 'relu', name }).apply(x) as T;

  /** Keras `block1`: 1×1 (stride) → 3×3 → 1×1 ×4, with a projection shortcut when `project`. */
  const block = (x: T, filters: number, stride: number, project: boolean, name: string): T => {
    let shortcut = x;
    if (project) shortcut = bn(conv(x, 4 * filters, 1, stride, `${name}_0_conv`), `${name}_0_bn`);
    let y = relu(bn(conv(x, filters, 1, stride, `${name}_1_conv`), `${name}_1_bn`), `${name}_1_relu`);
    y = relu(bn(conv(y, filters, 3, 1, `${name}_2_conv`, 'same'), `${name}_2_bn`), `${name}_2_relu`);
    y = bn(conv(y, 4 * filters, 1, 1, `${name}_3_conv`), `${name}_3_bn`, BRANCH_GAMMA);
    const sum = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as T;
    return relu(sum, `${name}_out`);
  };
  return { conv, bn, relu, block, nextSeed: () => layerSeed++ };
}

/** ResNet50 (Keras layout) with seeded random weights; the head is calibrated as in the header. */
export function buildResNet50(seed = 0): tf.LayersModel {
  const b = builder(seed);
  const input = tf.input({ shape: [RESNET50_INPUT, RESNET50_INPUT, 3], name: 'input_1' });
  let x = tf.layers.zeroPadding2d({ padding: 3, name: 'conv1_pad' }).apply(input) as T;
  x = b.relu(b.bn(b.conv(x, 64, 7, 2, 'conv1_conv'), 'conv1_bn'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ padding: 1, name: 'pool1_pad' }).apply(x) as T;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x) as T;
  const stages: Array<[number, number, number]> = [
    [64, 3, 1],
    [128, 4, 2],
    [256, 6, 2],
    [512, 3, 2],
  ];
  stages.forEach(([filters, blocks, stride], s) => {
    for (let k = 0; k < blocks; k++) x = b.block(x, filters, k === 0 ? stride : 1, k === 0, `conv${s + 2}_block${k + 1}`);
  });
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as T;
  const head = tf.layers.dense({
    units: RESNET50_CLASSES,
    activation: 'softmax',
    name: 'predictions',
    kernelInitializer: tf.initializers.glorotUniform({ seed: b.nextSeed() }),
  });
  const output = head.apply(x) as T;
  const model = tf.model({ inputs: input, outputs: output, name: 'resnet50' });
  calibrateHead(model, head, x, seed);
  return model;
}

/** Rescales the Dense kernel so that the logits have standard deviation TARGET_LOGIT_STD on a seeded image. */
function calibrateHead(model: tf.LayersModel, head: tf.layers.Layer, features: T, seed: number): void {
  const random = createRandom(seed + 1);
  const image = Float32Array.from({ length: RESNET50_INPUT * RESNET50_INPUT * 3 }, () => random.next() * 255 - 120);
  const featureModel = tf.model({ inputs: model.inputs, outputs: features });
  tf.tidy(() => {
    const f = featureModel.predict(tf.tensor4d(image, [1, RESNET50_INPUT, RESNET50_INPUT, 3])) as tf.Tensor2D;
    const [kernel, bias] = head.getWeights() as [tf.Tensor2D, tf.Tensor1D];
    const logits = f.matMul(kernel).add(bias);
    const std = tf.moments(logits).variance.sqrt().dataSync()[0] as number;
    if (!(std > 0)) throw new Error(`buildResNet50: logits are constant (std ${std}); cannot calibrate the head`);
    head.setWeights([kernel.mul(TARGET_LOGIT_STD / std), bias]);
  });
}

/** Saves the model and its gazebench.json into `dir`. */
export async function writeResNet50Bundle(dir: string, seed = 0): Promise<void> {
  const model = buildResNet50(seed);
  try {
    await model.save(fileSystemHandler(dir));
  } finally {
    model.dispose();
  }
  const config = {
    labels: Array.from({ length: RESNET50_CLASSES }, (_, i) => `class_${i}`),
    preprocessing: 'imagenet-caffe',
    inputSize: [RESNET50_INPUT, RESNET50_INPUT],
    targetLayer: 'conv5_block3_out',
  };
  await writeFile(path.join(dir, 'gazebench.json'), `${JSON.stringify(config)}\n`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string', default: '0' } } });
  const [dir] = positionals;
  const seed = Number(values.seed);
  if (dir === undefined || positionals.length !== 1 || !Number.isInteger(seed)) {
    process.stderr.write('Usage: npx tsx scripts/make-resnet50-bundle.ts <dir> [--seed N]\n');
    process.exitCode = 2;
    return;
  }
  await initTfNode('wasm');
  const started = Date.now();
  await writeResNet50Bundle(dir, seed);
  process.stderr.write(`make-resnet50-bundle: wrote ${path.resolve(dir)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
