import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initTfNode } from './tf-node';

type Case = { name: string; x: [number, number, number, number]; size: number; strides: number; pad: 'same' | 'valid' };

// Shapes where tfjs-backend-wasm 4.22's own MaxPoolGrad disagreed with the CPU backend by ~0.5–1.
const CASES: Case[] = [
  { name: '3×3 stride 2 same, 8×8×4', x: [1, 8, 8, 4], size: 3, strides: 2, pad: 'same' },
  { name: '3×3 stride 2 same, 8×8×16 (Xception entry flow)', x: [2, 8, 8, 16], size: 3, strides: 2, pad: 'same' },
  { name: '3×3 stride 2 valid, 7×7×16 (ResNet stem after ZeroPadding2D)', x: [1, 7, 7, 16], size: 3, strides: 2, pad: 'valid' },
  { name: '2×2 stride 2 valid, 6×6×3 (VGG)', x: [1, 6, 6, 3], size: 2, strides: 2, pad: 'valid' },
];

async function gradient(backend: 'wasm' | 'cpu', c: Case): Promise<Float32Array> {
  const tf = await initTfNode(backend);
  return tf.tidy(() => {
    const x = tf.randomUniform(c.x, -1, 1, 'float32', 1) as Tensor4D;
    const r = tf.randomUniform(tf.maxPool(x, c.size, c.strides, c.pad).shape, -1, 1, 'float32', 2);
    return tf.grad((a: Tensor) => tf.maxPool(a as Tensor4D, c.size, c.strides, c.pad).mul(r).sum())(x).dataSync() as Float32Array;
  });
}

describe('WASM MaxPoolGrad', () => {
  it.each(CASES)('equals the CPU backend (dy not all ones): $name', async (c) => {
    const cpu = await gradient('cpu', c);
    const wasm = await gradient('wasm', c);
    expect(wasm.length).toBe(cpu.length);
    let d = 0;
    cpu.forEach((v, i) => (d = Math.max(d, Math.abs(v - (wasm[i] as number)))));
    expect(d).toBeLessThan(1e-6);
    expect(cpu.some((v) => Math.abs(v) > 0.1)).toBe(true);
  });

  it('leaves no tensors or buffers behind', async () => {
    const tf = await initTfNode('wasm');
    const x = tf.randomUniform([1, 8, 8, 4]) as Tensor4D;
    const before = tf.memory();
    tf.tidy(() => {
      tf.grad((a: Tensor) => tf.maxPool(a as Tensor4D, 3, 2, 'same').sum())(x);
    });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.engine().backend.numDataIds()).toBe(before.numDataBuffers);
    x.dispose();
  });
});
