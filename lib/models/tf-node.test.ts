import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initTfNode } from './tf-node';

type Shape4 = [number, number, number, number];
type Case = { name: string; x: Shape4; w: Shape4; strides: 1 | 2; pad: 'same' | 'valid' };

const CASES: Case[] = [
  { name: 'same, stride 1, 3x3', x: [2, 9, 8, 3], w: [3, 3, 3, 4], strides: 1, pad: 'same' },
  { name: 'valid, stride 1, 3x2', x: [2, 7, 9, 2], w: [3, 2, 2, 5], strides: 1, pad: 'valid' },
  { name: 'same, stride 1, even 4x4 kernel (asymmetric padding)', x: [1, 8, 8, 2], w: [4, 4, 2, 3], strides: 1, pad: 'same' },
  { name: 'same, stride 2', x: [2, 9, 9, 3], w: [3, 3, 3, 4], strides: 2, pad: 'same' },
  { name: 'valid, stride 2, unused last row and column', x: [1, 10, 10, 2], w: [3, 3, 2, 2], strides: 2, pad: 'valid' },
];

/** Input and filter gradients of sum(conv2d(x, w) * r) on one backend. */
async function gradients(backend: 'wasm' | 'cpu', c: Case): Promise<{ dx: number[]; dw: number[] }> {
  const tf = await initTfNode(backend);
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', 1) as Tensor4D;
    const w = tf.randomNormal(c.w, 0, 1, 'float32', 2) as Tensor4D;
    const r = tf.randomNormal(tf.conv2d(x, w, c.strides, c.pad).shape, 0, 1, 'float32', 3);
    const f = (...args: Tensor[]) => tf.conv2d(args[0] as Tensor4D, args[1] as Tensor4D, c.strides, c.pad).mul(r).sum();
    const [dx, dw] = tf.grads(f)([x, w]) as [Tensor, Tensor];
    return { dx: Array.from(dx.dataSync()), dw: Array.from(dw.dataSync()) };
  });
}

describe('initTfNode WASM convolution gradients', () => {
  it.each(CASES)('match the CPU backend: $name', async (c) => {
    const cpu = await gradients('cpu', c);
    const wasm = await gradients('wasm', c);
    expect(wasm.dw.length).toBe(cpu.dw.length);
    expect(wasm.dx.length).toBe(cpu.dx.length);
    wasm.dw.forEach((v, i) => expect(v).toBeCloseTo(cpu.dw[i] as number, 3));
    wasm.dx.forEach((v, i) => expect(v).toBeCloseTo(cpu.dx[i] as number, 3));
  });

  it('is idempotent, and the gradient kernels free their intermediates', async () => {
    const tf = await initTfNode('wasm');
    expect(await initTfNode('wasm')).toBe(tf);
    expect(tf.getBackend()).toBe('wasm');
    const x = tf.randomNormal([1, 6, 6, 2]);
    const w = tf.randomNormal([3, 3, 2, 2]);
    const before = tf.memory();
    tf.tidy(() => {
      tf.grads((...args: Tensor[]) => tf.conv2d(args[0] as Tensor4D, args[1] as Tensor4D, 1, 'same').sum())([x, w]);
    });
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
    // Intermediates made inside the kernels bypass the engine; the WASM
    // backend's own count of live buffers must not grow either.
    expect(tf.engine().backend.numDataIds()).toBe(before.numDataBuffers);
    tf.dispose([x, w]);
  });
});
