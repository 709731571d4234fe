/**
 * Test-only Keras 3 bundle (issue 16): fixtures/keras3-skip-cnn.model.json is a Keras 3 model.json
 * written by hand from Keras 3's serialisation of Input → Conv2D → Conv2D → Add(skip) →
 * GlobalAveragePooling2D → Dense(softmax) (see keras3-load.test.ts); its weights come from a
 * seeded TF.js model of the same architecture saved with fileSystemHandler.
 */
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { fileSystemHandler } from '../fs-io';

export const KERAS3_FIXTURE = fileURLToPath(new URL('../fixtures/keras3-skip-cnn.model.json', import.meta.url));
/** The fixture's input height = width. */
export const KERAS3_SIZE = 8;

/** The seeded TF.js model the fixture describes (same layer names). */
export function skipCnn(): tf.LayersModel {
  const seeded = (seed: number) => tf.initializers.randomNormal({ mean: 0, stddev: 0.5, seed });
  const input = tf.input({ shape: [KERAS3_SIZE, KERAS3_SIZE, 3], name: 'input_layer' });
  const c1 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv2d', kernelInitializer: seeded(1), biasInitializer: seeded(2) }).apply(input) as tf.SymbolicTensor;
  const c2 = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv2d_1', kernelInitializer: seeded(3), biasInitializer: seeded(4) }).apply(c1) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'add' }).apply([c1, c2]) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }).apply(sum) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, activation: 'softmax', name: 'dense', kernelInitializer: seeded(5), biasInitializer: seeded(6) }).apply(gap) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** Writes `root/direct` (the TF.js model) and `root/keras3` (the Keras 3 topology + the same weights). */
export async function writeKeras3Bundles(root: string): Promise<{ direct: string; keras3: string }> {
  const direct = path.join(root, 'direct');
  const keras3 = path.join(root, 'keras3');
  const model = skipCnn();
  await model.save(fileSystemHandler(direct));
  model.dispose();
  const saved = JSON.parse(await readFile(path.join(direct, 'model.json'), 'utf8')) as { weightsManifest: unknown };
  const hand = JSON.parse(await readFile(KERAS3_FIXTURE, 'utf8')) as Record<string, unknown>;
  await rm(keras3, { recursive: true, force: true });
  await mkdir(keras3, { recursive: true });
  await writeFile(path.join(keras3, 'model.json'), JSON.stringify({ ...hand, weightsManifest: saved.weightsManifest }));
  await copyFile(path.join(direct, 'weights.bin'), path.join(keras3, 'weights.bin'));
  return { direct, keras3 };
}
