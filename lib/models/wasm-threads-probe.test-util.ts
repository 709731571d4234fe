/**
 * Test-only child process of wasm-threads.test.ts (the thread count is fixed at the backend's
 * first start, so each count needs its own process): `node --import tsx <this> THREADS` prints
 * {threads, values} for a seeded ResNet-style block (conv 7×7/2, ReLU, max-pool, conv 3×3,
 * depthwise conv, global pool, dense) at batch 4.
 */
import * as tf from '@tensorflow/tfjs';
import { initTfNode, wasmThreadsInUse } from './tf-node';

const threads = Number(process.argv[2]);
await initTfNode('wasm', { wasmThreads: threads });
const values = tf.tidy(() => {
  const x = tf.randomUniform([4, 64, 64, 3], -1, 1, 'float32', 1) as tf.Tensor4D;
  const w1 = tf.randomNormal([7, 7, 3, 32], 0, 0.1, 'float32', 2) as tf.Tensor4D;
  const w2 = tf.randomNormal([3, 3, 32, 64], 0, 0.1, 'float32', 3) as tf.Tensor4D;
  const dw = tf.randomNormal([3, 3, 64, 1], 0, 0.1, 'float32', 4) as tf.Tensor4D;
  const fc = tf.randomNormal([64, 10], 0, 0.1, 'float32', 5) as tf.Tensor2D;
  let y = tf.relu(tf.conv2d(x, w1, 2, 'same'));
  y = tf.maxPool(y, 3, 2, 'same');
  y = tf.relu(tf.conv2d(y, w2, 1, 'same'));
  y = tf.depthwiseConv2d(y, dw, 1, 'same');
  return Array.from(tf.matMul(tf.mean(y, [1, 2]) as tf.Tensor2D, fc).dataSync());
});
process.stdout.write(JSON.stringify({ threads: wasmThreadsInUse(), values }));
