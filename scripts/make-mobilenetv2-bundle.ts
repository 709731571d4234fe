/**
 * Writes a MobileNetV2-shaped model bundle with seeded random weights (ImageNet weights cannot be
 * downloaded here): `npx tsx scripts/make-mobilenetv2-bundle.ts <dir> [--seed N]`. About 14 MB;
 * not committed. Used by bench/explainers.bench.ts (`--model mobilenetv2`).
 *
 * Architecture: Sandler et al. (2018), "MobileNetV2: Inverted residuals and linear bottlenecks",
 * CVPR, table 2 (width 1.0), in the layout and layer names of Keras
 * `keras.applications.MobileNetV2`: Conv1 3×3/2 (32) → expanded_conv (t 1, 16) → inverted
 * residual blocks block_1…block_16 with (t, c, n, s) = (6, 24, 2, 2), (6, 32, 3, 2),
 * (6, 64, 4, 2), (6, 96, 3, 1), (6, 160, 3, 2), (6, 320, 1, 1) — 1×1 expand → BN → ReLU6 →
 * 3×3 depthwise (stride s: ZeroPadding2D + 'valid', as Keras's `correct_pad`) → BN → ReLU6 → 1×1
 * project → BN, Add when stride 1 and the widths match → Conv_1 1×1 (1280) → Conv_1_bn → out_relu
 * → global average pool → Dense(1000, softmax). 224×224×3 input, 3.5 M parameters.
 * Weights: He-normal kernels seeded per layer, BatchNorm at its identity initialisation (epsilon
 * 1e-3, Keras's); the project BN of each residual block has gamma 0.5 so activations stay bounded.
 * gazebench.json: preprocessing "inception" (Keras mode "tf"), labels "class_0"…, targetLayer
 * "out_relu".
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '@/lib/models/fs-io';
import { initTfNode } from '@/lib/models/tf-node';

export const MOBILENETV2_INPUT = 224;
export const MOBILENETV2_CLASSES = 1000;
const BN_EPSILON = 1e-3;
const RESIDUAL_GAMMA = 0.5;
/** (expansion t, output channels c, repeats n, first stride s), Sandler et al. table 2. */
const BLOCKS: readonly [number, number, number, 1 | 2][] = [[6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]];

type T = tf.SymbolicTensor;

/** The MobileNetV2-shaped LayersModel (seeded). */
export function buildMobileNetV2(seed = 0): tf.LayersModel {
  let layerSeed = seed * 1000;
  const init = () => tf.initializers.heNormal({ seed: ++layerSeed });
  const bn = (x: T, name: string, gamma = 1): T =>
    tf.layers.batchNormalization({ name, epsilon: BN_EPSILON, momentum: 0.999, gammaInitializer: tf.initializers.constant({ value: gamma }) }).apply(x) as T;
  const relu6 = (x: T, name: string): T => tf.layers.reLU({ maxValue: 6, name }).apply(x) as T;
  const conv = (x: T, filters: number, kernel: number, stride: number, name: string): T =>
    tf.layers.conv2d({ filters, kernelSize: kernel, strides: stride, padding: 'same', useBias: false, kernelInitializer: init(), name }).apply(x) as T;
  const depthwise = (x: T, stride: 1 | 2, name: string): T => {
    const padded = stride === 2 ? (tf.layers.zeroPadding2d({ padding: [[0, 1], [0, 1]], name: `${name.replace(/_depthwise$/, '')}_pad` }).apply(x) as T) : x;
    return tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: stride === 2 ? 'valid' : 'same', useBias: false, depthwiseInitializer: init(), name }).apply(padded) as T;
  };
  const input = tf.input({ shape: [MOBILENETV2_INPUT, MOBILENETV2_INPUT, 3], name: 'input_1' });
  let x = relu6(bn(conv(input, 32, 3, 2, 'Conv1'), 'bn_Conv1'), 'Conv1_relu');
  x = relu6(bn(depthwise(x, 1, 'expanded_conv_depthwise'), 'expanded_conv_depthwise_BN'), 'expanded_conv_depthwise_relu');
  x = bn(conv(x, 16, 1, 1, 'expanded_conv_project'), 'expanded_conv_project_BN');
  let block = 1;
  let channels = 16;
  for (const [t, c, n, s] of BLOCKS) {
    for (let i = 0; i < n; i++, block++) {
      const stride = i === 0 ? s : 1;
      const name = `block_${block}`;
      const residual = stride === 1 && channels === c;
      let h = relu6(bn(conv(x, channels * t, 1, 1, `${name}_expand`), `${name}_expand_BN`), `${name}_expand_relu`);
      h = relu6(bn(depthwise(h, stride, `${name}_depthwise`), `${name}_depthwise_BN`), `${name}_depthwise_relu`);
      h = bn(conv(h, c, 1, 1, `${name}_project`), `${name}_project_BN`, residual ? RESIDUAL_GAMMA : 1);
      x = residual ? (tf.layers.add({ name: `${name}_add` }).apply([x, h]) as T) : h;
      channels = c;
    }
  }
  x = relu6(bn(conv(x, 1280, 1, 1, 'Conv_1'), 'Conv_1_bn'), 'out_relu');
  x = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(x) as T;
  const out = tf.layers.dense({ units: MOBILENETV2_CLASSES, activation: 'softmax', kernelInitializer: tf.initializers.glorotNormal({ seed: ++layerSeed }), name: 'predictions' }).apply(x) as T;
  return tf.model({ inputs: input, outputs: out, name: 'mobilenetv2_1.00_224' });
}

/** Saves the model and its gazebench.json into `dir`. */
export async function writeMobileNetV2Bundle(dir: string, seed = 0): Promise<void> {
  const model = buildMobileNetV2(seed);
  try {
    await model.save(fileSystemHandler(dir));
  } finally {
    model.dispose();
  }
  const config = {
    labels: Array.from({ length: MOBILENETV2_CLASSES }, (_, i) => `class_${i}`),
    preprocessing: 'inception',
    inputSize: [MOBILENETV2_INPUT, MOBILENETV2_INPUT],
    targetLayer: 'out_relu',
  };
  await writeFile(path.join(dir, 'gazebench.json'), `${JSON.stringify(config)}\n`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { seed: { type: 'string', default: '0' } } });
  const [dir] = positionals;
  const seed = Number(values.seed);
  if (dir === undefined || positionals.length !== 1 || !Number.isInteger(seed)) {
    process.stderr.write('Usage: npx tsx scripts/make-mobilenetv2-bundle.ts <dir> [--seed N]\n');
    process.exitCode = 2;
    return;
  }
  await initTfNode('wasm');
  await writeMobileNetV2Bundle(dir, seed);
  const model = buildMobileNetV2(seed);
  process.stderr.write(`make-mobilenetv2-bundle: wrote ${path.resolve(dir)} (${model.countParams()} parameters, ${model.layers.length} layers)\n`);
  model.dispose();
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
